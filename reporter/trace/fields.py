"""Decodes the bodies of the events the analysis reads, in both text formats.

tracefs prints each event with the kernel's own format (`prev_comm=... ==> next_comm=...`);
trace-cmd's plugins print some differently (`comm:pid [prio] S ==> comm:pid [prio]`,
`comm:pid [prio] CPU:001`, `function=hrtimer_wakeup/0x0`). Each decoder accepts both.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from reporter.trace.lines import Event

IDLE_PID = 0


class Switch(NamedTuple):
    prev_comm: str
    prev_pid: int
    prev_prio: int
    prev_state: str
    next_comm: str
    next_pid: int
    next_prio: int


class Wakeup(NamedTuple):
    comm: str
    pid: int
    prio: int
    target_cpu: int | None


_SWITCH_RE = re.compile(
    r"prev_comm=(.*?) prev_pid=(-?\d+) prev_prio=(-?\d+) prev_state=(\S+) ==> "
    r"next_comm=(.*?) next_pid=(-?\d+) next_prio=(-?\d+)")
_SWITCH_TC_RE = re.compile(r"(.*):(-?\d+) \[(-?\d+)\] (\S+) ==> (.*):(-?\d+) \[(-?\d+)\]")
_WAKE_RE = re.compile(r"comm=(.*?) pid=(\d+) prio=(-?\d+)(?: success=\d+)?"
                      r"(?: target_cpu=(\d+))?")
_WAKE_TC_RE = re.compile(r"(.*):(\d+) \[(-?\d+)\](?: success=\d+)?(?: CPU:(\d+))?")
_KV_RE = re.compile(r"(\w+)=(\S+)")
_IRQ_RE = re.compile(r"irq=(\d+)(?: name=(.*))?")
_SOFTIRQ_RE = re.compile(r"vec=(\d+)(?: \[action=(\w+)\])?")
_WORK_RE = re.compile(r"work struct (\S+?):? (?:function (\S+))?")
_WORK_END_RE = re.compile(r"work struct (\S+?)(?::|$)")
_IPI_REASON_RE = re.compile(r"\((.*)\)\s*$")

SOFTIRQ_NAMES = ("HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
                 "HRTIMER", "RCU")
# x86 interrupt vectors traced by irq_vectors:*_entry, as the breakdown names them.
VECTOR_NAMES = {
    "local_timer_entry": "local timer",
    "reschedule_entry": "reschedule IPI",
    "call_function_entry": "call-function IPI",
    "call_function_single_entry": "call-function IPI",
    "irq_work_entry": "irq work",
    "thermal_apic_entry": "thermal",
    "error_apic_entry": "APIC error",
    "spurious_apic_entry": "spurious",
}
IPI_RECEIVED = {"reschedule_entry", "call_function_entry", "call_function_single_entry",
                "ipi_entry"}


def switch(e: Event) -> Switch | None:
    m = _SWITCH_RE.match(e.body) or _SWITCH_TC_RE.match(e.body)
    if m is None:
        return None
    g = m.groups()
    return Switch(g[0], int(g[1]), int(g[2]), g[3], g[4], int(g[5]), int(g[6]))


def wakeup(e: Event) -> Wakeup | None:
    m = _WAKE_RE.match(e.body) or _WAKE_TC_RE.match(e.body)
    if m is None:
        return None
    return Wakeup(m.group(1), int(m.group(2)), int(m.group(3)),
                  int(m.group(4)) if m.group(4) else None)


def keyvals(e: Event) -> dict[str, str]:
    """`hrtimer=... function=hrtimer_wakeup/0x0 now=...` -> a dict (symbol offsets cut)."""
    out = {}
    for key, value in _KV_RE.findall(e.body):
        out[key] = symbol(value) if key in ("function", "callback", "callsite") else value
    return out


def symbol(text: str) -> str:
    """`hrtimer_wakeup/0x0` or `gc_worker+0x0/0x3a0` -> the function's name."""
    return re.split(r"[+/]", text, maxsplit=1)[0]


def irq(e: Event) -> tuple[int, str]:
    """irq_handler_entry: (number, name)."""
    m = _IRQ_RE.match(e.body)
    if m is None:
        return -1, e.body
    return int(m.group(1)), (m.group(2) or f"irq {m.group(1)}").strip()


def softirq(e: Event) -> str:
    """softirq_raise/entry/exit: the vector's name (NET_RX, TIMER ...)."""
    m = _SOFTIRQ_RE.match(e.body)
    if m is None:
        return e.body
    if m.group(2):
        return m.group(2)
    vec = int(m.group(1))
    return SOFTIRQ_NAMES[vec] if vec < len(SOFTIRQ_NAMES) else f"vec {vec}"


def work_start(e: Event) -> tuple[str, str]:
    """workqueue_execute_start: (work struct, function)."""
    m = _WORK_RE.match(e.body)
    if m is None:
        return e.body, "?"
    return m.group(1), symbol(m.group(2) or "?")


def work_end(e: Event) -> str:
    """workqueue_execute_end: the work struct."""
    m = _WORK_END_RE.match(e.body)
    return m.group(1) if m else e.body


def ipi_targets(e: Event) -> str:
    """ipi_send_cpu, ipi_send_cpumask, ipi_raise: the CPUs the IPI was sent to."""
    kv = keyvals(e)
    if "cpu" in kv:
        return f"cpu#{kv['cpu']}"
    mask = kv.get("cpumask") or kv.get("target_mask")
    return f"cpus {mask}" if mask else "?"


def ipi_reason(e: Event) -> str:
    """ipi_entry/ipi_raise on arm64: `(Function call interrupts)` -> the reason."""
    m = _IPI_REASON_RE.search(e.body)
    return m.group(1) if m else e.name


def policy(prio: int | None) -> str | None:
    """The scheduling class that a kernel priority means (sched_switch's prio fields).

    0..99 are real-time (FIFO or RR: the trace does not tell which), 100..139 fair
    (SCHED_OTHER, or BATCH/IDLE), -1 deadline.
    """
    if prio is None:
        return None
    if prio < 0:
        return "SCHED_DEADLINE"
    if prio < 100:
        return f"RT {99 - prio}"
    nice = prio - 120
    return "SCHED_OTHER" if nice == 0 else f"SCHED_OTHER nice {nice:+d}"


def need_resched(flags: str) -> bool:
    """The need-resched column: N (or n, p: lazy and preempt-only variants) is set."""
    return len(flags) > 1 and flags[1] in "NnpL"


def irqs_off(flags: str) -> bool:
    return bool(flags) and flags[0] in "dD"


def is_idle(pid: int) -> bool:
    return pid == IDLE_PID
