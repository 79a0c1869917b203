"""The `jira-sync` command: write a sent week's comments and transitions to Jira, once.

`send` calls `after_send` here once the week is sent (or already sent), so both
commands write, retry and report Jira's part the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from typing import TYPE_CHECKING

from reporter.cli import add_week_argument

if TYPE_CHECKING:
    from reporter.cli import Context
    from reporter.deliver.jira_sync import SyncResult

log = logging.getLogger(__name__)

DRY_RUN_HEADER = "--- jira (dry run: nothing posted, nothing moved, nothing written) ---"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_week_argument(parser, "last")
    parser.add_argument("--dry-run", action="store_true",
                        help="show what would be posted and moved; write nothing")


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.errors import ConfigError

    config = ctx.config
    week_end = ctx.week(args.week, "last")
    if config.jira is None:
        raise ConfigError(f"{config.path}: no jira: section, so there is no Jira to write to",
                          hint="see config/example.yaml")
    if not config.jira.post_comments:
        raise ConfigError(f"{config.path}: jira.post_comments is not true, so reporter writes "
                          "nothing to Jira", hint="set jira.post_comments: true in the jira "
                          "section to post each sent week's bullets on its cards")
    result = _sync(ctx, week_end, dry_run=args.dry_run)
    if not result.outcomes:
        ctx.stdout.write(f"week ending {week_end}: nothing to write to Jira (no card has "
                         "bullets, findings or a status: of the week)\n")
    return show(ctx, result, verbose=True)


def after_send(ctx: Context, week_end: dt.date, *, dry_run: bool) -> int:
    """Jira's part of `send`, once the week is sent: 0, or 1 when a write failed.

    Under cron only failures print (one line per card on stderr); a person at a
    terminal, or a dry run, sees every card's line.
    """
    config = ctx.config
    if config.jira is None or not config.jira.post_comments:
        _warn_unused_status(ctx, week_end)
        return 0
    result = _sync(ctx, week_end, dry_run=dry_run)
    return show(ctx, result, verbose=ctx.interactive)


def _sync(ctx: Context, week_end: dt.date, *, dry_run: bool) -> SyncResult:
    from reporter.deliver.jira_sync import sync_week
    from reporter.report.jira_comment import week_plan

    return sync_week(ctx.config, week_end, week_plan(ctx.config, week_end), dry_run=dry_run)


def show(ctx: Context, result: SyncResult, *, verbose: bool) -> int:
    """Print the outcomes: failures on stderr, the rest on stdout when `verbose` or a dry run."""
    if result.dry_run and result.outcomes:
        ctx.stdout.write(DRY_RUN_HEADER + "\n")
    for outcome in result.outcomes:
        if outcome.failed:
            continue
        if verbose or result.dry_run:
            ctx.stdout.write(outcome.line + "\n")
            if outcome.body is not None:
                ctx.stdout.write("".join(f"    {line}".rstrip() + "\n"
                                         for line in outcome.body.split("\n")))
    for line in result.failure_lines():  # one per card, after what went well
        ctx.stderr.write(f"reporter: error: {line}\n")
    return result.exit_status


def _warn_unused_status(ctx: Context, week_end: dt.date) -> None:
    """`status:` in the notes asks for a transition, which needs the Jira writes turned on."""
    from reporter.errors import ReporterError
    from reporter.store.notes import load_week_notes

    try:
        notes = load_week_notes(ctx.config, week_end)
    except ReporterError:  # the send already said what is wrong with them, or did not need them
        return
    for section in notes.sections if notes else ():
        for card in section.cards:
            if card.status:
                log.warning("%s: `status: %s` in the notes is not applied: reporter writes to "
                            "Jira only with jira.post_comments: true", card.key, card.status)
