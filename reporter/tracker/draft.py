"""Drafts the week's notes file: the latest earlier week carried forward, as checked text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from reporter.config import Config
from reporter.store.notes import load_week_notes, note_weeks, notes_path
from reporter.store.tracked import jira_view
from reporter.store.weekfile import check_text
from reporter.tracker.carry import Draft, carry_forward
from reporter.tracker.drafttext import draft_text


@dataclass(frozen=True)
class Drafted:
    path: Path
    draft: Draft
    text: str


def draft_week(config: Config, week_end: dt.date) -> Drafted:
    """The new notes file of `week_end`, carried from the latest earlier week with notes.

    Nothing is written; the text is checked with the notes reader first.
    """
    earlier = [w for w in note_weeks(config) if w < week_end]
    previous = load_week_notes(config, earlier[-1]) if earlier else None
    view = jira_view(config.data_dir, week_end, previous.card_keys() if previous else ())
    draft = replace(carry_forward(week_end, config.sections, previous, view.known, view.current),
                    jira_week=view.current_week)
    path = notes_path(config.data_dir, week_end)
    text = draft_text(draft)
    check_text(config, week_end, path, text)
    return Drafted(path, draft, text)
