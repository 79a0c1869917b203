"""The email body of a week: its inputs read, composed and rendered (the one entry point)."""

from __future__ import annotations

import datetime as dt
import logging

from reporter.config import Config
from reporter.report.compose import compose
from reporter.report.inputs import read_inputs
from reporter.report.render import render_body
from reporter.store.notes import notes_path

log = logging.getLogger(__name__)


def build_email_body(config: Config, week_end: dt.date, *, stale: tuple[str, ...] = (),
                     quiet: bool = False) -> str:
    """The email body for the week, from what is stored.

    Warnings (a card without a summary, a week without notes) go to the log; `quiet`
    demotes them to INFO, for a cron run that must print nothing when it succeeds.
    """
    warn = log.info if quiet else log.warning
    inputs = read_inputs(config, week_end, stale)
    if inputs.notes is None:
        warn("no notes for the week ending %s (%s); run `reporter draft` to start them",
             week_end, notes_path(config.data_dir, week_end))
    composed = compose(inputs)
    for warning in composed.warnings:
        warn("%s", warning)
    return render_body(composed.view, config.templates_dir)
