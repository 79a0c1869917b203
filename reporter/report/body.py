"""The email body of a week: its inputs read, composed and rendered (the one entry point)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from reporter.config import Config
from reporter.errors import no_notes_line
from reporter.report.compose import compose
from reporter.report.inputs import read_inputs
from reporter.report.render import render_body
from reporter.store.notes import notes_path

if TYPE_CHECKING:
    from reporter.model.findings import MeasurementSnapshot

log = logging.getLogger(__name__)


def build_email_body(config: Config, week_end: dt.date, *, stale: tuple[str, ...] = (),
                     quiet: bool = False, measurements: MeasurementSnapshot | None = None,
                     warn_no_notes: bool = True, caches: bool = True) -> str:
    """The email body for the week, from what is stored (and `measurements`, when given).

    Warnings (a card without a summary, a week without notes) go to the log; `quiet`
    demotes them to INFO, for a cron run that must print nothing when it succeeds.
    `caches=False` (a dry run, which writes nothing) uses no cache under data_dir.
    """
    warn = log.info if quiet else log.warning
    inputs = read_inputs(config, week_end, stale, measurements, caches=caches)
    if inputs.notes is None and warn_no_notes:
        warn("%s", no_notes_line(notes_path(config.data_dir, week_end), week_end))
    composed = compose(inputs)
    for warning in composed.warnings:
        warn("%s", warning)
    return render_body(composed.view, config.templates_dir,
                       config.cache_dir if caches else None)
