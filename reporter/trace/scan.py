"""Reads a trace in two passes: first the marks and a time index of its blocks, then the
events of the time ranges asked for, so that memory holds one window, whatever the size.

The first pass looks at every byte but parses no line: it searches each block for
cyclictest's tracemark and reads one timestamp every STEP_BYTES. The second pass
starts at the indexed offset before a range and parses lines until the range ends.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import InputError
from reporter.trace.lines import Event, is_comment, line_ts, parse_line
from reporter.trace.source import BLOCK_BYTES, check, line_number, read_blocks

log = logging.getLogger(__name__)

MARK_NEEDLE = b"hit latency threshold ("
MARK_RE = re.compile(r"hit latency threshold \((\d+) > (\d+)\)")
BAD_LINE_LIMIT = 0.01  # a range with more unreadable lines than this share is refused
STEP_BYTES = 256 << 10  # the index keeps a time about this often: the second pass starts
# at most this far before the range it reads


@dataclass(frozen=True)
class Mark:
    """cyclictest's `hit latency threshold (N > T)`, written when a wake-up came N usecs late."""

    ts: int  # ns
    cpu: int
    comm: str
    pid: int
    latency_us: int
    threshold_us: int


@dataclass(frozen=True)
class Index:
    path: Path
    format: str  # tracefs | trace-cmd
    marks: tuple[Mark, ...]
    offsets: tuple[int, ...]  # byte offsets of line starts, about every STEP_BYTES
    first_ts: tuple[int, ...]  # the time of the first event at or after each offset
    start_ts: int | None  # the trace's first and last event times
    end_ts: int | None
    cpus: int | None  # from the header (`#P:2`, `cpus=2`), when it says


def index(path: Path, block_bytes: int = BLOCK_BYTES) -> Index:
    """The first pass: marks, and times at byte offsets. InputError for a file that is not
    a trace, is truncated, or holds no event."""
    fmt = check(path)
    marks: list[Mark] = []
    offsets: list[int] = []
    first: list[int] = []
    cpus: int | None = None
    last_block = b""
    step = max(4096, min(STEP_BYTES, block_bytes // 4))
    for block in read_blocks(path, block_bytes=block_bytes):
        data = block.data
        if cpus is None and block.offset == 0:
            cpus = _cpus(data)
        pos = 0
        while pos < len(data):
            found = _first_ts(data, pos)
            if found is not None and (not first or found[1] >= first[-1]):
                offsets.append(block.offset + pos)
                first.append(found[1])
            nxt = data.find(b"\n", pos + step) + 1
            if nxt == 0:
                break
            pos = nxt
        pos = data.find(MARK_NEEDLE)
        while pos >= 0:
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", pos)
            mark = _mark(data[start:end].decode("utf-8", "replace"))
            if mark is not None:
                marks.append(mark)
            pos = data.find(MARK_NEEDLE, end)
        last_block = data
    if not first:
        raise InputError(f"{path}: the trace holds no events",
                         hint="was tracing on, with events enabled, while it was recorded?")
    return Index(path, fmt, tuple(marks), tuple(offsets), tuple(first), first[0],
                 _last_ts(last_block) or first[-1], cpus)


def events_between(idx: Index, start_ns: int, end_ns: int,
                   block_bytes: int = BLOCK_BYTES) -> list[Event]:
    """The events with start_ns <= ts <= end_ns, in file order, with the lost-events and
    buffer-started markers among them. InputError when too many lines are unreadable."""
    if not idx.offsets:
        return []
    i = max(0, bisect.bisect_left(idx.first_ts, start_ns) - 1)
    out: list[Event] = []
    bad = 0
    first_bad: tuple[int, str] | None = None  # (byte offset, text)
    last_ts = start_ns
    for block in read_blocks(idx.path, idx.offsets[i], block_bytes):
        done = False
        pos = block.offset
        for raw in block.data.split(b"\n"):
            text = raw.decode("utf-8", "replace")
            event = parse_line(text, last_ts)
            here, pos = pos, pos + len(raw) + 1
            if event is None:
                if not is_comment(text):
                    bad += 1
                    first_bad = first_bad or (here, text.strip()[:60])
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
        if done:
            break
    if first_bad is not None and bad > BAD_LINE_LIMIT * max(len(out), 1):
        offset, text = first_bad
        raise InputError(f"{idx.path}: {line_number(idx.path, offset)} is not ftrace text: "
                         f"{text!r} ({bad} such lines in the window)",
                         hint="the file is damaged; record or copy it again")
    if first_bad is not None:
        log.warning("%s: %d unreadable lines in the window skipped (the first: %s)",
                    idx.path, bad, line_number(idx.path, first_bad[0]))
    return out


def _mark(text: str) -> Mark | None:
    event = parse_line(text)
    if event is None or event.pid < 0:
        return None
    m = MARK_RE.search(event.body)
    if m is None or event.name not in ("tracing_mark_write", "print", "bprint", "bputs"):
        return None
    return Mark(event.ts, event.cpu, event.comm, event.pid, int(m.group(1)), int(m.group(2)))


def _first_ts(data: bytes, pos: int) -> tuple[int, int] | None:
    """(line start, time) of the first event line at or after `pos` (a line start)."""
    for _ in range(64):  # header lines come first; an event line is near
        end = data.find(b"\n", pos)
        if end < 0:
            return None
        ts = line_ts(data[pos:end]) if not data.startswith(b"#", pos) else None
        if ts is not None:
            return pos, ts
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
