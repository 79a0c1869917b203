"""The `draft` command: start the week's notes file from the last week that has one."""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporter.cli import Context
    from reporter.tracker.carry import Draft

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from reporter.cli import add_week_argument

    add_week_argument(parser, "this")
    parser.add_argument("--edit", action="store_true",
                        help="open the file in $EDITOR afterwards (also when it already exists)")


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Create the file, or leave an existing one alone; either way print its path.

    An existing file is not an error: the user asked for "this week's notes file" and it is
    there, so `reporter draft --edit` doubles as "open this week's notes" and a cron line
    `reporter send && reporter draft` may run twice. The file is checked all the same, so a
    broken file is reported (exit 2) instead of being silently accepted.
    """
    from reporter.editor import edit_file
    from reporter.store.notes import load_week_notes, notes_path
    from reporter.store.weekfile import create_text
    from reporter.tracker.draft import draft_week

    config = ctx.config
    week_end = ctx.week(args.week, "this")
    path = notes_path(config.data_dir, week_end)
    drafted = None if path.exists() else draft_week(config, week_end)
    if drafted is not None and create_text(path, drafted.text):
        _log_draft(drafted.draft)
    else:
        log.info("%s already exists; left as it is", path)
        if not args.edit:
            load_week_notes(config, week_end)  # broken: exit 2 (--edit opens it to be fixed)
    ctx.stdout.write(f"{path}\n")
    ctx.stdout.flush()
    if args.edit:
        edit_file(path)
    if args.edit:
        load_week_notes(config, week_end)  # what the editor left must still be valid
    return 0


def _log_draft(draft: Draft) -> None:
    origin = f"the week ending {draft.source_week}" if draft.source_week else "the configuration"
    if draft.jira_week is not None:
        origin += f" and the Jira pull of the week ending {draft.jira_week}"
    log.info("drafted from %s: %d cards", origin, len(draft.card_keys()))
    for dropped in draft.dropped:
        log.info("dropped %s: %s in Jira", dropped.key, dropped.status or "closed")
    for key in draft.added:
        log.info("added %s: new in Jira", key)
