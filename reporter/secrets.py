"""Finds a secret in the environment, the keyring or ~/.netrc; never in the config file."""

from __future__ import annotations

import logging
import netrc
import os
from dataclasses import dataclass, field
from pathlib import Path

from reporter.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credentials:
    """A user name and its secret; the secret is kept out of repr()."""

    user: str | None
    secret: str = field(repr=False)
    origin: str  # where it came from, for messages: "$JIRA_API_TOKEN", "keyring", "~/.netrc"


def find_secret(
    *,
    what: str,
    host: str,
    user: str | None,
    env_var: str | None,
    keyring_service: str,
    environ: dict[str, str] | None = None,
    netrc_path: Path | None = None,
) -> Credentials:
    """Look in $env_var, then the keyring (service, user), then ~/.netrc (host).

    Raises ConfigError naming every place that was tried; never prompts.
    """
    env = os.environ if environ is None else environ
    tried = []
    if env_var:
        value = env.get(env_var)
        if value:
            return Credentials(user, value, f"${env_var}")
        tried.append(f"${env_var} is not set")
    if user:
        secret, why = _from_keyring(keyring_service, user)
        if secret:
            return Credentials(user, secret, "keyring")
        tried.append(why)
    found = netrc_lookup(host, netrc_path)
    if found is not None:
        login, secret = found
        if user and login and login != user:
            tried.append(f"~/.netrc has {host} for another login")
        else:
            return Credentials(login or user, secret, "~/.netrc")
    else:
        tried.append(f"~/.netrc has no entry for {host}")
    where = f"set {env_var} in the environment (for cron too), " if env_var else ""
    raise ConfigError(
        f"{what}: no secret found ({'; '.join(tried)})",
        hint=f"{where}store it with `keyring set {keyring_service} {user or 'USER'}`, "
        f"or add `machine {host} login {user or 'USER'} password ...` to ~/.netrc",
    )


def netrc_lookup(host: str, path: Path | None = None) -> tuple[str | None, str] | None:
    """(login, password) for `host` from ~/.netrc (or $NETRC), or None."""
    file = path or Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    if not file.is_file():
        return None
    try:
        entry = netrc.netrc(str(file)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        # NetrcParseError's text can quote the offending line: name the file only.
        line = getattr(exc, "lineno", None)
        raise ConfigError(f"{file}{':' + str(line) if line else ''}: cannot parse ~/.netrc",
                          hint="fix the file's syntax") from None
    if not entry or entry[2] is None:
        return None
    login, _account, password = entry
    return (login or None), password


def _from_keyring(service: str, user: str) -> tuple[str | None, str]:
    try:
        import keyring
        import keyring.errors
    except ImportError:
        return None, "the keyring package is not installed"
    try:
        backend = keyring.get_keyring()
        # The fail backend (no session bus, as under cron) raises on every call:
        # say so plainly instead of prompting or hanging.
        if type(backend).__module__.startswith("keyring.backends.fail"):
            return None, "no keyring is available (no session bus, as under cron)"
        secret = keyring.get_password(service, user)
    except keyring.errors.KeyringError as exc:
        log.debug("keyring: %s", type(exc).__name__)
        return None, "the keyring is unavailable (no session bus, as under cron)"
    except Exception as exc:  # noqa: BLE001 - third-party backends raise anything
        log.debug("keyring: %s", type(exc).__name__)
        return None, "the keyring is unavailable"
    if not secret:
        return None, f"the keyring has no {service} entry for {user}"
    return secret, "keyring"
