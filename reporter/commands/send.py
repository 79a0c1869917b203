"""The `send` command: pull, render and send the week's email exactly once."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from reporter.cli import add_week_argument

if TYPE_CHECKING:
    from reporter.cli import Context


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
    from reporter.report.body import build_email_body
    from reporter.sources.pull import pull_sources

    config = ctx.config
    week_end = ctx.week(args.week, "last")
    options = SendOptions(force=args.force, allow_stale=args.allow_stale,
                          offline=args.offline or args.dry_run, dry_run=args.dry_run)
    result = send_week(
        config, week_end, options, now=ctx.now,
        # Under cron a successful send prints nothing: warnings show on a terminal only.
        render=lambda stale: build_email_body(config, week_end, stale=stale,
                                              quiet=not ctx.interactive),
        pull=lambda: pull_sources(config, week_end, ctx.now))
    if result.outcome == "dry-run":
        ctx.stdout.write(result.text)
    elif result.outcome == "already-sent" or ctx.interactive:
        ctx.stdout.write(result.text + "\n")
    return 0
