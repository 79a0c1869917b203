"""The local files: the due week's notes, a writable data_dir, a readable sent ledger."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from reporter.config import Config
from reporter.doctor.result import Check, fail, failed, ok, warn
from reporter.errors import ReporterError


def check_notes(config: Config, week_end: dt.date, today: dt.date) -> Check:
    """The week's notes file exists and reads; missing is a failure once the week is over."""
    from reporter.store.notes import load_week_notes, notes_path

    path = notes_path(config.data_dir, week_end)
    try:
        notes = load_week_notes(config, week_end)
    except ReporterError as exc:
        return failed("notes", exc)
    if notes is None:
        detail = f"no notes for the week ending {week_end} ({path})"
        fix = f"`reporter draft --week {week_end}` starts them"
        if week_end < today:
            return fail("notes", f"{detail}: `reporter send` would refuse the week", fix)
        return warn("notes", detail, fix)
    cards = len(notes.card_keys())
    return ok("notes", f"{path}: {cards} card{'s' if cards != 1 else ''}, "
              f"{len(notes.issues)} issue{'s' if len(notes.issues) != 1 else ''}")


def check_data_dir(config: Config) -> Check:
    """data_dir can be written (checked with access(2): nothing is written to find out)."""
    folder = config.data_dir
    if folder.is_dir():
        if os.access(folder, os.W_OK | os.X_OK):
            return ok("data_dir", f"{folder}: writable")
        return fail("data_dir", f"{folder}: not writable by this user",
                    "fix its permissions (or data_dir in the configuration)")
    if folder.exists():
        return fail("data_dir", f"{folder}: not a folder", "fix data_dir in the configuration")
    parent = _existing_parent(folder)
    if parent is not None and os.access(parent, os.W_OK | os.X_OK):
        return warn("data_dir", f"{folder}: does not exist yet; the first draft, note or pull "
                    "makes it", "`reporter draft` starts it with this week's notes")
    return fail("data_dir", f"{folder}: does not exist and cannot be made here",
                "fix data_dir in the configuration")


def check_ledger(config: Config) -> Check:
    """Every sent ledger file reads (a corrupt one stops `send`)."""
    from reporter.deliver.ledger import read_ledger

    folder = config.data_dir / "sent"
    weeks = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            week = dt.date.fromisoformat(path.stem)
        except ValueError:
            continue
        try:
            entry = read_ledger(config.data_dir, week)
        except ReporterError as exc:
            return failed("ledger", exc)
        if entry is not None:
            weeks.append((week, entry.state))
    if not weeks:
        return ok("ledger", f"{folder}: no week sent yet")
    sent = [w for w, state in weeks if state == "sent"]
    last = f"; last sent: the week ending {sent[-1]}" if sent else ""
    detail = f"{folder}: {len(weeks)} week{'s' if len(weeks) != 1 else ''} readable{last}"
    unsure = [w for w, state in weeks if state == "ambiguous"]
    if unsure:
        return warn("ledger", f"{detail}; the week ending {unsure[-1]} is ambiguous (handed "
                    "over, never confirmed)", "check whether it arrived; "
                    f"`reporter send --week {unsure[-1]} --force` resends it")
    return ok("ledger", detail)


def _existing_parent(path: Path) -> Path | None:
    for parent in path.parents:
        if parent.exists():
            return parent if parent.is_dir() else None
    return None
