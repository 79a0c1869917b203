"""The default JQL: my cards in the sections' projects, open or changed during the week."""

from __future__ import annotations

import datetime as dt

from reporter.config import Config
from reporter.week import week_start


def jira_default_jql(config: Config, week_end: dt.date) -> str:
    """`assignee = currentUser()` in the configured projects, open or changed in the week.

    The week's bounds are explicit dates (the week is computed in config.timezone by
    the caller), not `startOfWeek()`, whose meaning depends on the Jira profile's
    locale. Jira reads the times in the profile's time zone.
    """
    first = week_start(week_end)
    clauses = ["assignee = currentUser()"]
    if config.projects:
        keys = ", ".join(f'"{p}"' for p in config.projects)
        clauses.append(f"project in ({keys})")
    clauses.append(
        "(statusCategory != Done"
        f' OR status CHANGED DURING ("{first.isoformat()} 00:00", "{week_end.isoformat()} 23:59"))'
    )
    return " AND ".join(clauses) + " ORDER BY key ASC"
