"""Turns notes, snapshots and last week into the email's view model (pure, no I/O)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from reporter.config import Section
from reporter.model.cards import Card, JiraSnapshot
from reporter.model.notes import CardNotes, SectionNotes, WeekNotes
from reporter.report.layout import card_header, is_loose, wrap_generated
from reporter.report.refs import Numbering
from reporter.report.view import CardView, ReportView, SectionView, TrailerView

NO_PROGRESS = "No progress"


@dataclass(frozen=True)
class Stale:
    source: str
    as_of: str | None  # when its last good snapshot was pulled


@dataclass(frozen=True)
class Inputs:
    """Everything the email is made of, gathered by the caller."""

    week_end: dt.date
    sections: tuple[Section, ...]
    notes: WeekNotes | None
    jira: JiraSnapshot | None = None
    previous_jira: JiraSnapshot | None = None  # the last sent week's (for status changes)
    known_summaries: Mapping[str, str] = field(default_factory=dict)  # from older snapshots
    jira_configured: bool = True  # False: the config has no jira section
    standing_remote_links: bool = False
    findings: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    patch_entries: tuple[str, ...] = ()
    calendar: tuple[str, ...] = ()
    stale: tuple[Stale, ...] = ()


@dataclass(frozen=True)
class Composed:
    view: ReportView
    warnings: tuple[str, ...]


def compose(inputs: Inputs) -> Composed:
    refs = Numbering()
    warnings: list[str] = []
    missing: list[str] = []  # cards without a summary: one warning for them all
    sections = tuple(_section(inputs, s, refs, missing) for s in inputs.sections)
    if missing:
        warnings.append(_missing_summaries(inputs, missing))
    patches = tuple(wrap_generated(refs.cite(entry)) for entry in inputs.patch_entries)
    patch_view = TrailerView("Patch status", patches, is_loose(patches), refs.take_new())
    issues = [refs.cite(text) for text in (inputs.notes.issues if inputs.notes else ())]
    issues.extend(wrap_generated(_stale_text(s)) for s in inputs.stale)
    issue_view = TrailerView("Issues", tuple(issues), is_loose(issues), refs.take_new())
    view = ReportView(sections, patch_view, issue_view, inputs.calendar)
    return Composed(view, tuple(warnings))


def _section(inputs: Inputs, section: Section, refs: Numbering,
             missing: list[str]) -> SectionView:
    notes = inputs.notes.section(section.title) if inputs.notes else None
    notes = notes or SectionNotes(section.title)
    note = refs.cite(notes.note) if notes.note is not None else None
    cards = [_card(inputs, card_notes, refs, missing) for card_notes in _cards_of(inputs,
                                                                                 section, notes)]
    misc = tuple(refs.cite(text) for text in notes.misc)
    return SectionView(section.title, note, tuple(cards), misc, is_loose(misc), refs.take_new())


def _cards_of(inputs: Inputs, section: Section, notes: SectionNotes) -> list[CardNotes]:
    """The file's cards in file order, then Jira's other cards of the section, by key."""
    listed = [c for c in notes.cards]
    named = set(inputs.notes.card_keys()) if inputs.notes else set()
    extra = [c.key for c in (inputs.jira.cards if inputs.jira else ())
             if c.project in section.projects and c.key not in named]
    listed.extend(CardNotes(key) for key in sorted(set(extra), key=card_sort_key))
    return listed


def card_sort_key(key: str) -> tuple[str, int]:
    project, _, number = key.partition("-")
    return (project, int(number) if number.isdigit() else 0)


def _card(inputs: Inputs, notes: CardNotes, refs: Numbering, missing: list[str]) -> CardView:
    card = inputs.jira.card(notes.key) if inputs.jira else None
    # Jira's title first; the notes' own `summary:`; then the last one a snapshot saw.
    summary = (card.summary if card and card.summary else None) or notes.summary \
        or inputs.known_summaries.get(notes.key)
    if not summary:
        missing.append(notes.key)
    bullets: list[str] = []
    status = _status_change(card, inputs.previous_jira)
    if status:
        bullets.append(status)
    for lines in inputs.findings.get(notes.key, ()):
        bullets.append(wrap_generated("\n".join(lines)))
    if notes.notes:
        bullets.extend(refs.cite(text) for text in notes.notes)
    elif card is not None and card.comments:
        bullets.extend(wrap_generated(refs.cite(_comment_text(c.body, c.author, c.mine)))
                       for c in card.comments)
    if not bullets:
        bullets.append(NO_PROGRESS)
    links = list(notes.links)
    if inputs.standing_remote_links and card is not None:
        links.extend(link.url for link in card.remote_links)
    for url in links:
        refs.number(url)
    return CardView(card_header(notes.key, summary), tuple(bullets), is_loose(bullets))


def _missing_summaries(inputs: Inputs, keys: list[str]) -> str:
    """One warning for every card without a summary, saying why there is none."""
    one = len(keys) == 1
    them = "it" if one else "them"
    if inputs.jira is not None:
        why = (f"Jira did not return the card{'' if one else 's'} and no earlier snapshot "
               f"has {them}")
    elif inputs.jira_configured:
        why = f"no Jira pull is stored for the week and no earlier snapshot has {them}"
    else:
        why = "no Jira is configured"
    shown = "the header shows the key alone" if one else "the headers show the keys alone"
    return (f"{', '.join(keys)}: no summary ({why}); {shown}; a card's title can be given "
            "in the notes: KEY: {summary: TITLE, notes: [...]}")


def _status_change(card: Card | None, previous: JiraSnapshot | None) -> str | None:
    """From the week's changelog when it has transitions, else against the last report."""
    before = previous.card(card.key) if card is not None and previous is not None else None
    if card is not None and card.status_changes:
        path = [card.status_changes[0].from_status]
        for change in card.status_changes:
            if change.to_status != path[-1]:
                path.append(change.to_status)
        also = (f"; last report: {before.status}"
                if before and before.status and before.status != path[0] else "")
        return f"Status: {' -> '.join(path)}{also}" if len(path) > 1 else None
    if card is None or before is None or not card.status:
        return None
    if not before.status or before.status == card.status:
        return None
    return f"Status: {before.status} -> {card.status}"


def _comment_text(body: str, author: str, mine: bool) -> str:
    text = re.sub(r"\n{3,}", "\n\n", body.strip("\n"))
    return text if mine else f"{author}: {text}"


def _stale_text(stale: Stale) -> str:
    when = f" as of {stale.as_of}" if stale.as_of else " (no earlier snapshot)"
    return f"The {stale.source} data in this report is stale{when}: the last pull failed."
