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
