"""Carries the tracked cards, section notes and issues of one week into the next (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from reporter.config import Section
from reporter.model.cards import Card, JiraSnapshot
from reporter.model.notes import WeekNotes
from reporter.report.compose import card_sort_key


@dataclass(frozen=True)
class DraftCard:
    key: str
    links: tuple[str, ...] = ()  # standing links, kept from week to week
    summary: str | None = None  # the title given in the notes, kept too


@dataclass(frozen=True)
class DraftSection:
    title: str
    note: str | None
    cards: tuple[DraftCard, ...]


@dataclass(frozen=True)
class Dropped:
    key: str
    status: str | None


@dataclass(frozen=True)
class Draft:
    """A new week's notes before anything is written: every card still open, no bullets."""

    week_end: dt.date
    source_week: dt.date | None  # the notes it was carried from, None when started afresh
    sections: tuple[DraftSection, ...]
    issues: tuple[str, ...]
    dropped: tuple[Dropped, ...]  # closed in Jira
    added: tuple[str, ...]  # new in Jira
    jira_week: dt.date | None = None  # the stored Jira pull consulted, None when there is none

    def card_keys(self) -> tuple[str, ...]:
        return tuple(c.key for s in self.sections for c in s.cards)


def carry_forward(
    week_end: dt.date,
    sections: tuple[Section, ...],
    previous: WeekNotes | None,
    known: Mapping[str, Card],
    current: JiraSnapshot | None,
) -> Draft:
    """The draft of `week_end` from the previous week's notes and what Jira knows.

    `known` maps a card key to the card as the newest snapshot that has it saw it; a card
    that no snapshot knows is kept (Jira may be unconfigured or the card hidden from the
    query). `current` is the newest snapshot at or before the week: its open cards of a
    section's projects that the notes do not name yet are added, ordered by key.
    """
    named = set(previous.card_keys()) if previous else set()
    dropped: list[Dropped] = []
    added: list[str] = []
    out: list[DraftSection] = []
    for section in sections:
        before = previous.section(section.title) if previous else None
        cards: list[DraftCard] = []
        for card in before.cards if before else ():
            seen = known.get(card.key)
            if seen is not None and seen.is_done:
                dropped.append(Dropped(card.key, seen.status))
                continue
            cards.append(DraftCard(card.key, card.links, card.summary))
        new = sorted({c.key for c in (current.cards if current else ())
                      if c.project in section.projects and not c.is_done
                      and c.key not in named}, key=card_sort_key)
        cards.extend(DraftCard(key) for key in new)
        added.extend(new)
        out.append(DraftSection(section.title, before.note if before else None, tuple(cards)))
    return Draft(
        week_end=week_end,
        source_week=previous.week_end if previous else None,
        sections=tuple(out),
        issues=previous.issues if previous else (),
        dropped=tuple(dropped),
        added=tuple(added),
    )
