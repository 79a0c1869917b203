"""The `pull` command: refresh the week's snapshot from every configured source."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reporter.errors import ReporterError, SourceError
from reporter.model.sources import SourceFailure
from reporter.store import snapshot

if TYPE_CHECKING:
    from reporter.cli import Context

log = logging.getLogger("reporter")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from reporter.cli import add_week_argument

    add_week_argument(parser, "the next report due")


def run(ctx: Context, args: argparse.Namespace) -> int:
    week_end = ctx.week(args.week, "due")
    if not configured_sources(ctx):
        log.warning("no source is configured (jira, patches, measurements): nothing to pull")
        return 0
    failed = pull_sources(ctx, week_end)
    for failure in failed:
        log.error("%s", failure.reason)
    return 1 if failed else 0


def configured_sources(ctx: Context) -> tuple[str, ...]:
    config = ctx.config
    names = []
    if config.jira is not None:
        names.append("jira")
    if config.measurements or (config.jira is not None and config.jira.attachments):
        names.append("measurements")
    if config.patches is not None:
        names.append("patches")
    return tuple(names)


def live_sources(ctx: Context) -> tuple[str, ...]:
    """The sources behind a network (Jira, Patchwork and the list archive).

    `preview` pulls only when one is configured; measurement files alone are read
    by `pull` and `send`, so previewing the demo never rewrites its snapshot.
    """
    return tuple(name for name in configured_sources(ctx) if name != "measurements" or
                 (ctx.config.jira is not None and ctx.config.jira.attachments))


def pull_sources(ctx: Context, week_end: dt.date) -> tuple[SourceFailure, ...]:
    """Pull every configured source and store each snapshot; the ones that failed.

    A failing source leaves its previous snapshot as it was. The caller reports the
    failures (one line each), so that `send` can fold them into its one line.
    """
    config = ctx.config
    failed: list[SourceFailure] = []
    for name in configured_sources(ctx):
        log.info("%s: pulling the week ending %s ...", name, week_end)
        try:
            value = _PULLERS[name](ctx, week_end)
        except ReporterError as exc:
            if not isinstance(exc, SourceError) and exc.exit_status == 2:
                raise  # configuration or input the user must fix: stop here, exit 2
            log.debug("%s failed", name, exc_info=ctx.debug)
            failed.append(SourceFailure(name, str(exc)))
            continue
        path = snapshot.write_part(config.data_dir, week_end, name, value)
        log.info("%s: stored %s", name, path)
    return tuple(failed)


def _pull_jira(ctx: Context, week_end: dt.date) -> Any:
    from reporter.sources.jira import pull_jira

    return pull_jira(ctx.config, week_end, ctx.now)


def _pull_measurements(ctx: Context, week_end: dt.date) -> Any:
    from reporter.model.cards import JiraSnapshot
    from reporter.sources.measurements import pull_measurements

    jira = snapshot.read_part(ctx.config.data_dir, week_end, "jira", JiraSnapshot)
    return pull_measurements(ctx.config, week_end, ctx.now, jira=jira)


def _pull_patches(ctx: Context, week_end: dt.date) -> Any:
    from reporter.model.patches import PatchSnapshot
    from reporter.sources.patches import pull_patches

    before = snapshot.latest_before(ctx.config.data_dir, "patches", week_end)
    previous = (snapshot.read_part(ctx.config.data_dir, before, "patches", PatchSnapshot)
                if before else None)
    return pull_patches(ctx.config, week_end, ctx.now, previous=previous)


_PULLERS: dict[str, Callable[[Context, dt.date], Any]] = {
    "jira": _pull_jira,
    "measurements": _pull_measurements,
    "patches": _pull_patches,
}
