"""The `send` command: pull, render and send the week's email exactly once."""

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
                        help="print the message, the envelope and the Jira writes "
                        "(jira.post_comments); pull, send and write nothing")
    parser.add_argument("--offline", action="store_true",
                        help="no pull: use the stored snapshots")
    parser.add_argument("--force", action="store_true",
                        help="resend a week that is sent, ambiguous or refused, with its "
                        "Message-ID")
    parser.add_argument("--allow-stale", action="store_true",
                        help="when a source fails, send with its last snapshot (the email "
                        "says so)")
    parser.add_argument("--allow-empty", action="store_true",
                        help="send a week that has no notes file (the harvested draft alone)")


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.deliver.send import SendOptions, send_week
    from reporter.report.body import build_email_body
    from reporter.report.render import check_template
    from reporter.sources.pull import pull_sources, read_measurement_files
    from reporter.store.events import load_events
    from reporter.store.notes import load_week_notes, note_weeks, notes_path

    config = ctx.config
    week_end = ctx.week(args.week, "last")
    # Everything the user wrote is checked before any pull or write (exit 2 on a fault).
    notes = load_week_notes(config, week_end)
    load_events(config.data_dir)
    caches = not args.dry_run  # a dry run writes nothing, not even a cache
    check_template(config.templates_dir, config.cache_dir if caches else None)
    weeks_with_notes = tuple(note_weeks(config))
    options = SendOptions(force=args.force, allow_stale=args.allow_stale,
                          offline=args.offline or args.dry_run, dry_run=args.dry_run,
                          allow_empty=args.allow_empty)
    # A dry run pulls nothing, but reads the measurement files as send would.
    fresh = read_measurement_files(config, week_end, ctx.now) if args.dry_run else None
    result = send_week(
        config, week_end, options, now=ctx.now,
        # Under cron a successful send prints nothing: warnings show on a terminal only.
        render=lambda stale: build_email_body(config, week_end, stale=stale,
                                              quiet=not ctx.interactive, measurements=fresh,
                                              warn_no_notes=args.dry_run, caches=caches),
        pull=lambda: pull_sources(config, week_end, ctx.now),
        missing_notes=None if notes is not None else notes_path(config.data_dir, week_end),
        weeks_with_notes=weeks_with_notes)
    if result.outcome == "dry-run":
        ctx.stdout.write(result.text)
    elif result.outcome == "already-sent" or ctx.interactive:
        ctx.stdout.write(result.text + "\n")
    # The email came first; Jira's part (jira.post_comments) never undoes it. Under cron
    # only failures print (one line per card on stderr); a terminal or a dry run sees all.
    from reporter.deliver.jira_sync import after_send, unused_statuses

    synced = after_send(config, week_end, dry_run=args.dry_run)
    if synced is None:
        for key, status in unused_statuses(config, week_end):
            log.warning("%s: `status: %s` in the notes is not applied: reporter writes to "
                        "Jira only with jira.post_comments: true", key, status)
        return 0
    out, err = synced.report(verbose=ctx.interactive)
    ctx.stdout.write(out)
    ctx.stderr.write(err)
    return synced.exit_status
