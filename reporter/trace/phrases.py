"""The small phrases of a breakdown: times relative to t0, durations, tasks and CPUs."""

from __future__ import annotations

from reporter.trace import fields
from reporter.trace.model import Task


def rel(ns: int, t0: int) -> str:
    """A time as the engineer writes it: `t0-3000`, `t0`, `t0+272` (usecs)."""
    d = round((ns - t0) / 1000)
    return "t0" if d == 0 else f"t0{d:+d}"


def dur(ns: int) -> str:
    return f"{round(ns / 1000)} us"


def cpu(n: int) -> str:
    return f"cpu#{n}"


def task(t: Task) -> str:
    """`tokio-rt-worker-7528 (SCHED_OTHER)`, `cyclictest-7534 (RT 90)`, `idle`."""
    if t.pid == fields.IDLE_PID:
        return "idle"
    policy = fields.policy(t.prio)
    return f"{t.name} ({policy})" if policy else t.name


def times(n: int) -> str:
    return f"x{n}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
