"""Pulls every configured source for a week and stores each snapshot (the one place that does)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from reporter.config import Config
from reporter.errors import ReporterError, SourceError
from reporter.model.sources import SourceFailure
from reporter.store import snapshot

log = logging.getLogger(__name__)


def configured_sources(config: Config) -> tuple[str, ...]:
    """The sources the configuration names, in pull order (measurements read Jira's)."""
    names = []
    if config.jira is not None:
        names.append("jira")
    if config.measurements or (config.jira is not None and config.jira.attachments):
        names.append("measurements")
    if config.patches is not None:
        names.append("patches")
    return tuple(names)


def live_sources(config: Config) -> tuple[str, ...]:
    """The sources behind a network (Jira, Patchwork and the list archive).

    `preview` pulls (and stores) only when one is configured; measurement files alone
    are read by `preview` without being stored (read_measurement_files), so that
    previewing the demo never rewrites its snapshot.
    """
    return tuple(name for name in configured_sources(config) if name != "measurements" or
                 (config.jira is not None and config.jira.attachments))


def read_measurement_files(config: Config, week_end: dt.date, now: dt.datetime) -> Any:
    """The week's measurement snapshot read now, stored nowhere (None when none is configured).

    `preview` and `send --dry-run` render with it, so that they show the figures
    `send` would read, without touching the stored snapshot.
    """
    if "measurements" not in configured_sources(config):
        return None
    return _pull_measurements(config, week_end, now)


def pull_sources(config: Config, week_end: dt.date, now: dt.datetime,
                 names: tuple[str, ...] | None = None) -> tuple[SourceFailure, ...]:
    """Pull every configured source (or `names`) and store each snapshot; the ones that failed.

    A failing source leaves its previous snapshot as it was. The caller reports the
    failures (one line each), so that `send` can fold them into its one line. The
    time each source took goes to the debug log (`pull --debug`).
    """
    failed: list[SourceFailure] = []
    for name in configured_sources(config) if names is None else names:
        log.info("%s: pulling the week ending %s ...", name, week_end)
        started = time.perf_counter()
        try:
            value = _PULLERS[name](config, week_end, now)
        except ReporterError as exc:
            log.debug("%s: failed after %.3f s", name, time.perf_counter() - started)
            if not isinstance(exc, SourceError) and exc.exit_status == 2:
                raise  # configuration or input the user must fix: stop here, exit 2
            log.debug("%s failed", name, exc_info=True)
            failed.append(SourceFailure(name, str(exc)))
            continue
        path = snapshot.write_part(config.data_dir, week_end, name, value)
        log.debug("%s: pulled in %.3f s", name, time.perf_counter() - started)
        log.info("%s: stored %s", name, path)
    return tuple(failed)


def _pull_jira(config: Config, week_end: dt.date, now: dt.datetime) -> Any:
    from reporter.sources.jira import pull_jira

    return pull_jira(config, week_end, now)


def _pull_measurements(config: Config, week_end: dt.date, now: dt.datetime) -> Any:
    from reporter.model.cards import JiraSnapshot
    from reporter.sources.measurements import pull_measurements

    jira = snapshot.read_part(config.data_dir, week_end, "jira", JiraSnapshot)
    return pull_measurements(config, week_end, now, jira=jira)


def _pull_patches(config: Config, week_end: dt.date, now: dt.datetime) -> Any:
    from reporter.model.patches import PatchSnapshot
    from reporter.sources.patches import pull_patches

    before = snapshot.latest_before(config.data_dir, "patches", week_end)
    previous = (snapshot.read_part(config.data_dir, before, "patches", PatchSnapshot)
                if before else None)
    return pull_patches(config, week_end, now, previous=previous)


_PULLERS: dict[str, Callable[[Config, dt.date, dt.datetime], Any]] = {
    "jira": _pull_jira,
    "measurements": _pull_measurements,
    "patches": _pull_patches,
}
