"""The configuration file: its schema, its defaults and its complete validation."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import getaddresses
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reporter.errors import ConfigError
from reporter.yamldoc import KeyPath, YamlDoc, YamlSyntaxError, load_yaml_file

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PROJECT_RE = re.compile(r"^[A-Z][A-Z0-9_]+$")
ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_SUBJECT = "[Weekly] Week ending {week_end}"


@dataclass(frozen=True)
class Author:
    name: str
    email: str


@dataclass(frozen=True)
class Section:
    title: str
    projects: tuple[str, ...]


@dataclass(frozen=True)
class JiraConfig:
    server: str
    auth: str  # token | pat | netrc | none
    user: str | None
    token_env: str | None
    jql: str | None
    comments: str  # mine | all | off
    attachments: bool
    remote_links: bool
    keyring_service: str
    timeout_s: float
    deadline_s: float
    max_pages: int
    max_attachment_bytes: int


@dataclass(frozen=True)
class PatchworkConfig:
    url: str
    project: str
    api_version: str


@dataclass(frozen=True)
class ArchiveConfig:
    lore: str | None
    pipermail: str | None


@dataclass(frozen=True)
class GitConfig:
    repo: Path
    branches: tuple[str, ...]


@dataclass(frozen=True)
class PatchesConfig:
    submitter: str
    patchwork: PatchworkConfig | None
    archive: ArchiveConfig
    links: str  # lore | pipermail | patchwork
    git: GitConfig | None
    timeout_s: float
    deadline_s: float
    max_pages: int


@dataclass(frozen=True)
class MeasurementConfig:
    card: str
    files: str  # a glob, relative to the config file's folder
    threshold_us: float | None
    label: str | None
    column: str | None
    unit: str | None


@dataclass(frozen=True)
class CalendarConfig:
    country: str | None
    subdivision: str | None
    lookahead_days: int


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str | None
    password_env: str | None
    keyring_service: str
    timeout_s: float


@dataclass(frozen=True)
class MailConfig:
    sender: str  # `from` in the file
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc_self: bool
    followup_to: bool
    subject: str
    transport: str  # smtp | sendmail
    smtp: SmtpConfig | None
    sendmail: tuple[str, ...]
    retries: int
    retry_delay_s: float


@dataclass(frozen=True)
class Config:
    path: Path
    author: Author
    timezone: str
    week_ends_on: int  # 0 = Monday ... 6 = Sunday
    data_dir: Path
    archive: str  # none | git
    sections: tuple[Section, ...]
    jira: JiraConfig | None = None
    patches: PatchesConfig | None = None
    measurements: tuple[MeasurementConfig, ...] = ()
    calendar: CalendarConfig = field(
        default_factory=lambda: CalendarConfig(country=None, subdivision=None, lookahead_days=14)
    )
    mail: MailConfig | None = None
    templates_dir: Path | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def projects(self) -> tuple[str, ...]:
        return tuple(p for s in self.sections for p in s.projects)

    def section_of(self, key: str) -> Section | None:
        project = key.split("-", 1)[0]
        for section in self.sections:
            if project in section.projects:
                return section
        return None


def default_config_path() -> Path:
    env = os.environ.get("REPORTER_CONFIG")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "reporter" / "config.yaml"


def load_config(path: Path) -> Config:
    """Read and validate `path`; every problem found is reported in one ConfigError."""
    try:
        doc = load_yaml_file(path)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such configuration file",
            hint="pass --config PATH, set REPORTER_CONFIG, or copy config/example.yaml",
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except YamlSyntaxError as exc:
        raise ConfigError(str(exc)) from None
    checker = _Checker(doc)
    config = checker.config()
    if checker.problems or config is None:
        raise ConfigError(
            "invalid configuration:\n  " + "\n  ".join(checker.problems),
            hint="see config/example.yaml for every key",
        )
    return config


_MISSING = object()


class _Checker:
    """Walks the YAML document, converts values and collects every problem."""

    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.problems: list[str] = []
        self.base = doc.path.parent

    def fail(self, keypath: KeyPath, message: str) -> None:
        self.problems.append(f"{self.doc.where(keypath)}: {message}")

    # -- generic helpers -------------------------------------------------

    def mapping(self, value: Any, keypath: KeyPath, allowed: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(keypath, f"expected a mapping, got {_kind(value)}")
            return None
        for key in value:
            if key not in allowed:
                hint = _closest(str(key), allowed)
                extra = f" (did you mean {hint!r}?)" if hint else ""
                self.fail(keypath + (str(key),), f"unknown key{extra}")
        return value

    def get(
        self,
        m: dict[str, Any],
        keypath: KeyPath,
        key: str,
        kind: type | tuple[type, ...],
        default: Any = _MISSING,
        check: Callable[[Any], str | None] | None = None,
    ) -> Any:
        kp = keypath + (key,)
        if key not in m or m[key] is None:
            if default is _MISSING:
                self.fail(kp, "missing required value")
                return None
            return default
        value = m[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            self.fail(kp, f"expected {names}, got {_kind(value)}")
            return default if default is not _MISSING else None
        if check:
            problem = check(value)
            if problem:
                self.fail(kp, problem)
                return default if default is not _MISSING else None
        return value

    def choice(self, m: dict[str, Any], keypath: KeyPath, key: str, options: tuple[str, ...],
               default: Any = _MISSING) -> Any:
        return self.get(m, keypath, key, str, default,
                        lambda v: None if v in options else f"must be one of {', '.join(options)}")

    def str_list(self, m: dict[str, Any], keypath: KeyPath, key: str,
                 default: Any = _MISSING, check: Callable[[str], str | None] | None = None,
                 ) -> tuple[str, ...]:
        value = self.get(m, keypath, key, list, default)
        if value is None:
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.fail(keypath + (key, i), f"expected text, got {_kind(item)}")
                continue
            problem = check(item) if check else None
            if problem:
                self.fail(keypath + (key, i), problem)
                continue
            out.append(item)
        return tuple(out)

    def path(self, text: str) -> Path:
        p = Path(os.path.expanduser(text))
        return Path(os.path.normpath(p if p.is_absolute() else (self.base / p)))

    # -- sections of the file ---------------------------------------------

    def config(self) -> Config | None:
        top = self.mapping(self.doc.data, (), {
            "author", "timezone", "week_ends_on", "data_dir", "archive", "sections", "jira",
            "patches", "measurements", "calendar", "mail", "templates_dir",
        })
        if top is None:
            return None
        author = self.author(top)
        timezone = self.get(top, (), "timezone", str, "UTC", _check_tz)
        week_ends = self.get(top, (), "week_ends_on", str, "friday",
                             lambda v: None if v.lower() in WEEKDAYS
                             else f"must be a weekday name ({', '.join(WEEKDAYS)})")
        data_dir = self.get(top, (), "data_dir", str, "data")
        archive = self.choice(top, (), "archive", ("none", "git"), "none")
        sections = self.sections(top)
        templates = self.get(top, (), "templates_dir", str, None)
        config = Config(
            path=self.doc.path,
            author=author or Author("", ""),
            timezone=timezone or "UTC",
            week_ends_on=WEEKDAYS.index((week_ends or "friday").lower()),
            data_dir=self.path(data_dir or "data"),
            archive=archive or "none",
            sections=sections,
            jira=self.jira(top),
            patches=self.patches(top),
            measurements=self.measurements(top, sections),
            calendar=self.calendar(top),
            mail=self.mail(top),
            templates_dir=self.path(templates) if templates else None,
        )
        return config

    def author(self, top: dict[str, Any]) -> Author | None:
        m = self.get(top, (), "author", dict)
        if m is None:
            return None
        m = self.mapping(m, ("author",), {"name", "email"})
        if m is None:
            return None
        name = self.get(m, ("author",), "name", str)
        email = self.get(m, ("author",), "email", str, check=_check_email)
        return Author(name or "", email or "")

    def sections(self, top: dict[str, Any]) -> tuple[Section, ...]:
        items = self.get(top, (), "sections", list)
        if items is None:
            return ()
        if not items:
            self.fail(("sections",), "at least one section is needed")
        out: list[Section] = []
        seen_titles: set[str] = set()
        seen_projects: dict[str, str] = {}
        for i, item in enumerate(items):
            kp: KeyPath = ("sections", i)
            m = self.mapping(item, kp, {"title", "projects"})
            if m is None:
                continue
            title = self.get(m, kp, "title", str,
                             check=lambda v: None if v.strip() and "\n" not in v
                             else "must be one line of text")
            projects = self.str_list(m, kp, "projects", (), check=lambda v: None
                                     if PROJECT_RE.match(v) else "not a Jira project key (STR)")
            if title is None:
                continue
            if title in seen_titles:
                self.fail(kp + ("title",), f"section {title!r} is configured twice")
            seen_titles.add(title)
            for p in projects:
                if p in seen_projects:
                    self.fail(kp + ("projects",),
                              f"project {p} is already in section {seen_projects[p]!r}")
                seen_projects[p] = title
            out.append(Section(title, projects))
        return tuple(out)

    def jira(self, top: dict[str, Any]) -> JiraConfig | None:
        raw = self.get(top, (), "jira", dict, None)
        if raw is None:
            return None
        kp: KeyPath = ("jira",)
        m = self.mapping(raw, kp, {
            "server", "auth", "user", "token_env", "jql", "comments", "attachments",
            "remote_links", "keyring_service", "timeout_s", "deadline_s", "max_pages",
            "max_attachment_mb", "token", "password",
        })
        if m is None:
            return None
        for secret in ("token", "password"):
            if secret in m:
                self.fail(kp + (secret,), "secrets are never read from the configuration file; "
                          "name an environment variable in token_env, or use the keyring or "
                          "~/.netrc")
        auth = self.choice(m, kp, "auth", ("token", "pat", "netrc", "none"), "token")
        user = self.get(m, kp, "user", str, None)
        if auth == "token" and not user:
            self.fail(kp + ("user",), "auth: token (Jira Cloud) needs the account's e-mail "
                      "address in user")
        token_env = self.get(m, kp, "token_env", str, "JIRA_API_TOKEN", _check_env)
        return JiraConfig(
            server=self.get(m, kp, "server", str, check=_check_url) or "",
            auth=auth or "token",
            user=user,
            token_env=token_env,
            jql=self.get(m, kp, "jql", str, None),
            comments=self.choice(m, kp, "comments", ("mine", "all", "off"), "mine") or "mine",
            attachments=self.get(m, kp, "attachments", bool, True),
            remote_links=self.get(m, kp, "remote_links", bool, False),
            keyring_service=self.get(m, kp, "keyring_service", str, "reporter-jira"),
            timeout_s=self.get(m, kp, "timeout_s", float, 30.0, _positive),
            deadline_s=self.get(m, kp, "deadline_s", float, 300.0, _positive),
            max_pages=self.get(m, kp, "max_pages", int, 50, _positive),
            max_attachment_bytes=int(
                self.get(m, kp, "max_attachment_mb", float, 512.0, _positive) * 1024 * 1024),
        )

    def patches(self, top: dict[str, Any]) -> PatchesConfig | None:
        raw = self.get(top, (), "patches", dict, None)
        if raw is None:
            return None
        kp: KeyPath = ("patches",)
        m = self.mapping(raw, kp, {"submitter", "patchwork", "archive", "links", "git",
                                   "timeout_s", "deadline_s", "max_pages"})
        if m is None:
            return None
        submitter = self.get(m, kp, "submitter", str, check=_check_email)
        patchwork = None
        pw = self.get(m, kp, "patchwork", dict, None)
        if pw is not None:
            pkp = kp + ("patchwork",)
            pm = self.mapping(pw, pkp, {"url", "project", "api_version"})
            if pm is not None:
                patchwork = PatchworkConfig(
                    url=(self.get(pm, pkp, "url", str, check=_check_url) or "").rstrip("/"),
                    project=self.get(pm, pkp, "project", str) or "",
                    api_version=self.get(pm, pkp, "api_version", str, "1.3",
                                         lambda v: None if re.match(r"^1\.[1-9]$", v)
                                         else "must be 1.1 or newer, like 1.3"),
                )
        archive = ArchiveConfig(None, None)
        ar = self.get(m, kp, "archive", dict, None)
        if ar is not None:
            akp = kp + ("archive",)
            am = self.mapping(ar, akp, {"lore", "pipermail"})
            if am is not None:
                lore = self.get(am, akp, "lore", str, None, _check_url)
                pipermail = self.get(am, akp, "pipermail", str, None, _check_url)
                archive = ArchiveConfig(lore.rstrip("/") if lore else None,
                                        pipermail.rstrip("/") if pipermail else None)
        links = self.choice(m, kp, "links", ("lore", "pipermail", "patchwork"), "lore")
        if links == "pipermail" and not archive.pipermail:
            self.fail(kp + ("links",), "links: pipermail needs archive.pipermail")
        if links == "patchwork" and patchwork is None:
            self.fail(kp + ("links",), "links: patchwork needs patchwork.url")
        git = None
        g = self.get(m, kp, "git", dict, None)
        if g is not None:
            gkp = kp + ("git",)
            gm = self.mapping(g, gkp, {"repo", "branches"})
            if gm is not None:
                repo = self.get(gm, gkp, "repo", str)
                branches = self.str_list(gm, gkp, "branches", ["origin/master"])
                git = GitConfig(self.path(repo or "."), branches)
        return PatchesConfig(
            submitter=submitter or "",
            patchwork=patchwork,
            archive=archive,
            links=links or "lore",
            git=git,
            timeout_s=self.get(m, kp, "timeout_s", float, 30.0, _positive),
            deadline_s=self.get(m, kp, "deadline_s", float, 600.0, _positive),
            max_pages=self.get(m, kp, "max_pages", int, 100, _positive),
        )

    def measurements(self, top: dict[str, Any],
                     sections: tuple[Section, ...]) -> tuple[MeasurementConfig, ...]:
        items = self.get(top, (), "measurements", list, [])
        projects = {p for s in sections for p in s.projects}
        out = []
        for i, item in enumerate(items or []):
            kp: KeyPath = ("measurements", i)
            m = self.mapping(item, kp, {"card", "files", "threshold_us", "label", "column",
                                        "unit"})
            if m is None:
                continue
            card = self.get(m, kp, "card", str, check=_check_card_key)
            if card and projects and card.split("-")[0] not in projects:
                self.fail(kp + ("card",), f"project of {card} is in no configured section")
            out.append(MeasurementConfig(
                card=card or "",
                files=str(self.path(self.get(m, kp, "files", str) or "")),
                threshold_us=self.get(m, kp, "threshold_us", float, None, _positive),
                label=self.get(m, kp, "label", str, None),
                column=self.get(m, kp, "column", (str, int), None),
                unit=self.choice(m, kp, "unit", ("ns", "us", "ms", "s"), None),
            ))
        return tuple(out)

    def calendar(self, top: dict[str, Any]) -> CalendarConfig:
        raw = self.get(top, (), "calendar", dict, None)
        if raw is None:
            return CalendarConfig(None, None, 14)
        kp: KeyPath = ("calendar",)
        m = self.mapping(raw, kp, {"country", "subdivision", "lookahead_days"})
        if m is None:
            return CalendarConfig(None, None, 14)
        country = self.get(m, kp, "country", str, None)
        subdivision = self.get(m, kp, "subdivision", str, None)
        if country:
            problem = _check_country(country, subdivision)
            if problem:
                self.fail(kp + (problem[0],), problem[1])
        return CalendarConfig(
            country=country,
            subdivision=subdivision,
            lookahead_days=self.get(m, kp, "lookahead_days", int, 14,
                                    lambda v: None if 0 <= v <= 366 else "must be 0 to 366"),
        )

    def mail(self, top: dict[str, Any]) -> MailConfig | None:
        raw = self.get(top, (), "mail", dict, None)
        if raw is None:
            return None
        kp: KeyPath = ("mail",)
        m = self.mapping(raw, kp, {"from", "to", "cc", "bcc_self", "followup_to", "subject",
                                   "transport", "smtp", "sendmail", "retries", "retry_delay_s"})
        if m is None:
            return None
        sender = self.get(m, kp, "from", str, check=_check_mailbox)
        to = self.str_list(m, kp, "to", check=_check_mailbox)
        if "to" in m and isinstance(m["to"], list) and not m["to"]:
            self.fail(kp + ("to",), "at least one recipient is needed")
        cc = self.str_list(m, kp, "cc", [], check=_check_mailbox)
        subject = self.get(m, kp, "subject", str, DEFAULT_SUBJECT, _check_subject)
        transport = self.choice(m, kp, "transport", ("smtp", "sendmail"), "smtp")
        smtp = None
        s = self.get(m, kp, "smtp", dict, None)
        if s is not None:
            skp = kp + ("smtp",)
            sm = self.mapping(s, skp, {"host", "port", "security", "user", "password_env",
                                       "keyring_service", "timeout_s", "password"})
            if sm is not None:
                if "password" in sm:
                    self.fail(skp + ("password",), "secrets are never read from the "
                              "configuration file; name an environment variable in "
                              "password_env, or use the keyring or ~/.netrc")
                security = self.choice(sm, skp, "security", ("starttls", "ssl", "none"),
                                       "starttls")
                smtp = SmtpConfig(
                    host=self.get(sm, skp, "host", str) or "",
                    port=self.get(sm, skp, "port", int,
                                  465 if security == "ssl" else 587,
                                  lambda v: None if 0 < v < 65536 else "must be 1 to 65535"),
                    security=security or "starttls",
                    user=self.get(sm, skp, "user", str, None),
                    password_env=self.get(sm, skp, "password_env", str, None, _check_env),
                    keyring_service=self.get(sm, skp, "keyring_service", str,
                                             "reporter-smtp"),
                    timeout_s=self.get(sm, skp, "timeout_s", float, 60.0, _positive),
                )
        if transport == "smtp" and smtp is None:
            self.fail(kp + ("smtp",), "transport: smtp needs an smtp: {host: ...} mapping")
        sendmail = self.str_list(m, kp, "sendmail", ["/usr/sbin/sendmail"])
        if transport == "sendmail" and not sendmail:
            self.fail(kp + ("sendmail",), "transport: sendmail needs the command as a list")
        return MailConfig(
            sender=sender or "",
            to=to,
            cc=cc,
            bcc_self=self.get(m, kp, "bcc_self", bool, False),
            followup_to=self.get(m, kp, "followup_to", bool, False),
            subject=subject or DEFAULT_SUBJECT,
            transport=transport or "smtp",
            smtp=smtp,
            sendmail=sendmail,
            retries=self.get(m, kp, "retries", int, 3,
                             lambda v: None if 0 <= v <= 10 else "must be 0 to 10"),
            retry_delay_s=self.get(m, kp, "retry_delay_s", float, 5.0,
                                   lambda v: None if v >= 0 else "must not be negative"),
        )


_TYPE_NAMES = {str: "text", int: "an integer", float: "a number", bool: "true or false",
               list: "a list", dict: "a mapping"}


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _closest(key: str, allowed: set[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.75)
    return matches[0] if matches else None


def _check_tz(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r} (use an IANA name like Asia/Tokyo)"
    return None


def _check_url(value: str) -> str | None:
    if not re.match(r"^https?://[^\s/]+", value):
        return "must be an http:// or https:// URL"
    return None


def _check_env(value: str) -> str | None:
    return None if ENV_RE.match(value) else "must be the name of an environment variable"


def _check_email(value: str) -> str | None:
    return None if re.match(r"^[^@\s<>]+@[^@\s<>]+$", value) else "not an e-mail address"


def _check_card_key(value: str) -> str | None:
    return None if re.match(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$", value) else "not a card key (STR-76)"


def _check_mailbox(value: str) -> str | None:
    if "\n" in value or "\r" in value:
        return "must be one line"
    pairs = getaddresses([value])
    if len(pairs) != 1 or not pairs[0][1] or "@" not in pairs[0][1]:
        return f"not one e-mail address: {value!r}"
    try:
        Address(display_name=pairs[0][0], addr_spec=pairs[0][1])
    except (ValueError, IndexError) as exc:
        return f"not an e-mail address: {exc}"
    return None


def _check_subject(value: str) -> str | None:
    if "\n" in value or "\r" in value:
        return "must be one line"
    try:
        value.format(week_end="2000-01-01")
    except (KeyError, IndexError, ValueError):
        return "may only use the placeholder {week_end}"
    return None


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be greater than 0"


def _check_country(country: str, subdivision: str | None) -> tuple[str, str] | None:
    import holidays
    from holidays.registry import COUNTRIES

    # The registry names every country without importing them (as
    # list_supported_countries() does); a subdivision needs the country's module.
    if not any(country in names[1:] for names in COUNTRIES.values()):
        return ("country", f"unknown country code {country!r} for the holidays package")
    if not subdivision:
        return None
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        if subdivision and "subdivision" in str(exc):
            return ("subdivision", f"unknown subdivision {subdivision!r} of {country}")
        return ("country", f"unknown country code {country!r} for the holidays package")
    return None
