"""What the facts of a spike point to: the most telling facts, ranked, and one line of
conclusion. The rules, in order: a timer that came late on a silent CPU (the CPU did
not run: host preemption, or interrupts off), an IRQ storm, then a wake-up that came on
time but was not acted on (who held the CPU, and whether it could be preempted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reporter.trace import fields
from reporter.trace.lines import LOST, STARTED, Event
from reporter.trace.model import CpuFacts, Fact, Task, Victim
from reporter.trace.phrases import cpu, dur, rel, task

STORM_MIN = 20  # interrupts from one source in the window ...
STORM_PER_MS = 5  # ... at this rate at least: an IRQ storm
MAX_FACTS = 5
ON_TIME_NS = 50_000  # a timer this little late came on time


@dataclass
class Hold:
    """Who held a CPU over an interval: time per task, in hard irqs and in softirqs."""

    tasks: dict[int, int] = field(default_factory=dict)
    names: dict[int, Task] = field(default_factory=dict)
    irq_ns: int = 0
    softirq_ns: int = 0
    resched: bool = False
    irqs_off_events: int = 0
    events: int = 0

    def top(self, exclude: int) -> tuple[Task, int] | None:
        rest = [(ns, pid) for pid, ns in self.tasks.items() if pid != exclude]
        if not rest:
            return None
        ns, pid = max(rest)
        return self.names[pid], ns


def hold(events: Sequence[Event], on_cpu: int, start: int, end: int,
         prio: dict[int, int], comm: dict[int, str]) -> Hold:
    """Attribute each stretch of [start, end] on `on_cpu` to what the CPU was doing."""
    out = Hold()
    cur: tuple[str, int] | None = None
    irq_depth = 0
    soft = False
    last = None
    for e in events:
        if e.cpu != on_cpu or e.name in (LOST, STARTED):
            continue
        if e.ts > end:
            break
        if last is not None and cur is not None:
            part = min(e.ts, end) - max(last, start)
            if part > 0:
                if irq_depth:
                    out.irq_ns += part
                elif soft:
                    out.softirq_ns += part
                else:
                    out.tasks[cur[1]] = out.tasks.get(cur[1], 0) + part
                    out.names[cur[1]] = Task(comm.get(cur[1], cur[0]), cur[1], prio.get(cur[1]))
        last = e.ts
        if cur is None or (cur[1] != e.pid and e.name != "sched_switch"):
            cur = (e.comm, e.pid)
        if e.ts >= start:
            out.events += 1
            out.resched |= fields.need_resched(e.flags)
            out.irqs_off_events += fields.irqs_off(e.flags)
        name = e.name
        if name == "sched_switch":
            sw = fields.switch(e)
            if sw is not None:
                cur = (sw.next_comm, sw.next_pid)
        elif name == "irq_handler_entry" or name in fields.VECTOR_NAMES \
                or name in fields.IPI_RECEIVED:
            irq_depth += 1
        elif name == "irq_handler_exit" or (name.endswith("_exit") and (
                name[:-5] + "_entry" in fields.VECTOR_NAMES
                or name[:-5] + "_entry" in fields.IPI_RECEIVED)):
            irq_depth = max(0, irq_depth - 1)
        elif name == "softirq_entry":
            soft = True
        elif name == "softirq_exit":
            soft = False
    return out


def sched_info(events: Sequence[Event]) -> tuple[dict[int, int], dict[int, str]]:
    """Each pid's priority and command name, as the sched_* events show them."""
    prio: dict[int, int] = {}
    comm: dict[int, str] = {}
    for e in events:
        if e.name == "sched_switch":
            sw = fields.switch(e)
            if sw is not None:
                prio[sw.prev_pid], prio[sw.next_pid] = sw.prev_prio, sw.next_prio
                comm[sw.prev_pid], comm[sw.next_pid] = sw.prev_comm, sw.next_comm
        elif e.name in ("sched_waking", "sched_wakeup"):
            wk = fields.wakeup(e)
            if wk is not None:
                prio[wk.pid] = wk.prio
                comm.setdefault(wk.pid, wk.comm)
    return prio, comm


