"""A card's history, week by week: status, bullets, findings and references (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reporter.model.cards import Card
from reporter.model.notes import WeekNotes
from reporter.report.refs import Numbering, Ref


@dataclass(frozen=True)
class WeekInputs:
    """What is stored about one week, as the reader found it."""

    week_end: dt.date
    notes: WeekNotes | None
    card: Card | None  # the card in that week's Jira snapshot
    findings: tuple[tuple[str, ...], ...] = ()
    ledger: str | None = None  # sending | sent | ambiguous
    archived: str | None = None  # the archive commit that holds the week


@dataclass(frozen=True)
class CardWeek:
    week_end: dt.date
    section: str | None  # where the notes list the card; None when they do not
    status: str | None
    previous_status: str | None  # when it differs from the week before in this history
    findings: tuple[tuple[str, ...], ...]
    bullets: tuple[str, ...]  # URLs replaced by [N], as in the email
    refs: tuple[Ref, ...]  # cited URLs, then the card's standing links
    ledger: str | None
    archived: str | None


@dataclass(frozen=True)
class CardHistory:
    key: str
    summary: str | None
    weeks: tuple[CardWeek, ...]  # newest first


def card_history(key: str, inputs: list[WeekInputs], since: dt.date | None = None
                 ) -> CardHistory:
    """The weeks that mention `key` (notes, Jira or findings), newest first, from `since` on."""
    ordered = sorted(inputs, key=lambda w: w.week_end)
    weeks: list[CardWeek] = []
    last_status: str | None = None
    summary: str | None = None
    for week in ordered:
        section, notes, links = _in_notes(week.notes, key)
        status = week.card.status if week.card else None
        if week.card is not None and week.card.summary:
            summary = week.card.summary
        mentioned = section is not None or week.card is not None or bool(week.findings)
        changed = last_status if status and last_status and status != last_status else None
        if status:
            last_status = status
        if not mentioned or (since is not None and week.week_end < since):
            continue
        refs = Numbering()
        bullets = tuple(refs.cite(text) for text in notes)
        for url in links:
            refs.number(url)
        weeks.append(CardWeek(week.week_end, section, status, changed, week.findings, bullets,
                              refs.take_new(), week.ledger, week.archived))
    return CardHistory(key, summary, tuple(reversed(weeks)))


def _in_notes(notes: WeekNotes | None, key: str
              ) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    for section in notes.sections if notes else ():
        for card in section.cards:
            if card.key == key:
                return section.title, card.notes, card.links
    return None, (), ()
