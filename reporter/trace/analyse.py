"""Runs a trace file through the two passes, the spike finding and the facts: the one
entry point of `reporter trace` and of a trace among the week's measurements."""

from __future__ import annotations

import logging
from pathlib import Path

from reporter.errors import UsageError
from reporter.trace.facts import cpu_facts
from reporter.trace.lines import format_ts
from reporter.trace.model import Analysis, Spike
from reporter.trace.scan import Index, events_between, index
from reporter.trace.spikes import Plan, TraceOptions, plans, victim_of
from reporter.trace.verdict import conclude, telling_facts

log = logging.getLogger(__name__)


def analyse_trace(path: Path, options: TraceOptions, *,
                  display_name: str | None = None) -> Analysis:
    """Every spike of the trace, explained. InputError for a file that is not a readable
    trace; UsageError for an `--at` outside it."""
    idx = index(path)
    if options.at_ns is not None:
        _check_at(idx, options.at_ns)
    spikes = tuple(explain(idx, plan, n, options)
                   for n, plan in enumerate(plans(idx, options), start=1))
    log.info("%s: %d spikes", path, len(spikes))
    return Analysis(display_name or path.name, idx.format, idx.start_ts, idx.end_ts, spikes)


def explain(idx: Index, plan: Plan, number: int, options: TraceOptions) -> Spike:
    """One spike: read its part of the trace, find the victim and t0, gather the facts."""
    events = events_between(idx, plan.read_from, plan.read_to)
    victim, t0, t0_from = None, plan.t0, "--at"
    if plan.mark is not None:
        victim, t0, t0_from = victim_of(events, plan.mark)
    w = plan.window_ns
    lo, hi = t0 - w, t0 + w
    cpu_ids = range(idx.cpus) if idx.cpus else ()
    cpus = cpu_facts(events, lo, hi, plan.gap_ns, cpu_ids)
    facts = telling_facts(cpus, victim, t0, lo, hi, plan.gap_ns)
    verdict = conclude(victim, cpus, events, t0, hi - lo, facts)
    if options.cpu is not None and victim is None:
        focus = [f for f in facts if f"cpu#{options.cpu} " in f.text]
        verdict = conclude(None, cpus, events, t0, hi - lo, focus) if focus else verdict
    return Spike(number, plan.mark, options.at_ns, t0, t0_from, w, plan.gap_ns, victim, cpus,
                 facts, verdict)


def _check_at(idx: Index, at_ns: int) -> None:
    start, end = idx.start_ts, idx.end_ts
    if start is not None and end is not None and not start <= at_ns <= end:
        raise UsageError(f"--at {format_ts(at_ns)} is outside the trace {idx.path}, which runs "
                         f"from {format_ts(start)} to {format_ts(end)}")
