"""The per-CPU facts of a window: interrupts, softirqs, ksoftirqd delays, tasks, workqueue
functions, IPIs, timers and silent gaps, from the events around it.

The events read start before the window (a lead-in as long as the window) so that
what was already running, pending or waiting when the window opens is known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reporter.trace import fields
from reporter.trace.lines import LOST, STARTED, Event
from reporter.trace.model import Counted, CpuFacts, Gap, Run, Softirq, Task, Wait, Work

TIMER_AFTER_GAP_NS = 50_000  # a timer interrupt this soon after a gap is what ended it
_KSOFTIRQD_RE = re.compile(r"ksoftirqd/(\d+)$")


@dataclass
class _Count:
    count: int = 0
    first: int = 0
    longest: int = 0
    longest_at: int = 0

    def add(self, ts: int) -> None:
        if self.count == 0:
            self.first = ts
        self.count += 1

    def timed(self, start: int, duration: int) -> None:
        if duration > self.longest:
            self.longest, self.longest_at = duration, start


@dataclass
class _Soft:
    raised: int = 0
    run: int = 0
    max_delay: int = -1
    raised_at: int = 0
    run_at: int = 0
    run_by: str = ""
    total: int = 0


@dataclass
class _Runs:
    comm: str
    total: int = 0
    longest: int = 0
    start: int = 0
    end: int = 0
    runs: int = 0
    resched: bool = False


@dataclass
class _Gap:
    start: int
    end: int
    cur: tuple[str, int]
    lost: bool
    late: int | None = None


@dataclass
class _Cpu:
    last_ts: int | None = None
    lost_pending: bool = False
    cur: tuple[str, int] | None = None
    run_start: int = 0
    run_resched: bool = False
    irqs: list[tuple[str, int]] = field(default_factory=list)
    soft_pending: dict[str, int] = field(default_factory=dict)
    soft_running: tuple[str, int] | None = None
    works_open: dict[str, tuple[str, tuple[str, int], int]] = field(default_factory=dict)
    hardirqs: dict[str, _Count] = field(default_factory=dict)
    softirqs: dict[str, _Soft] = field(default_factory=dict)
    runs: dict[int, _Runs] = field(default_factory=dict)
    works: list[tuple[str, tuple[str, int], int | None, int | None]] = field(default_factory=list)
    sent: dict[str, _Count] = field(default_factory=dict)
    received: dict[str, _Count] = field(default_factory=dict)
    timers: dict[str, _Count] = field(default_factory=dict)
    timer_late: int = 0
    gaps: list[_Gap] = field(default_factory=list)
    lost: int = 0
    events: int = 0
    first: int | None = None
    last: int | None = None


class _Window:
    """Walks the events once, keeping each CPU's state and the window's counts."""

    def __init__(self, lo: int, hi: int, gap_ns: int) -> None:
        self.lo, self.hi, self.gap_ns = lo, hi, gap_ns
        self.cpus: dict[int, _Cpu] = {}
        self.prio: dict[int, int] = {}
        self.comm: dict[int, str] = {}
        self.expires: dict[str, int] = {}
        self.waiting: dict[int, tuple[int, int]] = {}  # ksoftirqd pid -> (woken, its cpu)
        self.waits: list[tuple[int, int, int, int | None]] = []  # (cpu, pid, woken, ran)
        self.end = lo

    def inside(self, ts: int) -> bool:
        return self.lo <= ts <= self.hi

    def overlap(self, start: int, end: int) -> int:
        return max(0, min(end, self.hi) - max(start, self.lo))

    def task(self, comm: str, pid: int) -> Task:
        return Task(self.comm.get(pid, comm), pid, self.prio.get(pid))

    def feed(self, e: Event) -> None:
        st = self.cpus.setdefault(e.cpu, _Cpu())
        if e.name == LOST:
            st.lost_pending = True
            if self.lo <= e.ts <= self.hi:
                st.lost += int(e.body or 0)
            return
        if e.name == STARTED:
            st.last_ts = None
            return
        ts = e.ts
        self.end = max(self.end, ts)
        inside = self.lo <= ts <= self.hi
        if inside:
            st.events += 1
            st.first = ts if st.first is None else st.first
            st.last = ts
        if st.last_ts is not None and ts - st.last_ts > self.gap_ns and ts > self.lo \
                and st.last_ts < self.hi and st.cur is not None:
            st.gaps.append(_Gap(st.last_ts, ts, st.cur, st.lost_pending))
        st.last_ts = ts
        st.lost_pending = False
        if st.cur is None:
            st.cur, st.run_start = (e.comm, e.pid), ts
        elif st.cur[1] != e.pid and e.name != "sched_switch":
            self._close_run(st, ts)  # events were missed: the trace shows another task now
            st.cur, st.run_start = (e.comm, e.pid), ts
        if fields.need_resched(e.flags):
            st.run_resched = True
        handler = _HANDLERS.get(e.name)
        if handler is not None:
            handler(self, st, e, inside)
        elif e.name in fields.VECTOR_NAMES or e.name in fields.IPI_RECEIVED:
            self._vector(st, e, inside)
        elif e.name.endswith("_exit") and e.name[:-5] + "_entry" in fields.VECTOR_NAMES:
            self._vector_exit(st, e)

    def _close_run(self, st: _Cpu, ts: int) -> None:
        if st.cur is None:
            return
        comm, pid = st.cur
        part = self.overlap(st.run_start, ts)
        if part <= 0 and not (self.lo <= st.run_start <= self.hi):
            return
        runs = st.runs.setdefault(pid, _Runs(self.comm.get(pid, comm)))
        runs.total += part
        runs.runs += 1
        if part > runs.longest or runs.runs == 1:
            runs.longest = part
            runs.start, runs.end = max(st.run_start, self.lo), min(ts, self.hi)
            runs.resched = st.run_resched

    def switch(self, st: _Cpu, e: Event, inside: bool) -> None:
        sw = fields.switch(e)
        if sw is None:
            return
        self.prio[sw.prev_pid], self.prio[sw.next_pid] = sw.prev_prio, sw.next_prio
        self.comm.setdefault(sw.prev_pid, sw.prev_comm)
        self.comm[sw.next_pid] = sw.next_comm
        if st.cur is not None and st.cur[1] == sw.prev_pid:
            self._close_run(st, e.ts)
        st.cur, st.run_start, st.run_resched = (sw.next_comm, sw.next_pid), e.ts, False
        waited = self.waiting.pop(sw.next_pid, None)
        if waited is not None:
            self.waits.append((waited[1], sw.next_pid, waited[0], e.ts))

    def wake(self, st: _Cpu, e: Event, inside: bool) -> None:
        wk = fields.wakeup(e)
        if wk is None:
            return
        self.prio[wk.pid] = wk.prio
        self.comm.setdefault(wk.pid, wk.comm)
        m = _KSOFTIRQD_RE.match(wk.comm)
        if m is not None and wk.pid not in self.waiting:
            self.waiting[wk.pid] = (e.ts, int(m.group(1)))

    def irq_entry(self, st: _Cpu, e: Event, inside: bool) -> None:
        _, name = fields.irq(e)
        st.irqs.append((name, e.ts))
        if inside:
            st.hardirqs.setdefault(name, _Count()).add(e.ts)

    def irq_exit(self, st: _Cpu, e: Event, inside: bool) -> None:
        if st.irqs:
            name, start = st.irqs.pop()
            if name in st.hardirqs:
                st.hardirqs[name].timed(start, e.ts - start)

    def _vector(self, st: _Cpu, e: Event, inside: bool) -> None:
        if e.name in fields.IPI_RECEIVED:
            kind = fields.ipi_reason(e) if e.name == "ipi_entry" else fields.VECTOR_NAMES[e.name]
            if inside:
                st.received.setdefault(kind, _Count()).add(e.ts)
            return
        name = fields.VECTOR_NAMES[e.name]
        st.irqs.append((name, e.ts))
        if inside:
            st.hardirqs.setdefault(name, _Count()).add(e.ts)

    def _vector_exit(self, st: _Cpu, e: Event) -> None:
        name = fields.VECTOR_NAMES.get(e.name[:-5] + "_entry")
        if st.irqs and st.irqs[-1][0] == name:
            self.irq_exit(st, e, True)

    def soft_raise(self, st: _Cpu, e: Event, inside: bool) -> None:
        name = fields.softirq(e)
        st.soft_pending.setdefault(name, e.ts)
        if inside:
            st.softirqs.setdefault(name, _Soft()).raised += 1

    def soft_entry(self, st: _Cpu, e: Event, inside: bool) -> None:
        name = fields.softirq(e)
        raised = st.soft_pending.pop(name, None)
        runner = self.task(e.comm, e.pid).name
        st.soft_running = (name, e.ts)
        if not inside:
            return
        soft = st.softirqs.setdefault(name, _Soft())
        soft.run += 1
        if raised is not None and e.ts - raised > soft.max_delay:
            soft.max_delay, soft.raised_at, soft.run_at, soft.run_by = (
                e.ts - raised, raised, e.ts, runner)

    def soft_exit(self, st: _Cpu, e: Event, inside: bool) -> None:
        if st.soft_running is not None:
            name, start = st.soft_running
            st.soft_running = None
            part = self.overlap(start, e.ts)
            if part:
                st.softirqs.setdefault(name, _Soft()).total += part

    def work_start(self, st: _Cpu, e: Event, inside: bool) -> None:
        work, function = fields.work_start(e)
        st.works_open[work] = (function, (e.comm, e.pid), e.ts)

    def work_end(self, st: _Cpu, e: Event, inside: bool) -> None:
        work = fields.work_end(e)
        opened = st.works_open.pop(work, None)
        if opened is not None:
            function, worker, start = opened
            if self.overlap(start, e.ts) or inside:
                st.works.append((function, worker, start, e.ts))
        elif inside:
            function = fields.keyvals(e).get("function") or _function_of_end(e)
            st.works.append((function, (e.comm, e.pid), None, e.ts))

    def ipi_send(self, st: _Cpu, e: Event, inside: bool) -> None:
        if inside:
            st.sent.setdefault(fields.ipi_targets(e), _Count()).add(e.ts)

    def hrtimer_start(self, st: _Cpu, e: Event, inside: bool) -> None:
        kv = fields.keyvals(e)
        if "hrtimer" in kv and kv.get("expires", "").isdigit():
            self.expires[kv["hrtimer"]] = int(kv["expires"])

    def hrtimer_expire(self, st: _Cpu, e: Event, inside: bool) -> None:
        kv = fields.keyvals(e)
        if inside:
            st.timers.setdefault(kv.get("function", "?"), _Count()).add(e.ts)
        expires = self.expires.get(kv.get("hrtimer", ""))
        now = kv.get("now", "")
        if expires is None or not now.isdigit():
            return
        late = int(now) - expires
        if late < 0:
            return
        if inside:
            st.timer_late = max(st.timer_late, late)
        due = e.ts - late
        for gap in st.gaps[-2:]:
            if e.ts - gap.end <= TIMER_AFTER_GAP_NS and gap.start <= due <= gap.end:
                gap.late = late if gap.late is None else max(late, gap.late)

    def timer_expire(self, st: _Cpu, e: Event, inside: bool) -> None:
        if inside:
            st.timers.setdefault(fields.keyvals(e).get("function", "?"), _Count()).add(e.ts)

    def facts(self, cpu_ids: Iterable[int]) -> tuple[CpuFacts, ...]:
        out = []
        for cpu in sorted(set(cpu_ids) | set(self.cpus)):
            st = self.cpus.get(cpu, _Cpu())
            self._close_run(st, min(self.end, self.hi))
            out.append(self._cpu(cpu, st))
        return tuple(out)

    def _cpu(self, cpu: int, st: _Cpu) -> CpuFacts:
        end = min(self.end, self.hi)
        for function, worker, start in st.works_open.values():
            if self.overlap(start, end) or self.inside(start):
                st.works.append((function, worker, start, None))
        waits = [(pid, woken, ran) for c, pid, woken, ran in self.waits if c == cpu]
        waits += [(pid, w[0], None) for pid, w in self.waiting.items() if w[1] == cpu]
        return CpuFacts(
            cpu=cpu, events=st.events, first_event=st.first, last_event=st.last,
            hardirqs=_counted(st.hardirqs),
            softirqs=tuple(sorted((Softirq(n, s.raised, s.run, max(s.max_delay, 0), s.raised_at,
                                           s.run_at, s.run_by, s.total)
                                   for n, s in st.softirqs.items()),
                                  key=lambda s: (-s.max_delay_ns, s.name))),
            ksoftirqd=tuple(Wait(self.task("", pid), woken, ran) for pid, woken, ran
                            in sorted(waits, key=lambda w: w[1])
                            if self.overlap(woken, ran if ran is not None else end)
                            or self.inside(woken)),
            tasks=tuple(sorted((Run(self.task(r.comm, pid), r.total, r.longest, r.start, r.end,
                                    r.runs, r.resched)
                                for pid, r in st.runs.items() if r.total > 0),
                               key=lambda r: (-r.total_ns, r.task.pid))),
            works=tuple(sorted((Work(function, self.task(*worker), start, stop)
                                for function, worker, start, stop in st.works),
                               key=lambda w: -(_stop(w, end) - (w.start if w.start is not None
                                                                else self.lo)))),
            ipis_sent=_counted(st.sent),
            ipis_received=_counted(st.received),
            timers=_counted(st.timers),
            max_timer_late_ns=st.timer_late,
            gaps=tuple(self._gaps(st)),
            lost_events=st.lost,
        )

    def _gaps(self, st: _Cpu) -> list[Gap]:
        out = []
        for g in st.gaps:
            task = self.task(*g.cur)
            if task.pid == fields.IDLE_PID and (g.late is None or g.late < self.gap_ns // 2):
                continue  # an idle CPU is quiet; only a timer it woke late for says something
            out.append(Gap(g.start, g.end, task, g.lost, g.late))
        return out


def _stop(w: Work, end: int) -> int:
    return w.end if w.end is not None else end


def _function_of_end(e: Event) -> str:
    m = re.search(r"function (\S+)", e.body)
    return fields.symbol(m.group(1)) if m else "?"


def _counted(counts: dict[str, _Count]) -> tuple[Counted, ...]:
    return tuple(sorted((Counted(n, c.count, c.first, c.longest, c.longest_at)
                         for n, c in counts.items() if c.count),
                        key=lambda c: (-c.count, c.name)))


_HANDLERS = {
    "sched_switch": _Window.switch,
    "sched_waking": _Window.wake,
    "sched_wakeup": _Window.wake,
    "irq_handler_entry": _Window.irq_entry,
    "irq_handler_exit": _Window.irq_exit,
    "softirq_raise": _Window.soft_raise,
    "softirq_entry": _Window.soft_entry,
    "softirq_exit": _Window.soft_exit,
    "workqueue_execute_start": _Window.work_start,
    "workqueue_execute_end": _Window.work_end,
    "ipi_send_cpu": _Window.ipi_send,
    "ipi_send_cpumask": _Window.ipi_send,
    "ipi_raise": _Window.ipi_send,
    "hrtimer_start": _Window.hrtimer_start,
    "hrtimer_expire_entry": _Window.hrtimer_expire,
    "timer_expire_entry": _Window.timer_expire,
}


def cpu_facts(events: Sequence[Event], lo: int, hi: int, gap_ns: int,
              cpus: Iterable[int] = ()) -> tuple[CpuFacts, ...]:
    """The facts of the window [lo, hi] (ns) on each CPU, from `events` (in time order)."""
    window = _Window(lo, hi, gap_ns)
    for e in events:
        if e.ts > hi:
            break
        window.feed(e)
    return window.facts(cpus)
