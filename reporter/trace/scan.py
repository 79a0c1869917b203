"""Reads a trace in two passes: first the marks and a time index of its blocks, then the
events of the time ranges asked for, so that memory holds one window, whatever the size.

The first pass looks at every byte but parses no line: it searches each block for
cyclictest's tracemark and reads the timestamp of the block's first event. The
second pass starts at the block before a range and parses lines until the range ends.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import InputError
from reporter.trace.lines import Event, is_comment, line_ts, parse_line
from reporter.trace.source import BLOCK_BYTES, check, read_blocks

log = logging.getLogger(__name__)

MARK_NEEDLE = b"hit latency threshold ("
MARK_RE = re.compile(r"hit latency threshold \((\d+) > (\d+)\)")
BAD_LINE_LIMIT = 0.01  # a range with more unreadable lines than this share is refused


@dataclass(frozen=True)
class Mark:
    """cyclictest's `hit latency threshold (N > T)`, written when a wake-up came N usecs late."""

    ts: int  # ns
    cpu: int
    comm: str
    pid: int
    latency_us: int
    threshold_us: int
    line: int


@dataclass(frozen=True)
class Index:
    path: Path
    format: str  # tracefs | trace-cmd
    marks: tuple[Mark, ...]
    offsets: tuple[int, ...]  # byte offset of each block
    lines: tuple[int, ...]  # the number of each block's first line
    first_ts: tuple[int, ...]  # the first timestamp in each block (or the previous block's)
    start_ts: int | None  # the trace's first and last event times
    end_ts: int | None
    cpus: int | None  # from the header (`#P:2`, `cpus=2`), when it says


def index(path: Path, block_bytes: int = BLOCK_BYTES) -> Index:
    """The first pass: marks, block offsets and times. InputError for a file that is not a
    trace, is truncated, or holds no event."""
    fmt = check(path)
    marks: list[Mark] = []
    offsets: list[int] = []
    lines: list[int] = []
    first: list[int] = []
    cpus: int | None = None
    last_ts: int | None = None
    for block in read_blocks(path, block_bytes=block_bytes):
        data = block.data
        if cpus is None and block.offset == 0:
            cpus = _cpus(data)
        ts = _first_ts(data)
        if ts is None:
            ts = last_ts
        if ts is not None:
            offsets.append(block.offset)
            lines.append(block.first_line)
            first.append(ts)
            last_ts = _last_ts(data) or last_ts
        pos = data.find(MARK_NEEDLE)
        while pos >= 0:
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", pos)
            mark = _mark(data[start:end].decode("utf-8", "replace"),
                         block.first_line + data.count(b"\n", 0, start))
            if mark is not None:
                marks.append(mark)
            pos = data.find(MARK_NEEDLE, end)
    if not first:
        raise InputError(f"{path}: the trace holds no events",
                         hint="was tracing on, with events enabled, while it was recorded?")
    return Index(path, fmt, tuple(marks), tuple(offsets), tuple(lines), tuple(first),
                 first[0], last_ts, cpus)


def events_between(idx: Index, start_ns: int, end_ns: int,
                   block_bytes: int = BLOCK_BYTES) -> list[Event]:
    """The events with start_ns <= ts <= end_ns, in file order, with the lost-events and
    buffer-started markers among them. InputError when too many lines are unreadable."""
    i = max(0, bisect.bisect_left(idx.first_ts, start_ns) - 1)
    if not idx.offsets:
        return []
    out: list[Event] = []
    bad = 0
    first_bad: tuple[int, str] | None = None
    last_ts = start_ns
    seen = 0
    for block in read_blocks(idx.path, idx.offsets[i], idx.lines[i], block_bytes):
        done = False
        number = block.first_line
        for raw in block.data.decode("utf-8", "replace").split("\n"):
            event = parse_line(raw, number, last_ts)
            number += 1
            if event is None:
                if not is_comment(raw):
                    bad += 1
                    first_bad = first_bad or (number - 1, raw.strip()[:60])
                continue
            if event.pid >= 0:
                if event.ts < start_ns:
                    continue
                if event.ts > end_ns:
                    done = True
                    break
                last_ts = event.ts
            elif event.ts < start_ns:
                continue
            out.append(event)
            seen += 1
        if done:
            break
    if first_bad is not None and bad > BAD_LINE_LIMIT * max(seen, 1):
        line, text = first_bad
        raise InputError(f"{idx.path}: line {line} is not ftrace text: {text!r} "
                         f"({bad} such lines in the window)",
                         hint="the file is damaged; record or copy it again")
    if bad:
        log.warning("%s: %d unreadable lines in the window skipped (the first: line %d)",
                    idx.path, bad, first_bad[0] if first_bad else 0)
    return out


def stream(idx: Index, block_bytes: int = BLOCK_BYTES) -> Iterator[Event]:
    """Every event of the file, in order (for tools that need all of it, such as trimming)."""
    number = 1
    last_ts = 0
    for block in read_blocks(idx.path, block_bytes=block_bytes):
        number = block.first_line
        for raw in block.data.decode("utf-8", "replace").split("\n"):
            event = parse_line(raw, number, last_ts)
            number += 1
            if event is not None:
                last_ts = event.ts if event.pid >= 0 else last_ts
                yield event


def _mark(text: str, number: int) -> Mark | None:
    event = parse_line(text, number)
    if event is None or event.pid < 0:
        return None
    m = MARK_RE.search(event.body)
    if m is None or event.name not in ("tracing_mark_write", "print", "bprint", "bputs"):
        return None
    return Mark(event.ts, event.cpu, event.comm, event.pid, int(m.group(1)), int(m.group(2)),
                number)


def _first_ts(data: bytes) -> int | None:
    pos = 0
    for _ in range(64):  # header lines come first; an event line is near
        end = data.find(b"\n", pos)
        if end < 0:
            return None
        ts = line_ts(data[pos:end]) if not data.startswith(b"#", pos) else None
        if ts is not None:
            return ts
        pos = end + 1
    return None


def _last_ts(data: bytes) -> int | None:
    end = len(data) - 1
    for _ in range(64):
        start = data.rfind(b"\n", 0, end) + 1
        ts = line_ts(data[start:end])
        if ts is not None:
            return ts
        if start == 0:
            return None
        end = start - 1
    return None


def _cpus(data: bytes) -> int | None:
    m = re.search(rb"^# entries-in-buffer/entries-written: \d+/\d+\s+#P:(\d+)|^cpus=(\d+)",
                  data[:8192], re.MULTILINE)
    if m is None:
        return None
    return int(m.group(1) or m.group(2))
