"""A trace among the week's measurement files: its short form, as a Finding under the card."""

from __future__ import annotations

import logging
from pathlib import Path

from reporter.errors import InputError
from reporter.model.findings import Finding
from reporter.trace.analyse import analyse_trace
from reporter.trace.source import looks_like_trace
from reporter.trace.spikes import TraceOptions
from reporter.trace.wording import short_form

log = logging.getLogger(__name__)


def is_trace(path: Path) -> bool:
    """Whether the file (plain or gzip) is ftrace text; any other file is not a trace."""
    try:
        return looks_like_trace(path)
    except InputError:
        return False


def trace_finding(path: Path, *, card: str | None, label: str | None, name: str,
                  source: str | None) -> Finding:
    """The Finding whose `text` is the trace's short form (the worst spike's victim, its
    most telling facts and what they point to); `invalid` when it cannot be read."""
    title = "Trace" + (f", {label}" if label else "")
    try:
        analysis = analyse_trace(path, TraceOptions(), display_name=name)
    except InputError as exc:
        reason = exc.message.split(": ", 1)[-1]
        log.warning("measurements: %s (%s): %s", name, card, reason)
        return Finding(file=name, kind="trace", format="ftrace", card=card, label=label,
                       source=source, invalid=reason,
                       text=(f"{title} ({name}): the trace could not be read: {reason}",))
    marks = [s.mark for s in analysis.spikes if s.mark is not None]
    worst = max(marks, key=lambda m: m.latency_us) if marks else None
    return Finding(file=name, kind="trace", format=analysis.format, card=card, label=label,
                   source=source, spikes=len(analysis.spikes),
                   max_us=float(worst.latency_us) if worst else None,
                   threshold_us=float(worst.threshold_us) if worst else None,
                   text=short_form(analysis, label))
