"""Gathers the week's notes, snapshots and calendar, then composes and renders the body."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from reporter.calendar import calendar_lines
from reporter.compose import Inputs, Stale, compose
from reporter.deliver.ledger import last_sent_before
from reporter.model.cards import JiraSnapshot
from reporter.render import render_body
from reporter.store import snapshot
from reporter.store.events import load_events
from reporter.store.notes import load_week_notes, notes_path
from reporter.store.tracked import findings_by_card, jira_view, pulled_at

if TYPE_CHECKING:
    from reporter.cli import Context
    from reporter.config import Config

log = logging.getLogger("reporter")


def build_email_body(ctx: Context, week_end: dt.date, *, stale: tuple[str, ...] = (),
                     quiet: bool = False) -> str:
    """The email body for the week, from what is stored.

    Warnings (a card without a summary, a week without notes) go to the log; `quiet`
    demotes them to INFO, for a cron run that must print nothing when it succeeds.
    """
    config = ctx.config
    warn = log.info if quiet else log.warning
    notes = load_week_notes(config, week_end)
    if notes is None:
        warn("no notes for the week ending %s (%s); run `reporter draft` to start them",
                    week_end, notes_path(config.data_dir, week_end))
    jira = snapshot.read_part(config.data_dir, week_end, "jira", JiraSnapshot)
    baseline = _baseline_week(config, week_end)
    previous_jira = (snapshot.read_part(config.data_dir, baseline, "jira", JiraSnapshot)
                     if baseline else None)
    tracked = notes.card_keys() if notes else ()
    missing = [k for k in tracked if not _summary_in(jira, k)]
    inputs = Inputs(
        week_end=week_end,
        sections=config.sections,
        notes=notes,
        jira=jira,
        previous_jira=previous_jira,
        known_summaries=known_summaries(config, week_end, missing),
        standing_remote_links=bool(config.jira and config.jira.remote_links),
        findings=findings_by_card(config.data_dir, week_end),
        patch_entries=_patch_entries(config, week_end, baseline),
        calendar=calendar_lines(config.calendar, week_end, load_events(config.data_dir)),
        stale=tuple(Stale(name, pulled_at(config.data_dir, week_end, name)) for name in stale),
    )
    composed = compose(inputs)
    for warning in composed.warnings:
        warn("%s", warning)
    return render_body(composed.view, config.templates_dir)


def _summary_in(jira: JiraSnapshot | None, key: str) -> bool:
    card = jira.card(key) if jira else None
    return bool(card and card.summary)


def _baseline_week(config: Config, week_end: dt.date) -> dt.date | None:
    """The week to compare with: the last sent one, or the latest earlier pull if none was."""
    sent = last_sent_before(config.data_dir, week_end)
    if sent is not None:
        return sent
    return snapshot.latest_before(config.data_dir, "jira", week_end)


def known_summaries(config: Config, week_end: dt.date, keys: list[str]) -> dict[str, str]:
    """The last known summary of cards Jira did not return, from older snapshots."""
    if not keys:
        return {}
    known = jira_view(config.data_dir, week_end, keys).known
    return {key: card.summary for key, card in known.items() if key in keys and card.summary}


def _patch_entries(config: Config, week_end: dt.date,
                   baseline: dt.date | None) -> tuple[str, ...]:
    if config.patches is None or not snapshot.part_path(config.data_dir, week_end,
                                                        "patches").is_file():
        return ()
    from reporter.model.patches import PatchSnapshot
    from reporter.patchstatus import patch_entries

    current = snapshot.read_part(config.data_dir, week_end, "patches", PatchSnapshot)
    previous = (snapshot.read_part(config.data_dir, baseline, "patches", PatchSnapshot)
                if baseline else None)
    return patch_entries(current, previous, config.patches, week_end)
