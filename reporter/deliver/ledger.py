"""The per-week sent ledger under data/sent/: what was sent, when, with which Message-ID."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from reporter.errors import InputError

STATES = ("sending", "sent", "ambiguous")


def ledger_path(data_dir: Path, week_end: dt.date) -> Path:
    return data_dir / "sent" / f"{week_end.isoformat()}.json"


def week_state(data_dir: Path, week_end: dt.date) -> str | None:
    """`sending`, `sent`, `ambiguous`, or None when the week was never handed to a transport."""
    path = ledger_path(data_dir, week_end)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the sent ledger: {exc.strerror}") from None
    try:
        doc = json.loads(raw)
        state = doc["state"]
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: corrupt sent ledger ({exc})",
            hint="restore the file from a backup; it is never read as 'nothing was sent'",
        ) from None
    return str(state)


def sent_weeks(data_dir: Path) -> list[dt.date]:
    """Weeks whose ledger says `sent`, oldest first."""
    folder = data_dir / "sent"
    weeks = []
    if folder.is_dir():
        for path in folder.glob("*.json"):
            try:
                week = dt.date.fromisoformat(path.stem)
            except ValueError:
                continue
            if week_state(data_dir, week) == "sent":
                weeks.append(week)
    return sorted(weeks)


def last_sent_before(data_dir: Path, week_end: dt.date) -> dt.date | None:
    """The latest week before `week_end` that was sent, or None."""
    earlier = [w for w in sent_weeks(data_dir) if w < week_end]
    return earlier[-1] if earlier else None