def telling_facts(cpus: Sequence[CpuFacts], victim: Victim | None, t0: int, lo: int,
                  hi: int, gap_ns: int) -> tuple[Fact, ...]:
    """The facts that cover most of the delay ([t0, the victim's run], or the window).

    A stretch (a wait, a run, a work item) counts when it lasts at least `gap_ns`,
    as a silent gap must; an interrupt source when it fires as fast as a storm.
    """
    d_lo = t0 if victim is not None else lo
    d_hi = (victim.ran if victim is not None and victim.ran is not None else
            t0 + victim.latency_us * 1000 if victim is not None and victim.latency_us
            else hi)

    def cover(start: int | None, end: int | None) -> int:
        return max(0, min(end if end is not None else hi, d_hi) -
                   max(start if start is not None else lo, d_lo))

    facts: list[Fact] = []
    victim_cpu = victim.cpu if victim is not None else None
    for c in cpus:
        mine = 2 if c.cpu == victim_cpu else 1
        for g in c.gaps:
            if g.lost:
                continue
            on_time = g.late_timer_ns is not None and g.late_timer_ns < ON_TIME_NS
            late = ("; the timer that ended it came on time" if on_time else
                    f"; its timer came {dur(g.late_timer_ns)} late" if g.late_timer_ns else "")
            text = (f"{cpu(c.cpu)} recorded nothing for {dur(g.end - g.start)} "
                    f"({rel(g.start, t0)} to {rel(g.end, t0)}) while {task(g.current)} was "
                    f"current{late}")
            facts.append(Fact("gap", text,
                              mine * cover(g.start, g.end) // (4 if on_time else 1)))
        for w in c.ksoftirqd:
            if (w.ran if w.ran is not None else hi) - w.woken < gap_ns:
                continue
            ran = (f"ran only at {rel(w.ran, t0)} ({dur(w.ran - w.woken)} later)"
                   if w.ran is not None else f"had not run by {rel(hi, t0)}")
            facts.append(Fact("ksoftirqd", f"{w.task.name} was woken at {rel(w.woken, t0)} "
                              f"but {ran}", cover(w.woken, w.ran)))
        for k in c.works:
            if (k.end if k.end is not None else hi) - (k.start if k.start is not None
                                                       else lo) < gap_ns:
                continue
            start = rel(k.start, t0) if k.start is not None else f"before {rel(lo, t0)}"
            end = rel(k.end, t0) if k.end is not None else f"past {rel(hi, t0)}"
            length = (f" ({dur(k.end - k.start)})" if k.start is not None
                      and k.end is not None else "")
            facts.append(Fact("work", f"{k.function}() ran on {k.worker.name} on "
                              f"{cpu(c.cpu)} from {start} to {end}{length}",
                              cover(k.start, k.end)))
        for irq in c.hardirqs:
            if is_storm(irq.count, hi - lo):
                facts.append(Fact("storm", f"{cpu(c.cpu)} took {irq.count} interrupts from "
                                  f"{irq.name} in the window: an IRQ storm",
                                  mine * min(d_hi - d_lo, irq.count * 20_000)))
        for r in c.tasks:
            if c.cpu == victim_cpu and victim is not None and r.task.pid not in (
                    victim.task.pid, fields.IDLE_PID) and r.longest_ns >= gap_ns:
                pending = ", with a reschedule pending" if r.resched_pending else ""
                after_wake = max(0, min(r.longest_end, d_hi) -
                                 max(r.longest_start, victim.woken or d_lo))
                facts.append(Fact("run", f"{cpu(c.cpu)} ran {task(r.task)} from "
                                  f"{rel(r.longest_start, t0)} to {rel(r.longest_end, t0)} "
                                  f"({dur(r.longest_ns)}){pending}", mine * after_wake))
    facts = [f for f in facts if f.weight_ns > 0]
    facts.sort(key=lambda f: -f.weight_ns)
    return tuple(facts[:MAX_FACTS])


def is_storm(count: int, span_ns: int) -> bool:
    return count >= STORM_MIN and count * 1_000_000 >= STORM_PER_MS * max(span_ns, 1)


def conclude(victim: Victim | None, cpus: Sequence[CpuFacts], events: Sequence[Event],
             t0: int, span_ns: int, facts: Sequence[Fact]) -> str:
    """One line: what the facts point to."""
    if victim is None:
        return _without_victim(facts)
    if victim.ran is None or victim.woken is None:
        return ("the trace does not show the victim's wake-up and run (events lost, or "
                "sched events not enabled): record with sched_switch and sched_wakeup")
    prio, comm = sched_info(events)
    total = max(victim.ran - t0, 1)
    fired = victim.fired if victim.fired is not None else victim.woken
    by_cpu = {c.cpu: c for c in cpus}
    timer_cpu = victim.fired_cpu if victim.fired_cpu is not None else victim.cpu
    if fired - t0 >= total // 2:
        facts_here = by_cpu.get(timer_cpu)
        gap = _gap_over(facts_here, t0, fired)
        if gap is not None:
            g_task, g_len = gap
            if g_task.pid == fields.IDLE_PID:
                return (f"the victim's CPU was idle and recorded nothing for {dur(g_len)} "
                        "while its timer was due, so the host not running the vCPU (or a "
                        "slow exit from a deep idle state) is likely")
            return (f"the victim's CPU recorded nothing for {dur(g_len)} while a "
                    f"{fields.policy(g_task.prio) or 'task'} task ({g_task.name}) was "
                    "current, so a host preemption or an irqs-off section is likely")
        storm = _storm(facts_here, span_ns)
        if storm:
            return storm
        held = hold(events, timer_cpu, t0, fired, prio, comm)
        top = held.top(victim.task.pid)
        who = f" while {task(top[0])} ran" if top else ""
        return (f"the victim's timer interrupt came {dur(fired - t0)} late although "
                f"{cpu(timer_cpu)} kept recording events{who}, so an irqs-off section "
                "is likely")
    if victim.ran - victim.woken >= total // 2:
        held = hold(events, victim.cpu, victim.woken, victim.ran, prio, comm)
        top = held.top(victim.task.pid)
        busy = held.irq_ns + held.softirq_ns
        if top is None or busy >= top[1]:
            return (f"interrupt and softirq work held {cpu(victim.cpu)} for {dur(busy)} "
                    "after the victim's wake-up, so the softirq load (or its handlers) is "
                    "the likely cause")
        holder, held_ns = top
        if holder.prio is not None and victim.task.prio is not None \
                and holder.prio <= victim.task.prio:
            return (f"{task(holder)}, of equal or higher priority, held {cpu(victim.cpu)} "
                    f"for {dur(held_ns)} after the victim's wake-up")
        pending = " with a reschedule pending" if held.resched else ""
        work = _work_of(by_cpu.get(victim.cpu), holder, victim.woken, victim.ran)
        doing = f" (running {work}())" if work else ""
        return (f"{cpu(victim.cpu)} kept running {task(holder)}{doing} for {dur(held_ns)} "
                f"after the victim's wake-up{pending}: the kernel did not preempt it, so a "
                "non-preemptible section (preempt=none or voluntary, or preemption off) "
                "is likely")
    return (f"the delay is split between the timer ({dur(fired - t0)}) and the wake-up "
            f"({dur(victim.ran - victim.woken)}): no single cause stands out")


def _gap_over(c: CpuFacts | None, start: int, end: int) -> tuple[Task, int] | None:
    if c is None:
        return None
    best = None
    for g in c.gaps:
        part = min(g.end, end) - max(g.start, start)
        if not g.lost and part * 2 >= end - start and (best is None or part > best[1]):
            best = (g.current, g.end - g.start)
    return best


def _storm(c: CpuFacts | None, span_ns: int) -> str | None:
    if c is None:
        return None
    for irq in c.hardirqs:
        if is_storm(irq.count, span_ns):
            return (f"{cpu(c.cpu)} took {irq.count} interrupts from {irq.name} around the "
                    "spike: an IRQ storm delayed the victim's timer interrupt")
    return None


def _work_of(c: CpuFacts | None, holder: Task, start: int, end: int) -> str | None:
    if c is None:
        return None
    for w in c.works:
        if w.worker.pid == holder.pid and (w.start or start) <= end and (w.end or end) >= start:
            return w.function
    return None


_MEANING = {
    "gap": "so a host preemption or an irqs-off section is likely",
    "ksoftirqd": "so softirq work deferred to ksoftirqd (a SCHED_OTHER task) was starved by "
                 "other tasks",
    "work": "so a long workqueue function kept its CPU busy",
    "storm": "so the interrupt load is the likely cause",
    "run": "so that task held the CPU",
}


def _without_victim(facts: Sequence[Fact]) -> str:
    if not facts:
        return "nothing in the window stands out"
    top = facts[0]
    return f"{top.text}, {_MEANING[top.kind]}"
