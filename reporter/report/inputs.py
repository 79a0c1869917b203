"""Reads the week's inputs for compose: notes, snapshots, last week's, events and findings."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.config import Config
from reporter.deliver.ledger import last_sent_before
from reporter.model.cards import JiraSnapshot
from reporter.report.calendar import calendar_lines
from reporter.report.compose import Inputs, Stale
from reporter.store import snapshot
from reporter.store.events import load_events
from reporter.store.notes import load_week_notes
from reporter.store.tracked import jira_view, pulled_at
from reporter.timefmt import human_stamp

if TYPE_CHECKING:
    from reporter.model.findings import MeasurementSnapshot

log = logging.getLogger(__name__)


def read_inputs(config: Config, week_end: dt.date, stale: tuple[str, ...] = (),
                measurements: MeasurementSnapshot | None = None, *,
                caches: bool = True) -> Inputs:
    """Everything compose needs for the week, from what is stored under data_dir.

    `measurements`, when given, is the week's measurement snapshot as just read from
    the files (by a preview or a dry run, which store nothing) instead of the stored one.
    `caches=False` (a dry run) neither reads nor writes the holiday tables' cache.
    """
    notes = load_week_notes(config, week_end)
    jira = snapshot.read_part(config.data_dir, week_end, "jira", JiraSnapshot)
    baseline = baseline_week(config, week_end)
    previous_jira = (snapshot.read_part(config.data_dir, baseline, "jira", JiraSnapshot)
                     if baseline else None)
    tracked = notes.card_keys() if notes else ()
    missing = [k for k in tracked if not _summary_in(jira, k)]
    return Inputs(
        week_end=week_end,
        sections=config.sections,
        notes=notes,
        jira=jira,
        previous_jira=previous_jira,
        known_summaries=known_summaries(config, week_end, missing),
        jira_configured=config.jira is not None,
        standing_remote_links=bool(config.jira and config.jira.remote_links),
        findings=findings_by_card(config.data_dir, week_end, measurements),
        patch_entries=_patch_entries(config, week_end, baseline),
        calendar=calendar_lines(config.calendar, week_end, load_events(config.data_dir),
                                cache_dir=config.cache_dir if caches else None),
        stale=tuple(Stale(name, human_stamp(pulled_at(config.data_dir, week_end, name),
                                            config.tz)) for name in stale),
    )


def _summary_in(jira: JiraSnapshot | None, key: str) -> bool:
    card = jira.card(key) if jira else None
    return bool(card and card.summary)


def baseline_week(config: Config, week_end: dt.date) -> dt.date | None:
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


def findings_by_card(data_dir: Path, week_end: dt.date,
                     current: MeasurementSnapshot | None = None,
                     ) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The week's findings as the email words them (with last week's figures), by card."""
    if current is None and not snapshot.part_path(data_dir, week_end,
                                                  "measurements").is_file():
        return {}
    from reporter.model.findings import MeasurementSnapshot
    from reporter.report.findings import finding_lines, previous_finding

    if current is None:
        current = snapshot.read_part(data_dir, week_end, "measurements", MeasurementSnapshot)
    last = snapshot.read_part(data_dir, week_end - dt.timedelta(days=7), "measurements",
                              MeasurementSnapshot)
    out: dict[str, list[tuple[str, ...]]] = {}
    for finding in current.findings if current else ():
        if finding.card is None:  # `reporter measure` figures; no card to go under
            continue
        out.setdefault(finding.card, []).append(
            finding_lines(finding, previous_finding(finding, last)))
    return {key: tuple(value) for key, value in out.items()}


def _patch_entries(config: Config, week_end: dt.date,
                   baseline: dt.date | None) -> tuple[str, ...]:
    if config.patches is None or not snapshot.part_path(config.data_dir, week_end,
                                                        "patches").is_file():
        return ()
    from reporter.model.patches import PatchSnapshot
    from reporter.report.patch_entries import patch_entries

    current = snapshot.read_part(config.data_dir, week_end, "patches", PatchSnapshot)
    previous = (snapshot.read_part(config.data_dir, baseline, "patches", PatchSnapshot)
                if baseline else None)
    return patch_entries(current, previous, config.patches, week_end)
