"""The wording of the week's Jira comment on each card, and the moves the notes ask for (pure).

A card gets a comment when the email shows, under it, the engineer's own bullets
or the week's measurement findings: the findings first, then the bullets, as the
email orders them, with references as their URLs instead of `[N]`. Text the email
took from Jira itself (the card's comments of the week, the status line) is never
written back, and a card with "No progress" gets nothing.
"""

from __future__ import annotations

import datetime as dt

from reporter.config import Config
from reporter.model.jira_writes import (
    CardComment,
    CardTransition,
    CommentBullet,
    Line,
    Span,
    WritePlan,
)
from reporter.model.notes import CardNotes, SectionNotes
from reporter.report.compose import Inputs, card_sort_key
from reporter.report.refs import split_urls


def plan_writes(inputs: Inputs) -> WritePlan:
    """Each card's comment and transition for the week, in the email's card order."""
    comments: list[CardComment] = []
    transitions: list[CardTransition] = []
    order: list[str] = []
    for notes in _cards(inputs):
        order.append(notes.key)
        bullets = [_bullet(tuple(lines)) for lines in inputs.findings.get(notes.key, ())]
        bullets += [_bullet(tuple(text.split("\n"))) for text in notes.notes]
        if bullets:
            comments.append(CardComment(notes.key, inputs.week_end, tuple(bullets)))
        if notes.status:
            transitions.append(CardTransition(notes.key, notes.status))
    return WritePlan(inputs.week_end, tuple(comments), tuple(transitions), tuple(order))


def week_plan(config: Config, week_end: dt.date, *, caches: bool = True) -> WritePlan:
    """The plan of the week from what is stored: the inputs the email is rendered from
    (`caches=False`: a dry run, which writes nothing)."""
    from reporter.report.inputs import read_inputs

    return plan_writes(read_inputs(config, week_end, caches=caches))


def _cards(inputs: Inputs) -> list[CardNotes]:
    """The email's cards: the file's in file order, then Jira's other cards of each section."""
    named = set(inputs.notes.card_keys()) if inputs.notes else set()
    out: list[CardNotes] = []
    for section in inputs.sections:
        notes = (inputs.notes.section(section.title) if inputs.notes else None) \
            or SectionNotes(section.title)
        out.extend(notes.cards)
        extra = {c.key for c in (inputs.jira.cards if inputs.jira else ())
                 if c.project in section.projects and c.key not in named}
        out.extend(CardNotes(key) for key in sorted(extra, key=card_sort_key))
    return out


def _bullet(lines: tuple[str, ...]) -> CommentBullet:
    return CommentBullet(tuple(_line(line.rstrip()) for line in lines))


def _line(text: str) -> Line:
    """The line's spans; a URL glued to a word (`patch<URL>`) gets a space on that side."""
    spans: list[Span] = []
    pieces = split_urls(text)
    for i, (piece, url) in enumerate(pieces):
        if url is None:
            spans.append(Span(piece))
            continue
        before = pieces[i - 1][0] if i else ""
        after = pieces[i + 1][0] if i + 1 < len(pieces) else ""
        if before and before[-1].isalnum():
            spans.append(Span(" "))
        spans.append(Span(url, url))
        if after and after[0].isalnum():
            spans.append(Span(" "))
    return tuple(spans)
