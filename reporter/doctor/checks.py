"""Runs every check in order, the configuration first; each result as soon as it is known."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.doctor.result import Check, warn
from reporter.errors import ReporterError

if TYPE_CHECKING:
    import requests

    from reporter.config import Config
    from reporter.sources.jira.session import RetryPolicy


@dataclass(frozen=True)
class Options:
    """What the command decided: the file, the week asked for, the clock; test overrides."""

    config_path: Path
    week: str | None  # --week, None for the next report due
    now: dt.datetime
    environ: Mapping[str, str] | None = None
    jira_policy: RetryPolicy | None = None
    patches_session: requests.Session | None = None


def run_checks(options: Options) -> Iterator[Check]:
    """Every check, in order; after a configuration that does not load, nothing else runs."""
    from reporter.doctor.configfile import check_config
    from reporter.doctor.local import check_data_dir, check_ledger, check_notes
    from reporter.week import today_in

    config, checks = check_config(options.config_path)
    yield from checks
    if config is None:
        return
    week = due_week(config, options)
    yield check_data_dir(config)
    yield check_ledger(config)
    yield check_notes(config, week, today_in(options.now, config.tz))
    yield from _sources(config, options, week)


def due_week(config: Config, options: Options) -> dt.date:
    """--week, or the next report due: the last week while it is not sent, then this one.

    A ledger that cannot be read counts as not sent here (the ledger check says why).
    """
    from reporter.deliver.ledger import week_state
    from reporter.week import resolve_week, today_in

    today = today_in(options.now, config.tz)
    week = resolve_week(options.week or "last", today, config.week_ends_on)
    if options.week is None:
        try:
            if week_state(config.data_dir, week) == "sent":
                week = resolve_week("this", today, config.week_ends_on)
        except ReporterError:
            pass
    return week


def _sources(config: Config, options: Options, week: dt.date) -> Iterator[Check]:
    from reporter.doctor.secrets import jira_secret, smtp_secret

    jira_line, login = jira_secret(config, options.environ)
    smtp_line, creds, smtp_ready = smtp_secret(config)
    for line in (jira_line, smtp_line):
        if line is not None:
            yield line
    if config.jira is not None:
        if login is None:
            yield warn("jira", "not checked: its secret is missing (see above)")
        else:
            from reporter.doctor.jira import check_jira

            yield from check_jira(config, week, login, options.jira_policy)
    if config.patches is not None:
        from reporter.doctor.patches import check_patch_sources

        yield from check_patch_sources(config.patches, options.patches_session)
        if config.patches.git is not None:
            from reporter.doctor.gitclone import check_git

            yield from check_git(config, options.now)
    mail = config.mail
    if mail is not None and mail.transport == "sendmail":
        from reporter.doctor.mail import check_sendmail

        yield check_sendmail(mail)
    elif mail is not None:
        if not smtp_ready:
            yield warn("smtp", "not checked: its password is missing (see above)")
        else:
            from reporter.doctor.mail import check_smtp

            yield from check_smtp(mail, creds)
