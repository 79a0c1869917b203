"""The `send` command: pull, render and send the week's email exactly once."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from reporter.cli import add_week_argument

if TYPE_CHECKING:
    from reporter.cli import Context
    from reporter.model.sources import SourceFailure


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_week_argument(parser, "last")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the message and the envelope; pull, send and write nothing")
    parser.add_argument("--offline", action="store_true",
                        help="no pull: use the stored snapshots")
    parser.add_argument("--force", action="store_true",
                        help="resend a week that is sent or ambiguous, with its Message-ID")
    parser.add_argument("--allow-stale", action="store_true",
                        help="when a source fails, send with its last snapshot (the email "
                        "says so)")


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.deliver.send import SendOptions, send_week

    week_end = ctx.week(args.week, "last")
    options = SendOptions(force=args.force, allow_stale=args.allow_stale,
                          offline=args.offline or args.dry_run, dry_run=args.dry_run)
    return send_week(ctx, week_end, options,
                     render=lambda stale: _render(ctx, week_end, stale),
                     pull=lambda: _pull(ctx, week_end))


def _render(ctx: Context, week_end: dt.date, stale: tuple[str, ...]) -> str:
    from reporter.report import build_email_body

    # Under cron a successful send prints nothing: warnings show on a terminal only.
    return build_email_body(ctx, week_end, stale=stale, quiet=not ctx.interactive)


def _pull(ctx: Context, week_end: dt.date) -> tuple[SourceFailure, ...]:
    from reporter.commands.pull import pull_sources

    return pull_sources(ctx, week_end)
