"""How long each tracked card has gone without a note, counted in weeks (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from reporter.model.notes import WeekNotes


@dataclass(frozen=True)
class Progress:
    key: str
    last_noted: dt.date | None  # the newest week whose notes have bullets for the card
    tracked_since: dt.date | None  # the first week of its latest unbroken run in the notes

    def idle_weeks(self, this_week: dt.date) -> int:
        """Ended weeks since the last note: 0 when noted this week or last week.

        A card never noted counts every ended week since it was first tracked.
        """
        last_week = this_week - dt.timedelta(days=7)
        if self.last_noted is not None:
            return max(0, (last_week - self.last_noted).days // 7)
        if self.tracked_since is None or self.tracked_since > last_week:
            return 0
        return (last_week - self.tracked_since).days // 7 + 1

    def describe(self, this_week: dt.date) -> str:
        idle = self.idle_weeks(this_week)
        if idle:
            return f"no progress for {idle} week{'s' if idle != 1 else ''}"
        if self.last_noted is not None and self.last_noted >= this_week:
            return "noted this week"
        if self.last_noted is not None:
            return "noted last week"
        return "new this week"


def progress_of(keys: Iterable[str], newest_first: Iterable[WeekNotes]) -> dict[str, Progress]:
    """Walk the notes back from the newest week until each key's last note is found.

    A card stops being looked for at its first week with bullets, or at the first week
    whose notes do not name it (the start of its current run in the notes).
    """
    pending = set(keys)
    noted: dict[str, dt.date] = {}
    since: dict[str, dt.date] = {}
    for notes in newest_first:
        if not pending:
            break
        cards = {c.key: c for s in notes.sections for c in s.cards}
        for key in list(pending):
            card = cards.get(key)
            if card is None:
                if key in since:
                    pending.discard(key)  # the run in the notes started after this week
                continue
            since[key] = notes.week_end
            if card.notes:
                noted[key] = notes.week_end
                pending.discard(key)
    return {key: Progress(key, noted.get(key), since.get(key)) for key in keys}
