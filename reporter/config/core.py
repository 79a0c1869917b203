"""The configuration file as a whole: the top-level keys, the sections, and loading it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from reporter.config.calendar import CalendarConfig, check_calendar
from reporter.config.checker import Checker, check_email, check_tz
from reporter.config.mail import MailConfig, check_mail
from reporter.config.measurements import MeasurementConfig, check_measurements
from reporter.errors import ConfigError
from reporter.yamldoc import KeyPath, YamlSyntaxError, load_yaml_file

if TYPE_CHECKING:
    from reporter.config.jira import JiraConfig
    from reporter.config.patches import PatchesConfig

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PROJECT_RE = re.compile(r"^[A-Z][A-Z0-9_]+$")


@dataclass(frozen=True)
class Author:
    name: str
    email: str


@dataclass(frozen=True)
class Section:
    title: str
    projects: tuple[str, ...]


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
    def cache_dir(self) -> Path:
        """DATA_DIR/cache: what can be rebuilt (holiday tables, compiled templates, git)."""
        return self.data_dir / "cache"

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


def load_config(path: Path, *, caches: bool = True) -> Config:
    """Read and validate `path`; every problem found is reported in one ConfigError.

    `caches=False` (a dry run, which writes nothing) checks the holiday country against
    the `holidays` package itself rather than its answer cached under data_dir."""
    try:
        doc = load_yaml_file(path)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such configuration file",
            hint="pass --config PATH, set REPORTER_CONFIG, or start one with `reporter init`",
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except YamlSyntaxError as exc:
        raise ConfigError(str(exc)) from None
    checker = Checker(doc)
    config = check_config(checker, caches=caches)
    if checker.problems or config is None:
        raise ConfigError(
            "invalid configuration:\n  " + "\n  ".join(checker.problems),
            hint="`reporter init --print` shows every key, commented",
        )
    return config


def check_config(c: Checker, *, caches: bool = True) -> Config | None:
    top = c.mapping(c.doc.data, (), {
        "author", "timezone", "week_ends_on", "data_dir", "archive", "sections", "jira",
        "patches", "measurements", "calendar", "mail", "templates_dir",
    })
    if top is None:
        return None
    author = check_author(c, top)
    timezone = c.get(top, (), "timezone", str, "UTC", check_tz)
    week_ends = c.get(top, (), "week_ends_on", str, "friday",
                         lambda v: None if v.lower() in WEEKDAYS
                         else f"must be a weekday name ({', '.join(WEEKDAYS)})")
    data_dir = c.get(top, (), "data_dir", str, "data")
    archive = c.choice(top, (), "archive", ("none", "git"), "none")
    sections = check_sections(c, top)
    templates = c.get(top, (), "templates_dir", str, None)
    data_path = c.path(data_dir or "data")
    config = Config(
        path=c.doc.path,
        author=author or Author("", ""),
        timezone=timezone or "UTC",
        week_ends_on=WEEKDAYS.index((week_ends or "friday").lower()),
        data_dir=data_path,
        archive=archive or "none",
        sections=sections,
        jira=_check_jira(c, top) if "jira" in top else None,
        patches=_check_patches(c, top) if "patches" in top else None,
        measurements=check_measurements(c, top, {p for s in sections for p in s.projects}),
        calendar=check_calendar(c, top, data_path / "cache" if caches else None),
        mail=check_mail(c, top),
        templates_dir=c.path(templates) if templates else None,
    )
    return config


def _check_jira(c: Checker, top: dict[str, Any]) -> JiraConfig | None:
    from reporter.config.jira import check_jira  # only when configured: see __init__

    return check_jira(c, top)


def _check_patches(c: Checker, top: dict[str, Any]) -> PatchesConfig | None:
    from reporter.config.patches import check_patches

    return check_patches(c, top)


def check_author(c: Checker, top: dict[str, Any]) -> Author | None:
    m = c.get(top, (), "author", dict)
    if m is None:
        return None
    m = c.mapping(m, ("author",), {"name", "email"})
    if m is None:
        return None
    name = c.get(m, ("author",), "name", str)
    email = c.get(m, ("author",), "email", str, check=check_email)
    return Author(name or "", email or "")


def check_sections(c: Checker, top: dict[str, Any]) -> tuple[Section, ...]:
    items = c.get(top, (), "sections", list)
    if items is None:
        return ()
    if not items:
        c.fail(("sections",), "at least one section is needed")
    out: list[Section] = []
    seen_titles: set[str] = set()
    seen_projects: dict[str, str] = {}
    for i, item in enumerate(items):
        kp: KeyPath = ("sections", i)
        m = c.mapping(item, kp, {"title", "projects"})
        if m is None:
            continue
        title = c.get(m, kp, "title", str,
                         check=lambda v: None if v.strip() and "\n" not in v
                         else "must be one line of text")
        projects = c.str_list(m, kp, "projects", (), check=lambda v: None
                                 if PROJECT_RE.match(v) else "not a Jira project key (STR)")
        if title is None:
            continue
        if title in seen_titles:
            c.fail(kp + ("title",), f"section {title!r} is configured twice")
        seen_titles.add(title)
        for p in projects:
            if p in seen_projects:
                c.fail(kp + ("projects",),
                          f"project {p} is already in section {seen_projects[p]!r}")
            seen_projects[p] = title
        out.append(Section(title, projects))
    return tuple(out)
