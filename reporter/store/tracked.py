"""Reads past weeks' stored snapshots: each card's newest state, and when each source was pulled."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reporter.model.cards import Card, JiraSnapshot
from reporter.store import snapshot

log = logging.getLogger(__name__)

SOURCES = ("jira", "measurements", "patches")


@dataclass(frozen=True)
class JiraView:
    """The newest snapshot at or before a week, and each card as the newest snapshot saw it."""

    current: JiraSnapshot | None
    current_week: dt.date | None
    known: dict[str, Card]
    known_week: dict[str, dt.date]


def jira_view(data_dir: Path, week_end: dt.date, keys: Iterable[str]) -> JiraView:
    """Walk the Jira snapshots back from `week_end` until every key in `keys` is found.

    The newest snapshot decides for the cards it returns; a card it does not return
    (Jira's default query drops a card a week after it closed) is looked up further back.
    """
    weeks = [w for w in snapshot.weeks_with(data_dir, "jira") if w <= week_end]
    wanted = set(keys)
    current: JiraSnapshot | None = None
    current_week: dt.date | None = None
    known: dict[str, Card] = {}
    known_week: dict[str, dt.date] = {}
    for week in reversed(weeks):
        snap = snapshot.read_part(data_dir, week, "jira", JiraSnapshot)
        if snap is None:
            continue
        if current is None:
            current, current_week = snap, week
        for card in snap.cards:
            if card.key not in known:
                known[card.key] = card
                known_week[card.key] = week
        if wanted <= known.keys():
            break
    return JiraView(current, current_week, known, known_week)


def pulled_at(data_dir: Path, week_end: dt.date, source: str) -> str | None:
    """The `pulled_at` stamp of a stored part, read without knowing the source's classes."""
    path = snapshot.part_path(data_dir, week_end, source)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        value = doc["data"]["pulled_at"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("%s: no readable pulled_at", path)
        return None
    return str(value) if value else None


def last_pull(data_dir: Path, source: str) -> tuple[dt.date, str | None] | None:
    """The newest week with a stored pull of `source`, and when that pull ran."""
    weeks = snapshot.weeks_with(data_dir, source)
    if not weeks:
        return None
    return weeks[-1], pulled_at(data_dir, weeks[-1], source)
