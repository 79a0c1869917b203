"""The starting configuration: the packaged example with the user's name, e-mail and time zone.

`config/example.yaml` in a checkout is the one source; an installed package carries it as
`reporter/example/example.yaml` (pyproject maps the folder). The user's details come from
git config (user.name, user.email) and the system (the password database's full name,
$TZ, /etc/timezone, the /etc/localtime link); whatever is not known stays a placeholder
from the documentation domain, and the caller is told which.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reporter.config.checker import check_email, check_mailbox
from reporter.errors import ReporterError

log = logging.getLogger(__name__)

EXAMPLE = "example.yaml"
# Whose report the example is: these are replaced by the user's own details.
EXAMPLE_NAME = "AKASHI Takahiro"
EXAMPLE_EMAIL = "takahiro.akashi@linaro.org"
EXAMPLE_TIMEZONE = "Asia/Tokyo"
PLACEHOLDER_NAME = "Your Name"
PLACEHOLDER_EMAIL = "you@example.org"  # example.org is reserved for documentation (RFC 2606)
DEFAULT_TIMEZONE = "UTC"  # the configuration's own default


def example_path() -> Path:
    """config/example.yaml beside the package in a checkout, or the installed copy."""
    package = Path(__file__).resolve().parent
    checkout = package.parent / "config" / EXAMPLE
    if checkout.is_file():
        return checkout
    return package / "example" / EXAMPLE


def example_text() -> str:
    path = example_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReporterError(f"{path}: the example configuration cannot be read: "
                            f"{exc.strerror}", hint="reinstall reporter") from None


@dataclass(frozen=True)
class Details:
    """What is known about the user; None where nothing is."""

    name: str | None
    email: str | None
    timezone: str | None
    name_from: str = ""  # "git config user.name", "the password database"
    timezone_from: str = ""  # "$TZ", "/etc/timezone", "/etc/localtime"


@dataclass(frozen=True)
class Starter:
    """The text to write, and the details that had to stay placeholders."""

    text: str
    details: Details
    unknown: tuple[str, ...]  # "author.name", "author.email", "timezone"


def user_details(*, environ: Mapping[str, str] | None = None,
                 etc: Path = Path("/etc")) -> Details:
    """The user's name and e-mail (git config, then the password database) and time zone."""
    env = os.environ if environ is None else environ
    name, name_from = _git_config("user.name", env), "git config user.name"
    if not _one_line(name):
        name, name_from = _full_name(), "the password database"
    email = _git_config("user.email", env)
    if email is not None and check_email(email) is not None:
        email = None
    timezone, timezone_from = system_timezone(env, etc)
    return Details(name=name if _one_line(name) else None, email=email, timezone=timezone,
                   name_from=name_from, timezone_from=timezone_from)


def system_timezone(environ: Mapping[str, str], etc: Path = Path("/etc")
                    ) -> tuple[str | None, str]:
    """The IANA name of the system's zone and where it was read, or (None, "")."""
    tz = environ.get("TZ", "").lstrip(":")
    candidates = [(_zone_in_path(tz) or tz, "$TZ")] if tz else []
    try:
        candidates.append(((etc / "timezone").read_text(encoding="utf-8").strip(),
                           str(etc / "timezone")))
    except (OSError, UnicodeDecodeError):
        pass
    try:
        target = os.readlink(etc / "localtime")
        candidates.append((_zone_in_path(target) or "", str(etc / "localtime")))
    except OSError:
        pass
    for name, origin in candidates:
        if _is_zone(name):
            return name, origin
    return None, ""


def starting_config(details: Details) -> Starter:
    """The example's text with `details` in place of the example author's."""
    unknown = []
    name = details.name
    if name is None:
        unknown.append("author.name")
        name = PLACEHOLDER_NAME
    email = details.email
    if email is None:
        unknown.append("author.email")
        email = PLACEHOLDER_EMAIL
    timezone = details.timezone
    if timezone is None:
        unknown.append("timezone")
        timezone = DEFAULT_TIMEZONE
    text = fill_in(example_text(), name, email, timezone)
    return Starter(text, details, tuple(unknown))


def fill_in(text: str, name: str, email: str, timezone: str) -> str:
    """Replace the example author's name, e-mail and zone, quoting where YAML needs it."""
    from reporter.store.yamltext import single_line_scalar

    mailbox = str(Address(display_name=name, addr_spec=email))
    if check_mailbox(mailbox) is not None:  # a name the mail headers cannot carry
        mailbox = email
    out = text.replace(f"{EXAMPLE_NAME} <{EXAMPLE_EMAIL}>",
                       single_line_scalar(mailbox, flow=True))
    out = re.sub(r"(?m)^author: \{.*\}$",
                 lambda _: f"author: {{name: {single_line_scalar(name, flow=True)}, "
                 f"email: {single_line_scalar(email, flow=True)}}}", out)
    out = out.replace(EXAMPLE_EMAIL, single_line_scalar(email, flow=True))
    out = re.sub(r"(?m)^timezone: .*$", lambda _: f"timezone: {timezone}", out)
    if EXAMPLE_NAME in out or f"timezone: {timezone}" not in out:
        raise ReporterError("the example configuration has changed shape: reporter init "
                            "could not fill in the author and time zone",
                            hint="report this as a bug of reporter")
    return out


def _git_config(key: str, environ: Mapping[str, str]) -> str | None:
    git = shutil.which("git", path=environ.get("PATH"))
    if git is None:
        return None
    try:
        done = subprocess.run([git, "config", "--get", key], capture_output=True,  # noqa: S603
                              text=True, timeout=10, check=False,
                              env={**environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("git config %s: %s", key, type(exc).__name__)
        return None
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None


def _full_name() -> str | None:
    try:
        import pwd

        gecos = pwd.getpwuid(os.getuid()).pw_gecos
    except (ImportError, KeyError, OSError):
        return None
    name = gecos.split(",", 1)[0].strip()
    return name or None


def _one_line(text: str | None) -> bool:
    return bool(text and text.strip() and "\n" not in text and "\r" not in text)


def _zone_in_path(path: str) -> str | None:
    match = re.search(r"zoneinfo/(?:posix/|right/)?(.+)$", path)
    return match.group(1) if match else None


def _is_zone(name: str) -> bool:
    if not name or name.startswith("/") or name in ("localtime", "Factory"):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
