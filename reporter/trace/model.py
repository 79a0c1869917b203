"""The breakdown of one latency spike, as plain values (no I/O, no wording)."""

from __future__ import annotations

from dataclasses import dataclass

from reporter.trace.scan import Mark


@dataclass(frozen=True)
class Task:
    comm: str
    pid: int
    prio: int | None  # the kernel's priority, where a sched_* event showed it

    @property
    def name(self) -> str:
        return "idle" if self.pid == 0 else f"{self.comm}-{self.pid}"


@dataclass(frozen=True)
class Victim:
    """The late task, and when it should have woken and did (ns on the trace clock)."""

    task: Task
    cpu: int
    due: int | None  # when its timer was due (the expected wake-up)
    fired: int | None  # when that timer's interrupt ran
    fired_cpu: int | None
    woken: int | None  # sched_waking/sched_wakeup
    ran: int | None  # sched_switch to it
    previous_ran: int | None  # its previous wake-up, one period earlier
    latency_us: int | None  # what cyclictest measured


@dataclass(frozen=True)
class Counted:
    """Something seen `count` times in the window; `longest` its longest run, where timed."""

    name: str
    count: int
    first: int  # ns
    longest_ns: int = 0
    longest_at: int = 0  # when the longest run started


@dataclass(frozen=True)
class Softirq:
    name: str  # NET_RX, TIMER ...
    raised: int
    run: int
    max_delay_ns: int  # the longest raise-to-entry delay
    raised_at: int  # the raise of that delay (ns)
    run_at: int
    run_by: str  # the task current when it ran (ksoftirqd/0, or the interrupted task)
    total_ns: int  # time spent running it in the window


@dataclass(frozen=True)
class Wait:
    """A task woken at `woken` that ran at `ran` (None: not before the window's end)."""

    task: Task
    woken: int
    ran: int | None


@dataclass(frozen=True)
class Run:
    """A task's time on a CPU within the window."""

    task: Task
    total_ns: int
    longest_ns: int
    longest_start: int
    longest_end: int
    runs: int
    resched_pending: bool  # need-resched was set while it ran its longest stretch


@dataclass(frozen=True)
class Work:
    """A workqueue function run; `start` None when it began before the part of the trace read."""

    function: str
    worker: Task
    start: int | None
    end: int | None  # None: still running at the end of the window


@dataclass(frozen=True)
class Gap:
    """A stretch with no event on the CPU longer than the gap threshold."""

    start: int
    end: int
    current: Task  # the task current during the gap
    lost: bool  # events were lost there (the gap says nothing)
    late_timer_ns: int | None  # the timer that ended it came this late, where known


@dataclass(frozen=True)
class CpuFacts:
    cpu: int
    events: int  # in the window
    first_event: int | None  # the CPU's first and last events in the window
    last_event: int | None
    hardirqs: tuple[Counted, ...]  # by count, most first (device irqs and x86 vectors)
    softirqs: tuple[Softirq, ...]
    ksoftirqd: tuple[Wait, ...]
    tasks: tuple[Run, ...]  # by time, most first
    works: tuple[Work, ...]  # by duration, longest first
    ipis_sent: tuple[Counted, ...]  # by target
    ipis_received: tuple[Counted, ...]  # by kind
    timers: tuple[Counted, ...]  # hrtimer and timer-wheel functions that expired
    max_timer_late_ns: int  # the latest any timer expired here
    gaps: tuple[Gap, ...]
    lost_events: int


@dataclass(frozen=True)
class Fact:
    """One line of the short form, with the weight that ranks it (ns of the delay it covers)."""

    kind: str  # gap | ksoftirqd | work | storm | run
    text: str
    weight_ns: int


@dataclass(frozen=True)
class Spike:
    number: int
    mark: Mark | None
    at: int | None  # --at, when given
    t0: int  # ns; times are shown relative to it
    t0_from: str  # timer | tracemark | --at
    window_ns: int
    gap_ns: int
    victim: Victim | None
    cpus: tuple[CpuFacts, ...]
    facts: tuple[Fact, ...]  # the most telling first
    verdict: str


@dataclass(frozen=True)
class Analysis:
    file: str
    format: str  # tracefs | trace-cmd
    start_ts: int | None
    end_ts: int | None
    spikes: tuple[Spike, ...]
