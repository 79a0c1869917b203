"""One line of ftrace text, as `/sys/kernel/tracing/trace` or `trace-cmd report` prints it.

The shapes read (each with 6 or 9 decimals in the timestamp):

    tracefs:        `  comm-pid  [003] d.h1.  191.670430: name: body` (`(tgid)` and the
                    flags column optional, as the record-tgid and irq-info options make them)
    trace-cmd:      `  comm-pid  [003]  191.670430: name:   body`
    trace-cmd -l:   `comm-pid    3d.h1.  191.670430: name: body` (comm cut to 8 characters)

plus the lines that say a CPU's events were lost (`CPU:1 [LOST 42 EVENTS]`,
`CPU:1 [42 EVENTS DROPPED]`) or that a CPU's buffer starts here
(`##### CPU 1 buffer started ####`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

LOST = "<lost>"  # Event.name of a lost-events line; body holds the count
STARTED = "<started>"  # Event.name of a buffer-started line


class Event(NamedTuple):
    """One event. A NamedTuple rather than a dataclass: a window holds many, made fast."""

    ts: int  # nanoseconds on the trace clock
    cpu: int
    comm: str  # the task current on the CPU when the event was recorded
    pid: int
    flags: str  # irqs-off, need-resched, context, preempt depth ("dNh1."); "" when not printed
    name: str
    body: str


LINE_RE = re.compile(
    r"\s*(?P<comm>.*?)-(?P<pid>\d+)\s+"
    r"(?:\(\s*[-\d]+\)\s+)?"  # the tgid column (record-tgid)
    r"(?:\[(?P<cpu>\d+)\](?:\s+(?P<flags>[.\w]{4,6}(?=\s)))?"
    r"|(?P<lcpu>\d+)(?P<lflags>[^\s\d:][.\w]{3,5}))"  # trace-cmd -l: cpu and flags together
    r"\s+(?P<sec>\d+)\.(?P<frac>\d{1,9}):\s+(?P<name>\w+):\s*(?P<body>.*?)\s*$")
LOST_RE = re.compile(r"\s*CPU:\s*(\d+)\s+\[(?:LOST (\d+) EVENTS|(\d+) EVENTS DROPPED)\]")
STARTED_RE = re.compile(r"\s*#{5} CPU (\d+) buffer started")
# The timestamp alone, for indexing blocks without parsing their lines.
TS_BYTES_RE = re.compile(rb"\s(\d+)\.(\d{6}|\d{9}):\s")


def to_ns(sec: str | bytes, frac: str | bytes) -> int:
    """`191`, `670430` (usecs) or `670430123` (nsecs) -> nanoseconds."""
    scale: int = 10 ** (9 - len(frac))
    return int(sec) * 1_000_000_000 + int(frac) * scale


def parse_line(text: str, last_ts: int = 0) -> Event | None:
    """The event on the line; a lost-events or buffer-started line gives a marker event
    (at `last_ts`, as those lines carry no time); None for anything else."""
    m = LINE_RE.match(text)
    if m is not None:
        cpu = m.group("cpu") or m.group("lcpu")
        flags = m.group("flags") or m.group("lflags") or ""
        return Event(to_ns(m.group("sec"), m.group("frac")), int(cpu), m.group("comm"),
                     int(m.group("pid")), flags, m.group("name"), m.group("body"))
    lost = LOST_RE.match(text)
    if lost is not None:
        count = lost.group(2) or lost.group(3)
        return Event(last_ts, int(lost.group(1)), "", -1, "", LOST, count)
    started = STARTED_RE.match(text)
    if started is not None:
        return Event(last_ts, int(started.group(1)), "", -1, "", STARTED, "")
    return None


def is_comment(text: str) -> bool:
    """Header and comment lines of both formats, and blank lines."""
    stripped = text.strip()
    return (not stripped or stripped.startswith("#") or stripped.startswith("cpus=")
            or stripped.startswith("version =") or bool(re.match(r"CPU \d+ is empty", stripped)))


def line_ts(raw: bytes) -> int | None:
    """The timestamp of an event line, found without parsing the rest of it."""
    m = TS_BYTES_RE.search(raw)
    return to_ns(m.group(1), m.group(2)) if m else None


def format_ts(ns: int) -> str:
    """Nanoseconds -> `191.670430`, as the trace prints it."""
    return f"{ns // 1_000_000_000}.{ns % 1_000_000_000 // 1000:06d}"


def parse_timestamp(text: str) -> int | None:
    """`--at 191.670430` (seconds on the trace clock) -> nanoseconds; None if not a time."""
    m = re.fullmatch(r"\s*(\d+)(?:\.(\d{1,9}))?\s*", text)
    if m is None:
        return None
    return to_ns(m.group(1), m.group(2) or "0")
