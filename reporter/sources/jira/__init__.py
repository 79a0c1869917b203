"""The Jira source: the engineer's cards, the week's comments and measurement attachments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from reporter.sources.jira.jql import jira_default_jql

if TYPE_CHECKING:
    from reporter.config import Config
    from reporter.model.cards import JiraSnapshot
    from reporter.sources.jira.session import RetryPolicy

__all__ = ["jira_default_jql", "pull_jira"]


def pull_jira(config: Config, week_end: dt.date, now: dt.datetime, *,
              environ: Mapping[str, str] | None = None,
              policy: RetryPolicy | None = None) -> JiraSnapshot:
    """Pull the week's cards from Jira; raises SourceError (exit 1) or ConfigError (exit 2).

    Nothing is stored here except measurement attachments (data/attachments/<week>/);
    the caller writes the snapshot only when this returns. `policy` is for tests
    (short backoff); the defaults suit a cron run.
    """
    # requests and jira are imported only when a pull really happens.
    from reporter.sources.jira.pull import pull

    return pull(config, week_end, now, environ=environ, policy=policy)
