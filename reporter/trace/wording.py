"""The breakdown as text, in the email's bullet style: `* ` bullets, `- ` items under them,
two-space continuation lines, 80 columns, times relative to t0 (`t0-3000`).

`breakdown` is what `reporter trace` prints; `short_form` is what goes under the card.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence

from reporter.trace.lines import format_ts
from reporter.trace.model import Analysis, CpuFacts, Spike, Victim, Wait
from reporter.trace.phrases import cpu, dur, plural, rel, task, times

WIDTH = 80
MAX_TASKS = 4
MAX_WORKS = 3
MAX_LISTED = 6
MIN_FACTS = 3  # the short form under the card gives three to five facts
ON_TIME_NS = 50_000  # a timer this little late came on time
_TOGETHER = re.compile(r"\d+ usecs > \d+")


def breakdown(a: Analysis, only_cpu: int | None = None) -> str:
    """The whole explanation of every spike (blank line between spikes)."""
    if not a.spikes:
        return "\n".join(wrap(no_spike(a), "", "  ")) + "\n"
    blocks = []
    for s in a.spikes:
        lines: list[str] = []
        lines += wrap(header(s, len(a.spikes)), "* ", "  ")
        for item in victim_items(s):
            lines += wrap(item, "  - ", "    ")
        for c in s.cpus:
            if only_cpu is not None and c.cpu != only_cpu:
                continue
            lines += wrap(cpu_title(c, s), "* ", "  ")
            for item in cpu_items(c, s):
                lines += wrap(item, "  - ", "    ")
        lines += wrap(f"Points to: {s.verdict}.", "* ", "  ")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def short_form(a: Analysis, label: str | None = None) -> tuple[str, ...]:
    """The lines under the card: the worst spike's victim and its most telling facts.

    Lines are already wrapped for a bullet (78 columns, items continued two spaces in).
    """
    title = "Trace" + (f", {label}" if label else "")
    if not a.spikes:
        return tuple(wrap(f"{title} ({a.file}): no latency spike (no cyclictest tracemark)",
                          "", "", WIDTH - 2))
    worst = max(a.spikes, key=lambda s: (s.mark.latency_us if s.mark else 0, -s.number))
    more = len(a.spikes) - 1
    what = spike_what(worst)
    others = f"; {plural(more, 'more spike')} in `reporter trace`" if more else ""
    width = WIDTH - 2  # under the card's "* "
    lines = wrap(f"{title} ({a.file}): {what}{others}:", "", "", width)
    facts = [f.text for f in worst.facts]
    items = list(victim_items(worst))[-1:] + facts + _secondary(worst, MIN_FACTS - len(facts))
    for item in items:
        lines += wrap(item, "- ", "  ", width)
    lines += wrap(f"Points to: {worst.verdict}.", "", "", width)
    return tuple(lines)


def _secondary(s: Spike, wanted: int) -> list[str]:
    """When fewer than MIN_FACTS facts stand out, the breakdown's next ones: the victim's
    CPU first (interrupts, softirqs, work, IPIs, timers; runs and gaps are already weighed
    as facts)."""
    if wanted <= 0:
        return []
    victim_cpu = s.victim.cpu if s.victim is not None else None
    out = []
    for c in sorted(s.cpus, key=lambda c: (c.cpu != victim_cpu, c.cpu)):
        out += [f"{cpu(c.cpu)} {item}" for item in cpu_items(c, s)
                if not item.startswith(("tasks:", "silent:"))]
    return out[:wanted]


def no_spike(a: Analysis) -> str:
    span = (f" (the trace runs from {format_ts(a.start_ts)} to {format_ts(a.end_ts)})"
            if a.start_ts is not None and a.end_ts is not None else "")
    return (f"No latency spike in {a.file}: no cyclictest tracemark (`hit latency "
            f"threshold`){span}; give --at TIMESTAMP to look at a moment.")


def spike_what(s: Spike) -> str:
    if s.mark is not None:
        name = s.victim.task.name if s.victim else f"{s.mark.comm}-{s.mark.pid}"
        return (f"{name} on {cpu(s.mark.cpu)}, {s.mark.latency_us} usecs > "
                f"{s.mark.threshold_us}")
    return f"the window at {format_ts(s.t0)}"


def header(s: Spike, count: int) -> str:
    number = f"Spike {s.number} of {count}" if count > 1 else "Spike"
    w = round(s.window_ns / 1000)
    where = {"timer": "when its timer was due",
             "tracemark": "the tracemark's time less the latency",
             "--at": "as given with --at"}[s.t0_from]
    mark = f" at {format_ts(s.mark.ts)}" if s.mark is not None else ""
    return (f"{number}{mark}: {spike_what(s)}; t0 = {format_ts(s.t0)}, {where}; window "
            f"t0-{w} to t0+{w}")


def victim_items(s: Spike) -> Iterable[str]:
    v = s.victim
    if v is None:
        return ()
    out = []
    if v.previous_ran is not None:
        out.append(f"at {rel(v.previous_ran, s.t0)} {v.task.name} ran for its previous "
                   f"period on {cpu(v.cpu)}")
    out.append(victim_line(v, s.t0))
    return out


def victim_line(v: Victim, t0: int) -> str:
    """`cyclictest-7534 (RT 90) on cpu#0 was due to wake at t0: its timer fired at t0+5
    and woke it, but it ran only at t0+7219`."""
    due = "was due to wake at t0" if v.due is not None else "was due to wake at about t0"
    text = f"{task(v.task)} on {cpu(v.cpu)} {due}"
    if v.fired is not None:
        where = f" on {cpu(v.fired_cpu)}" if v.fired_cpu not in (None, v.cpu) else ""
        text += f": its timer fired at {rel(v.fired, t0)}{where}"
        if v.woken is not None and rel(v.woken, t0) != rel(v.fired, t0):
            text += f" and woke it at {rel(v.woken, t0)}"
        elif v.woken is not None:
            text += " and woke it"
    elif v.woken is not None:
        text += f": it was woken at {rel(v.woken, t0)}"
    else:
        text += ": its wake-up is not in the trace"
    if v.ran is not None:
        return text + f", but it ran only at {rel(v.ran, t0)}"
    return text + ", and its run is not in the trace"


def cpu_title(c: CpuFacts, s: Spike) -> str:
    w = round(s.window_ns / 1000)
    if not c.events:
        return f"{cpu(c.cpu)}: no events from t0-{w} to t0+{w}"
    return f"{cpu(c.cpu)}, t0-{w} to t0+{w} ({plural(c.events, 'event')}):"


def cpu_items(c: CpuFacts, s: Spike) -> list[str]:
    t0 = s.t0
    out = []
    if c.hardirqs:
        longest = max(c.hardirqs, key=lambda h: h.longest_ns)
        extra = (f" (the longest: {longest.name}, {dur(longest.longest_ns)} at "
                 f"{rel(longest.longest_at, t0)})" if longest.longest_ns >= 20_000 else "")
        out.append("hard irqs: " + _listed(f"{h.name} {times(h.count)}" for h in c.hardirqs)
                   + extra)
    if c.softirqs:
        parts = []
        for q in c.softirqs:
            text = f"{q.name} raised {q.raised}, run {q.run}"
            if q.run and q.max_delay_ns >= max(s.gap_ns // 4, 50_000):
                text += (f", raise to run up to {dur(q.max_delay_ns)} ({rel(q.raised_at, t0)} "
                         f"to {rel(q.run_at, t0)}, in {q.run_by})")
            elif q.run:
                text += f", raise to run at most {dur(q.max_delay_ns)}"
            parts.append(text)
        out.append("softirqs: " + "; ".join(parts))
    out += _ksoftirqd_items(c, s)
    if c.tasks:
        shown = [f"{task(r.task)} {dur(r.total_ns)}" + (
            f" in {r.runs} runs" if r.runs > 1 else "") + (
            f" (longest {rel(r.longest_start, t0)} to {rel(r.longest_end, t0)}"
            + (", reschedule pending" if r.resched_pending and r.task.pid else "") + ")"
            if r.longest_ns >= s.gap_ns else "") for r in c.tasks[:MAX_TASKS]]
        rest = c.tasks[MAX_TASKS:]
        if rest:
            shown.append(f"{plural(len(rest), 'other')} "
                         f"{dur(sum(r.total_ns for r in rest))}")
        out.append("tasks: " + "; ".join(shown))
    if c.works:
        works = [_work(k, s) for k in c.works[:MAX_WORKS]]
        if len(c.works) > MAX_WORKS:
            works.append(plural(len(c.works) - MAX_WORKS, "more"))
        out.append("workqueue: " + "; ".join(works))
    ipis = []
    if c.ipis_sent:
        ipis.append("sent " + _listed(f"to {i.name} {times(i.count)}" for i in c.ipis_sent))
    if c.ipis_received:
        ipis.append("received " + _listed(f"{i.name} {times(i.count)}"
                                          for i in c.ipis_received))
    if ipis:
        out.append("IPIs: " + "; ".join(ipis))
    if c.timers:
        late = (f" (the latest {dur(c.max_timer_late_ns)} late)"
                if c.max_timer_late_ns >= 1000 else "")
        out.append("timers: " + _listed(f"{t.name} {times(t.count)}" for t in c.timers) + late)
    for g in c.gaps:
        why = ("; events were lost there" if g.lost else
               f"; the timer due then came {dur(g.late_timer_ns)} late"
               if g.late_timer_ns and g.late_timer_ns >= ON_TIME_NS else
               "; the timer due then came on time" if g.late_timer_ns is not None else "")
        out.append(f"silent: nothing recorded for {dur(g.end - g.start)}, "
                   f"{rel(g.start, t0)} to {rel(g.end, t0)}, while {task(g.current)} was "
                   f"current{why}")
    if c.lost_events:
        out.append(f"lost: {plural(c.lost_events, 'event')} in the window; the facts "
                   "above may miss some")
    return out


def _ksoftirqd_items(c: CpuFacts, s: Spike) -> list[str]:
    """One line per ksoftirqd thread: how often it was woken, its longest wait, and every
    wait as long as a silent gap."""
    out = []
    by_pid: dict[int, list[Wait]] = {}
    for wt in c.ksoftirqd:
        by_pid.setdefault(wt.task.pid, []).append(wt)
    end = s.t0 + s.window_ns
    for waits in by_pid.values():
        longest = max(waits, key=lambda wt: (wt.ran if wt.ran is not None else end) - wt.woken)
        text = (f"{longest.task.name}: woken {plural(len(waits), 'time')}, waited up to "
                f"{_wait(longest, s.t0)}")
        long_ones = [wt for wt in waits if wt is not longest and
                     (wt.ran if wt.ran is not None else end) - wt.woken >= s.gap_ns]
        if long_ones:
            text += "; also " + ", ".join(_wait(wt, s.t0) for wt in long_ones)
        out.append(text)
    return out


def _wait(wt: Wait, t0: int) -> str:
    if wt.ran is None:
        return f"from {rel(wt.woken, t0)} to past the window's end (not run)"
    return f"{dur(wt.ran - wt.woken)} ({rel(wt.woken, t0)} to {rel(wt.ran, t0)})"


def _work(k: object, s: Spike) -> str:
    from reporter.trace.model import Work

    assert isinstance(k, Work)
    t0, w = s.t0, s.window_ns
    start = rel(k.start, t0) if k.start is not None else f"before t0-{round(w / 1000)}"
    end = rel(k.end, t0) if k.end is not None else "still running"
    length = f" ({dur(k.end - k.start)})" if k.start is not None and k.end is not None else ""
    return f"{k.function}() on {k.worker.name}, {start} to {end}{length}"


def _listed(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) > MAX_LISTED:
        return ", ".join(items[:MAX_LISTED]) + f", {plural(len(items) - MAX_LISTED, 'more')}"
    return ", ".join(items)


def wrap(text: str, first: str, rest: str, width: int = WIDTH) -> list[str]:
    """`text` wrapped to `width` columns, first line after `first`, the others after `rest`.

    `N usecs > T` stays on one line.
    """
    kept = _TOGETHER.sub(lambda m: m.group(0).replace(" ", "\0"), text)
    lines = textwrap.wrap(kept, width=width, initial_indent=first, subsequent_indent=rest,
                          break_long_words=False, break_on_hyphens=False) or [first.rstrip()]
    return [line.replace("\0", " ") for line in lines]


def indented(lines: Sequence[str], prefix: str) -> list[str]:
    return [(prefix + line).rstrip() for line in lines]
