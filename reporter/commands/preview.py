"""The `preview` command: print the email exactly as `send` would hand it over (minus Date)."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporter.cli import Context
    from reporter.model.findings import MeasurementSnapshot

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from reporter.cli import add_week_argument

    add_week_argument(parser, "the next report due")
    parser.add_argument("--offline", action="store_true",
                        help="render from the stored snapshot; do not pull")
    parser.add_argument("--edit", action="store_true",
                        help="open $EDITOR on the week's notes file, then show the email")
    parser.add_argument("--diff", action="store_true",
                        help="show a unified diff against the last sent week's email")


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.errors import no_notes_line
    from reporter.report.render import check_template
    from reporter.sources.pull import live_sources, pull_sources, read_measurement_files
    from reporter.store.events import load_events
    from reporter.store.notes import load_week_notes, notes_path

    config = ctx.config
    week_end = ctx.week(args.week, "due")
    path = notes_path(config.data_dir, week_end)
    if not args.edit:
        # What send refuses comes first, before any pull: bad input (exit 2) or no notes.
        if load_week_notes(config, week_end) is None:
            log.warning("%s", no_notes_line(path, week_end))
        load_events(config.data_dir)
        check_template(config.templates_dir, config.cache_dir)
    failed: tuple[str, ...] = ()
    fresh = None
    if not args.offline and live_sources(config):
        failures = pull_sources(config, week_end, ctx.now)
        for failure in failures:
            log.error("%s", failure.reason)
        failed = tuple(f.name for f in failures)
    elif not args.offline:
        # No network source: read the measurement files as send would, store nothing.
        fresh = read_measurement_files(config, week_end, ctx.now)
    if args.edit:
        from reporter.editor import edit_file
        from reporter.fsutil import make_dirs

        make_dirs(path.parent)
        edit_file(path)
    text = preview_text(ctx, week_end, failed, fresh, warn_no_notes=args.edit)
    if args.diff:
        text = diff_with_last_sent(ctx, week_end, text)
    ctx.stdout.write(text)
    ctx.stdout.flush()
    return 1 if failed else 0


def preview_text(ctx: Context, week_end: dt.date, stale: tuple[str, ...],
                 measurements: MeasurementSnapshot | None = None, *,
                 warn_no_notes: bool = True) -> str:
    """The message bytes `send` would hand over now, without the Date header, as text."""
    from reporter.report.body import build_email_body

    body = build_email_body(ctx.config, week_end, stale=stale, measurements=measurements,
                            warn_no_notes=warn_no_notes)
    mail = ctx.config.mail
    if mail is None:  # nothing to send with: show what there is
        from reporter.config import DEFAULT_SUBJECT

        return f"Subject: {DEFAULT_SUBJECT.format(week_end=week_end)}\n\n{body}"
    from reporter.deliver.message import build_message, message_bytes, week_message_id

    msg = build_message(mail, week_end=week_end, body=body,
                        message_id=week_message_id(mail, ctx.config.data_dir, week_end),
                        date=None)
    return message_bytes(msg).decode("utf-8", "replace")


def diff_with_last_sent(ctx: Context, week_end: dt.date, text: str) -> str:
    """A unified diff from the last week sent before `week_end` to `text` (both decoded)."""
    import difflib

    from reporter.deliver.ledger import last_sent_before, read_eml
    from reporter.deliver.message import readable_text

    earlier = last_sent_before(ctx.config.data_dir, week_end)
    if earlier is None:
        log.warning("no week before %s was sent: nothing to compare with", week_end)
        return text
    sent = read_eml(ctx.config.data_dir, earlier)
    if sent is None:
        log.warning("the week ending %s is recorded as sent, but its .eml is missing",
                    earlier)
        return text
    old = readable_text(sent).splitlines(keepends=True)
    new = readable_text(text.encode("utf-8")).splitlines(keepends=True)
    diff = difflib.unified_diff(old, new, f"sent/{earlier}.eml", f"preview/{week_end}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in diff)
