"""The `pull` command: refresh the week's snapshot from every configured source."""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporter.cli import Context

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from reporter.cli import add_week_argument

    add_week_argument(parser, "the next report due")


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.sources.pull import configured_sources, pull_sources

    week_end = ctx.week(args.week, "due")
    if not configured_sources(ctx.config):
        log.warning("no source is configured (jira, patches, measurements): nothing to pull")
        return 0
    failed = pull_sources(ctx.config, week_end, ctx.now)
    for failure in failed:
        log.error("%s", failure.reason)
    return 1 if failed else 0
