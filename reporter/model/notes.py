"""The engineer's notes for one week, and their personal events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CardNotes:
    key: str
    notes: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    summary: str | None = None  # the card's title when Jira does not give one
    status: str | None = None  # `status: Done`: the workflow transition to take after the send


@dataclass(frozen=True)
class SectionNotes:
    title: str
    note: str | None = None
    cards: tuple[CardNotes, ...] = ()
    misc: tuple[str, ...] = ()


@dataclass(frozen=True)
class WeekNotes:
    week_end: dt.date
    sections: tuple[SectionNotes, ...] = ()
    issues: tuple[str, ...] = ()

    def section(self, title: str) -> SectionNotes | None:
        for section in self.sections:
            if section.title == title:
                return section
        return None

    def card_keys(self) -> tuple[str, ...]:
        return tuple(c.key for s in self.sections for c in s.cards)


@dataclass(frozen=True)
class Event:
    first: dt.date
    last: dt.date  # == first for a one-day event
    text: str
