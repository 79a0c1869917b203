"""The `note` command: add one bullet to a card, a section's misc list or the issues."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.errors import InputError, UsageError

if TYPE_CHECKING:
    from reporter.cli import Context
    from reporter.config import Config
    from reporter.model.notes import WeekNotes

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from reporter.cli import add_week_argument

    parser.usage = ("reporter note [--week W] KEY TEXT | --misc SECTION TEXT | --issue TEXT\n"
                    "(TEXT `-` reads the bullet from standard input; put `--` before a TEXT "
                    "that starts with `-`)")
    add_week_argument(parser, "this")
    parser.add_argument("--misc", metavar="SECTION",
                        help="add to the section's bullets that belong to no card")
    parser.add_argument("--issue", action="store_true", help="add to the week's issues")
    parser.add_argument("words", nargs="*", metavar="KEY TEXT",
                        help="the card and the bullet (several words are joined by spaces)")


@dataclass(frozen=True)
class Target:
    path: tuple[str, ...]  # mapping keys in the notes file down to the list
    label: str  # for messages: `STR-76 (Stratos)`, `misc of Stratos`, `issues`


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.store.notes import load_week_notes, notes_path
    from reporter.store.weekfile import notes_lock

    config = ctx.config
    key, text = _key_and_text(args)
    week_end = ctx.week(args.week, "this")
    path = notes_path(config.data_dir, week_end)
    # One writer at a time: twenty notes at once keep twenty bullets.
    with notes_lock(config.data_dir):
        if path.exists():
            notes = load_week_notes(config, week_end)
            target = _target(config, args, key, notes)
            _add_to_existing(config, week_end, target, text)
        else:
            if path.is_symlink():  # a link to a file that is gone: never replace the link
                raise InputError(f"{path}: a symbolic link to {os.readlink(path)}, which "
                                 "does not exist", hint="restore the file, or remove the link")
            target = _target(config, args, key, None)
            if not _add_to_new(config, week_end, target, text):
                # Created meanwhile by something that does not take the lock (an editor).
                raise InputError(f"{path}: appeared while the bullet was being added; "
                                 "nothing was changed", hint="run the same command again")
            log.info("%s did not exist: drafted it from the tracker first", path)
    from reporter.deliver.ledger import week_state

    if week_state(config.data_dir, week_end) == "sent":
        log.warning("the week ending %s was already sent: this bullet is not in the email "
                    "that went out", week_end)
    ctx.stdout.write(f"{path}: added a bullet to {target.label}\n")
    ctx.stdout.flush()
    return 0


def _key_and_text(args: argparse.Namespace) -> tuple[str | None, str]:
    words = list(args.words)
    if args.issue and args.misc is not None:
        raise UsageError("note: --issue and --misc go separately",
                         hint="reporter note --issue TEXT, or reporter note --misc SECTION TEXT")
    key = None
    if not args.issue and args.misc is None:
        if not words:
            raise UsageError("note: which card?", hint="reporter note KEY TEXT")
        key = words.pop(0).upper()
    if words == ["-"]:
        text = sys.stdin.read()
    else:
        text = " ".join(words)
    text = _tidy(text)
    if not text:
        raise UsageError("note: no text to add", hint="reporter note KEY \"what happened\"")
    return key, text


def _tidy(text: str) -> str:
    """Trailing spaces and leading or trailing blank lines go (the email has none)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _target(config: Config, args: argparse.Namespace, key: str | None,
            notes: WeekNotes | None) -> Target:
    from reporter.store.notes import CARD_KEY_RE

    titles = [s.title for s in config.sections]
    if args.issue:
        return Target(("issues",), "the issues")
    if args.misc is not None:
        title = _section_title(args.misc, titles)
        return Target(("sections", title, "misc"), f"the misc bullets of {title}")
    assert key is not None
    if not CARD_KEY_RE.match(key):
        raise UsageError(f"note: {key!r} is not a card key shaped like STR-76",
                         hint="reporter note KEY TEXT, --misc SECTION TEXT or --issue TEXT")
    for section in notes.sections if notes else ():
        if any(card.key == key for card in section.cards):
            return Target(("sections", section.title, "cards", key), f"{key} ({section.title})")
    configured = config.section_of(key)
    if configured is None:
        projects = ", ".join(config.projects) or "none"
        raise UsageError(f"note: {key} fits no configured section (projects: {projects})",
                         hint="add its project to a section in the configuration, or use "
                         "--misc SECTION")
    return Target(("sections", configured.title, "cards", key),
                  f"{key} ({configured.title}, new in the notes)")


def _section_title(name: str, titles: list[str]) -> str:
    if name in titles:
        return name
    folded = [t for t in titles if t.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise UsageError(f"note: section {name!r} is not configured",
                     hint=f"configured sections: {', '.join(map(repr, titles)) or 'none'}")


def _add_to_existing(config: Config, week_end: dt.date, target: Target, text: str) -> None:
    from reporter.store.notes import notes_path
    from reporter.store.weekfile import BOM, check_text, read_text, write_text

    path = notes_path(config.data_dir, week_end)
    old = read_text(path)
    bom = BOM if old.startswith(BOM) else ""
    new = bom + _append(path, old[len(bom):], target, text)
    check_text(config, week_end, path, new)
    write_text(path, new)


def _add_to_new(config: Config, week_end: dt.date, target: Target, text: str) -> bool:
    from reporter.store.weekfile import check_text, create_text
    from reporter.tracker.draft import draft_week

    drafted = draft_week(config, week_end)
    new = _append(drafted.path, drafted.text, target, text)
    check_text(config, week_end, drafted.path, new)
    return create_text(drafted.path, new)


def _append(path: Path, text: str, target: Target, bullet: str) -> str:
    from reporter.store.noteedit import EditError, append_bullet

    try:
        return append_bullet(text, target.path, bullet)
    except EditError as exc:
        raise InputError(f"{path}: cannot add the bullet to {target.label} in place: {exc}",
                         hint="add it by hand; nothing was changed") from None
