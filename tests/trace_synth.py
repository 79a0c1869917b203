"""A synthetic ftrace record with a known answer for each fact `reporter trace` reports.

The events are written in the exact text formats of the kernel's `trace` file and of
`trace-cmd report` (checked against real records in tests/fixtures/trace). The story,
with t0 the moment the victim's timer was due:

- cpu#2: cyclictest-1000 (RT 90) sleeps on a 1000 us period; stress-ng-cpu-2000
  (SCHED_OTHER) runs. The CPU records nothing from t0-200 to t0+2700 (2900 us: the
  vCPU was preempted by its host), then the tick and the victim's timer fire 2700 us
  late; the victim runs at t0+2710 and writes the tracemark: 2712 usecs > 1000.
- cpu#0: kworker/0:1-51 runs gc_worker() from t0-3100 to t0+2950 (6050 us) with a
  reschedule pending; the NIC's interrupt (virtio0-input.0) at t0-3000 raises NET_RX,
  which is left to ksoftirqd/0-14: woken at t0-2995, it runs only at t0+3000 (5995 us).
- cpu#1: dd-3000 runs while eth1 interrupts every 25 us from t0-2500 to t0+2500:
  201 interrupts, an IRQ storm.
- cpu#3: idle, taking call-function IPIs from cpu#0 and its ticks on time.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

T0_NS = 1234_500_000_000  # t0 on the trace clock: 1234.500000
MONO_OFFSET_NS = 40_123_456  # the hrtimer clock runs this far behind the trace clock
US = 1000
LATENCY_US = 2712
THRESHOLD_US = 1000
GAP = (-200, 2700)
KSOFTIRQD = (-2995, 3000)
GC_WORKER = (-3100, 2950)
STORM = (-2500, 2500, 25)  # from, to, every (us)
VICTIM = ("cyclictest", 1000, 9)
HOG = ("stress-ng-cpu", 2000, 120)
KWORKER = ("kworker/0:1", 51, 120)
KSOFT = ("ksoftirqd/0", 14, 120)
DD = ("dd", 3000, 120)


@dataclass(frozen=True)
class Ev:
    us: float  # relative to t0
    cpu: int
    task: tuple[str, int, int]  # comm, pid, prio of the current task
    flags: str
    name: str
    fields: dict[str, object] = field(default_factory=dict)


def idle(cpu: int) -> tuple[str, int, int]:
    return (f"swapper/{cpu}", 0, 120)


def events() -> list[Ev]:
    out: list[Ev] = []
    add = out.append
    # Ticks every 1000 us on each CPU, on time; cpu#2 misses two during its silent gap.
    for cpu, task in ((0, KWORKER), (1, DD), (2, HOG), (3, idle(3))):
        t = -14_800.0 + (0, 200, 600, 400)[cpu]  # cpu#2's end at t0-200, t0+800 ...
        while t < 6000:
            if not (cpu == 2 and GAP[0] < t < GAP[1] + 10):
                cur = task
                if cpu == 0 and not GC_WORKER[0] - 10 <= t <= KSOFTIRQD[1]:
                    cur = ("netperf", 4000, 120)
                _tick(add, t, cpu, cur, due_us=t - 3)
            t += 1000
    # cpu#0: netperf, then the kworker runs gc_worker(); the NIC interrupt; ksoftirqd waits.
    add(Ev(-3110, 0, ("netperf", 4000, 120), "d..2.", "sched_switch",
           {"prev": ("netperf", 4000, 120, "S"), "next": KWORKER}))
    add(Ev(GC_WORKER[0], 0, KWORKER, ".....", "workqueue_execute_start",
           {"work": "00000000a1b2c3d4", "function": "gc_worker"}))
    add(Ev(-3000, 0, KWORKER, "d.h..", "irq_handler_entry", {"irq": 33,
                                                           "name": "virtio0-input.0"}))
    add(Ev(-2999, 0, KWORKER, "d.h..", "softirq_raise", {"vec": 3}))
    add(Ev(-2998, 0, KWORKER, "d.h..", "irq_handler_exit", {"irq": 33}))
    add(Ev(KSOFTIRQD[0], 0, KWORKER, "d..2.", "sched_waking", {"wake": KSOFT, "target": 0}))
    add(Ev(KSOFTIRQD[0] + 1, 0, KWORKER, "dN.3.", "sched_wakeup", {"wake": KSOFT, "target": 0}))
    for t in range(-2900, 2950, 700):  # the kworker's own events, need-resched set
        add(Ev(t, 0, KWORKER, ".N...", "ipi_send_cpu", {"cpu": 3}))
        add(Ev(t + 2, 3, idle(3), "d.h1.", "call_function_single_entry", {"vector": 251}))
        add(Ev(t + 3, 3, idle(3), "d.h1.", "call_function_single_exit", {"vector": 251}))
    add(Ev(GC_WORKER[1], 0, KWORKER, ".N...", "workqueue_execute_end",
           {"work": "00000000a1b2c3d4", "function": "gc_worker"}))
    add(Ev(KSOFTIRQD[1], 0, KWORKER, "d..2.", "sched_switch",
           {"prev": (*KWORKER, "R+"), "next": KSOFT}))
    add(Ev(3002, 0, KSOFT, "..s..", "softirq_entry", {"vec": 3}))
    add(Ev(3005, 0, KSOFT, "..s..", "napi_poll", {"dev": "eth0", "work": 1}))
    add(Ev(3010, 0, KSOFT, "..s..", "softirq_exit", {"vec": 3}))
    add(Ev(3020, 0, KSOFT, "d..2.", "sched_switch",
           {"prev": (*KSOFT, "S"), "next": ("netperf", 4000, 120)}))
    # cpu#1: the storm.
    t = STORM[0]
    while t <= STORM[1]:
        add(Ev(t, 1, DD, "d.h..", "irq_handler_entry", {"irq": 40, "name": "eth1"}))
        add(Ev(t + 5, 1, DD, "d.h..", "irq_handler_exit", {"irq": 40}))
        t += STORM[2]
    add(Ev(-14_900, 1, idle(1), "d..2.", "sched_switch", {"prev": (*idle(1), "R"),
                                                         "next": DD}))
    # cpu#2: the victim's previous period, the gap, the late timer, the victim's run.
    add(Ev(-14_950, 2, idle(2), "d..2.", "sched_switch", {"prev": (*idle(2), "R"),
                                                         "next": HOG}))
    for period in range(-10, 0):
        _victim_period(add, period * 1000)
    add(Ev(GAP[1], 2, HOG, "d.h..", "local_timer_entry", {"vector": 236}))
    add(Ev(GAP[1] + 1, 2, HOG, "d.h..", "hrtimer_expire_entry",
           {"hrtimer": "00000000feedf00d", "function": "hrtimer_wakeup",
            "now_us": GAP[1] + 1}))
    add(Ev(GAP[1] + 2, 2, HOG, "d.h2.", "sched_waking", {"wake": VICTIM, "target": 2}))
    add(Ev(GAP[1] + 3, 2, HOG, "dNh3.", "sched_wakeup", {"wake": VICTIM, "target": 2}))
    add(Ev(GAP[1] + 4, 2, HOG, "dNh..", "hrtimer_expire_exit", {"hrtimer": "00000000feedf00d"}))
    _tick(add, GAP[1] + 8, 2, HOG, due_us=GAP[0] + 1000 - 3, entry=False)  # 1903 us late
    add(Ev(2710, 2, HOG, "d..2.", "sched_switch", {"prev": (*HOG, "R+"), "next": VICTIM}))
    add(Ev(2715, 2, VICTIM, "...1.", "tracing_mark_write",
           {"text": f"hit latency threshold ({LATENCY_US} > {THRESHOLD_US})"}))
    out.sort(key=lambda e: e.us)  # stable: each CPU's events keep their order
    return out


def _victim_period(add: object, start_us: float) -> None:
    """One on-time period of the victim: its timer fires, it runs, re-arms and sleeps."""
    assert callable(add)
    add(Ev(start_us, 2, HOG, "d.h..", "local_timer_entry", {"vector": 236}))
    add(Ev(start_us + 1, 2, HOG, "d.h..", "hrtimer_expire_entry",
           {"hrtimer": f"{int(-start_us):016x}", "function": "hrtimer_wakeup",
            "now_us": start_us + 1}))
    add(Ev(start_us + 2, 2, HOG, "d.h2.", "sched_waking", {"wake": VICTIM, "target": 2}))
    add(Ev(start_us + 3, 2, HOG, "dNh3.", "sched_wakeup", {"wake": VICTIM, "target": 2}))
    add(Ev(start_us + 4, 2, HOG, "dNh..", "local_timer_exit", {"vector": 236}))
    add(Ev(start_us + 6, 2, HOG, "d..2.", "sched_switch", {"prev": (*HOG, "R+"),
                                                          "next": VICTIM}))
    nxt = start_us + 1000
    name = "00000000feedf00d" if nxt == 0 else f"{int(-nxt):016x}"
    add(Ev(start_us + 9, 2, VICTIM, "d..1.", "hrtimer_start",
           {"hrtimer": name, "function": "hrtimer_wakeup", "expires_us": nxt}))
    add(Ev(start_us + 11, 2, VICTIM, "d..2.", "sched_switch", {"prev": (*VICTIM, "S"),
                                                              "next": HOG}))


def _tick(add: object, t: float, cpu: int, task: tuple[str, int, int], *, due_us: float,
          entry: bool = True) -> None:
    """The tick interrupt, ending at `t`: its timer was due at `due_us`; it re-arms one
    period after its due time (past `t`)."""
    assert callable(add)
    timer = f"00000000ticc{cpu:04x}"
    if entry:
        add(Ev(t - 3, cpu, task, "d.h..", "local_timer_entry", {"vector": 236}))
    add(Ev(t - 2, cpu, task, "d.h..", "hrtimer_expire_entry",
           {"hrtimer": timer, "function": "tick_nohz_handler", "now_us": t - 2}))
    add(Ev(t - 1, cpu, task, "d.h..", "hrtimer_expire_exit", {"hrtimer": timer}))
    following = due_us + 1000
    while following <= t:
        following += 1000
    add(Ev(t - 1, cpu, task, "d.h1.", "hrtimer_start",
           {"hrtimer": timer, "function": "tick_nohz_handler", "expires_us": following}))
    add(Ev(t, cpu, task, "d.h..", "local_timer_exit", {"vector": 236}))


def _mono(us: float) -> int:
    return T0_NS + round(us * US) - MONO_OFFSET_NS


def _ts(us: float) -> tuple[int, int]:
    ns = T0_NS + round(us * US)
    return ns // 1_000_000_000, ns % 1_000_000_000 // 1000


def _body(e: Ev, trace_cmd: bool) -> tuple[str, str]:
    f = e.fields
    if e.name == "sched_switch":
        pc, pp, ppr, st = f["prev"]  # type: ignore[misc]
        nc, np_, npr = f["next"]  # type: ignore[misc]
        if trace_cmd:
            return e.name, f"{pc}:{pp} [{ppr}] {st} ==> {nc}:{np_} [{npr}]"
        return e.name, (f"prev_comm={pc} prev_pid={pp} prev_prio={ppr} prev_state={st} ==> "
                        f"next_comm={nc} next_pid={np_} next_prio={npr}")
    if e.name in ("sched_waking", "sched_wakeup"):
        c, p, pr = f["wake"]  # type: ignore[misc]
        if trace_cmd and e.name == "sched_wakeup":
            return e.name, f"{c}:{p} [{pr}] CPU:{f['target']:03d}"
        return e.name, f"comm={c} pid={p} prio={pr} target_cpu={f['target']:03d}"
    if e.name == "irq_handler_entry":
        return e.name, f"irq={f['irq']} name={f['name']}"
    if e.name == "irq_handler_exit":
        return e.name, f"irq={f['irq']} ret=handled"
    if e.name.startswith("softirq_"):
        vec = int(f["vec"])  # type: ignore[call-overload]
        return e.name, f"vec={vec} [action={('TIMER', 'NET_RX')[vec == 3]}]"
    if e.name.startswith("workqueue_execute_"):
        work = f"0xffff8881{f['work']}" if trace_cmd else f["work"]
        return e.name, f"work struct {work}: function {f['function']}"
    if e.name == "hrtimer_start":
        fn = f"{f['function']}/0x0" if trace_cmd else f["function"]
        exp = _mono(float(f["expires_us"]))  # type: ignore[arg-type]
        tail = "" if trace_cmd else " mode=ABS was_armed=0"
        return e.name, f"hrtimer={f['hrtimer']} function={fn} expires={exp} softexpires={exp}{tail}"
    if e.name == "hrtimer_expire_entry":
        now = _mono(float(f["now_us"]))  # type: ignore[arg-type]
        if trace_cmd:
            return e.name, f"hrtimer={f['hrtimer']} now={now} function={f['function']}/0x0"
        return e.name, f"hrtimer={f['hrtimer']} function={f['function']} now={now}"
    if e.name == "hrtimer_expire_exit":
        return e.name, f"hrtimer={f['hrtimer']}"
    if e.name in ("local_timer_entry", "local_timer_exit", "call_function_single_entry",
                  "call_function_single_exit"):
        return e.name, f"vector={f['vector']}"
    if e.name == "ipi_send_cpu":
        return e.name, (f"cpu={f['cpu']} callsite=ttwu_queue_wakelist+0x11d/0x150 "
                        "callback=generic_smp_call_function_single_interrupt+0x0/0x10")
    if e.name == "napi_poll":
        return e.name, (f"napi poll on napi struct 00000000c0ffee00 for device {f['dev']} "
                        f"work {f['work']} budget 64")
    if e.name == "tracing_mark_write":
        if trace_cmd:
            return "print", f"tracing_mark_write: {f['text']}"
        return e.name, str(f["text"])
    raise AssertionError(e.name)


def lines(trace_cmd: bool = False) -> list[str]:
    evs = events()
    out = (["cpus=4"] if trace_cmd else [
        "# tracer: nop", "#", f"# entries-in-buffer/entries-written: {len(evs)}/{len(evs)}"
        "   #P:4", "#",
        "#                                _-----=> irqs-off/BH-disabled",
        "#                               / _----=> need-resched",
        "#                              | / _---=> hardirq/softirq",
        "#                              || / _--=> preempt-depth",
        "#                              ||| / _-=> migrate-disable",
        "#                              |||| /     delay",
        "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
        "#              | |         |   |||||     |         |"])
    for e in evs:
        name, text = _body(e, trace_cmd)
        sec, usec = _ts(e.us)
        comm, pid, _ = e.task
        comm = "<idle>" if pid == 0 else comm
        if trace_cmd:
            out.append(f"{comm:>16}-{pid:<5} [{e.cpu:03d}] {sec:>5}.{usec:06d}: "
                       f"{name + ':':<21} {text}")
        else:
            out.append(f"{comm:>16}-{pid:<7} [{e.cpu:03d}] {e.flags} {sec:>5}.{usec:06d}: "
                       f"{name}: {text}")
    return out


def write(path: Path, trace_cmd: bool = False) -> Path:
    text = "\n".join(lines(trace_cmd)) + "\n"
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
