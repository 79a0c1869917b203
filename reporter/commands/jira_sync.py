"""The `jira-sync` command: write a sent week's comments and transitions to Jira, once."""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from reporter.cli import add_week_argument

if TYPE_CHECKING:
    from reporter.cli import Context

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_week_argument(parser, "last")
    parser.add_argument("--dry-run", action="store_true",
                        help="show what would be posted and moved; write nothing")


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.deliver.jira_sync import after_send
    from reporter.errors import ConfigError

    config = ctx.config
    week_end = ctx.week(args.week, "last")
    if config.jira is None:
        raise ConfigError(f"{config.path}: no jira: section, so there is no Jira to write to",
                          hint="see `reporter init --print`")
    result = after_send(config, week_end, dry_run=args.dry_run)
    if result is None:
        raise ConfigError(f"{config.path}: jira.post_comments is not true, so reporter writes "
                          "nothing to Jira", hint="set jira.post_comments: true in the jira "
                          "section to post each sent week's bullets on its cards")
    if not result.outcomes:
        ctx.stdout.write(f"week ending {week_end}: nothing to write to Jira (no card has "
                         "bullets, findings or a status: of the week)\n")
    out, err = result.report(verbose=True)
    ctx.stdout.write(out)
    ctx.stderr.write(err)
    return result.exit_status
