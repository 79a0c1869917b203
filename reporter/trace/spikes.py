"""Finds each spike: from cyclictest's tracemark or `--at`, its window, the victim's timer,
wake-up and run, and t0 (the moment the victim should have woken)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reporter.trace import fields
from reporter.trace.lines import Event
from reporter.trace.model import Task, Victim
from reporter.trace.scan import Index, Mark

MIN_WINDOW_US = 1000
AT_WINDOW_US = 5000  # --at has no latency to size the window by
MIN_GAP_US = 50
MARGIN_NS = 1_000_000  # read this much more than the window, for t0's refinement
TIMER_TO_WAKE_NS = 100_000  # a wake-up this soon after a timer expired came from it
US = 1000


@dataclass(frozen=True)
class TraceOptions:
    window_us: float | None = None  # the half-width W of [t0-W, t0+W]
    at_ns: int | None = None  # --at: the spike's time, instead of the tracemarks
    cpu: int | None = None  # --cpu: the CPU to show (and, with --at, the victim's CPU)
    gap_us: float | None = None  # silent gaps longer than this are shown


@dataclass(frozen=True)
class Plan:
    """A spike to explain, and the part of the trace to read for it."""

    mark: Mark | None
    t0: int  # the first guess; refined from the victim's timer once events are read
    window_ns: int
    gap_ns: int
    read_from: int
    read_to: int


def plans(idx: Index, options: TraceOptions) -> list[Plan]:
    """One plan per tracemark, or one for `--at`."""
    if options.at_ns is not None:
        w = _window_ns(None, options)
        return [_plan(None, options.at_ns, options.at_ns, w, options)]
    out = []
    for mark in idx.marks:
        w = _window_ns(mark.latency_us, options)
        out.append(_plan(mark, mark.ts - mark.latency_us * US, mark.ts, w, options))
    return out


def _plan(mark: Mark | None, t0: int, last: int, w: int, options: TraceOptions) -> Plan:
    gap = int(options.gap_us * US) if options.gap_us else max(MIN_GAP_US * US, w // 4)
    return Plan(mark, t0, w, gap, t0 - 2 * w - MARGIN_NS, max(last, t0 + w) + MARGIN_NS)


def _window_ns(latency_us: int | None, options: TraceOptions) -> int:
    if options.window_us:
        return int(options.window_us * US)
    if latency_us is None:
        return AT_WINDOW_US * US
    return max(MIN_WINDOW_US, 2 * latency_us) * US


def victim_of(events: Sequence[Event], mark: Mark) -> tuple[Victim, int, str]:
    """The victim of a tracemark, t0 and where t0 came from (`timer` or `tracemark`).

    The victim is the thread that wrote the mark. Walking back from the mark: the
    sched_switch that ran it, the wake-up before that, the timer expiry that woke it
    (hrtimer_expire_entry, `now=`) and that timer's hrtimer_start (`expires=`): the
    timer was due at the expiry's trace time minus (now - expires).
    """
    pid = mark.pid
    prio: int | None = None
    comm = mark.comm
    ran = previous = woken = last_in = None
    starts: dict[str, int] = {}  # the victim's hrtimer -> expires
    expiry: dict[int, tuple[int, str, int]] = {}  # cpu -> the last hrtimer_wakeup expiry
    fired: tuple[int, str, int, int] | None = None  # (ts, hrtimer, now, cpu)
    asleep = False
    for e in events:
        if e.ts > mark.ts:
            break
        name = e.name
        if name == "sched_switch":
            sw = fields.switch(e)
            if sw is None:
                continue
            if sw.next_pid == pid:
                prio, comm, last_in = sw.next_prio, sw.next_comm, e.ts
                if ran is None:
                    ran = e.ts
                asleep = False
            elif sw.prev_pid == pid and not sw.prev_state.startswith("R"):
                previous = ran if ran is not None else last_in  # it ran, then slept again
                ran = woken = fired = None
                asleep = True
        elif name in ("sched_waking", "sched_wakeup"):
            wk = fields.wakeup(e)
            if wk is not None and wk.pid == pid and asleep and woken is None:
                woken = e.ts
                last = expiry.get(e.cpu)
                if last is not None and e.ts - last[0] <= TIMER_TO_WAKE_NS:
                    fired = (last[0], last[1], last[2], e.cpu)
        elif name == "hrtimer_start" and e.pid == pid:
            kv = fields.keyvals(e)
            if kv.get("function") == "hrtimer_wakeup" and kv.get("expires", "").isdigit():
                starts[kv.get("hrtimer", "")] = int(kv["expires"])
        elif name == "hrtimer_expire_entry":
            kv = fields.keyvals(e)
            if kv.get("function") == "hrtimer_wakeup" and kv.get("now", "").isdigit():
                expiry[e.cpu] = (e.ts, kv.get("hrtimer", ""), int(kv["now"]))
    due = None
    if fired is not None and fired[1] in starts:
        due = fired[0] - (fired[2] - starts[fired[1]])
    guess = mark.ts - mark.latency_us * US
    tolerance = max(mark.latency_us * US // 2, 200 * US)
    if due is not None and abs(due - guess) <= tolerance:
        t0, source = due, "timer"
    else:
        t0, source, due = guess, "tracemark", None
    victim = Victim(
        task=Task(comm, pid, prio), cpu=mark.cpu, due=due,
        fired=fired[0] if fired else None, fired_cpu=fired[3] if fired else None,
        woken=woken, ran=ran, previous_ran=previous if previous is not None
        and previous < t0 else None, latency_us=mark.latency_us)
    return victim, t0, source
