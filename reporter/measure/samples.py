"""Streams sample files (one value per line, CSV, jitterdebugger samples) into figures.

Each block of whole lines (2 MiB; 1 MiB with many columns) is first tried on a
fast path: the block's "skeleton" (the block without its digits) must be the
first line's skeleton repeated, which proves that every line has the same
fields and no stray bytes; then numpy parses all numbers at once and the counts
are checked. A block that fails (a NaN, a unit suffix, a comment, a truncated
row...) is cut in halves down to small pieces, which go through the slow path:
one line at a time, with a precise reason and line number for every bad row.
"""

from __future__ import annotations

import csv
import math
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from reporter.measure.columns import by_fromstring, by_position
from reporter.measure.distribution import MAX_PLAUSIBLE_US
from reporter.measure.layout import Layout
from reporter.measure.textfile import (
    BLOCK_BYTES,
    POSITIONAL_BLOCK_BYTES,
    keep_memory_flat,
    read_blocks,
)
from reporter.measure.units import TO_US, in_us, unit_name
from reporter.model.findings import BadRow

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

DIGITS = b"0123456789"
AHEAD = 2  # blocks parsed ahead, in as many threads
POSITIONAL_FROM_COLUMNS = 2  # more columns than this: read only the needed ones (measured)
SLOW_LINES = 256  # blocks that fail the fast path are halved down to this many lines
MAX_BAD_EXAMPLES = 20
MAX_CPU = 4095

NUMBER_RE = re.compile(
    r"^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?))\s*([A-Za-zµμ]+)?$",
    re.IGNORECASE,
)

# The sink gets each chunk of good rows: latencies in usecs, CPUs (or None), times in s (or None).
Sink = Callable[[Any, Any, Any], None]


@dataclass
class ReadTotals:
    rows: int = 0
    bad_rows: int = 0
    excused_bad: int = 0  # bad rows that do not count towards refusing the file
    bad_examples: list[BadRow] = field(default_factory=list)
    first_time_s: float | None = None
    last_time_s: float | None = None
    stopped_early: bool = False  # too many bad rows: reading stopped


class SampleReader:
    """Reads one sample file's data lines into a sink."""

    def __init__(self, layout: Layout, sink: Sink, *, want_time: bool = False) -> None:
        self.layout = layout
        self.sink = sink
        self.want_time = want_time and layout.time_col is not None
        self.totals = ReadTotals()
        self._time_factor = TO_US[layout.time_unit] / 1e6
        seps = b"\r\n" + (layout.delimiter or b"")
        self._to_space = bytes.maketrans(seps, b" " * len(seps))
        self._allowed = set(seps + b".")

    def run(self, fh: BinaryIO, file_size: int, block_bytes: int = BLOCK_BYTES) -> ReadTotals:
        """Read every data line. The fast path of the next block runs in a second thread
        while this one counts the previous block (numpy lets go of the GIL meanwhile)."""
        from concurrent.futures import ThreadPoolExecutor

        keep_memory_flat()
        if self.layout.delimiter not in (b" ", None) and \
                self.layout.ncols > POSITIONAL_FROM_COLUMNS:
            block_bytes = min(block_bytes, POSITIONAL_BLOCK_BYTES)
        done = 0
        line = self.layout.data_line
        tail: list[bytes] = []

        def whole_blocks() -> Iterator[bytes]:
            for block in read_blocks(fh, self.layout.data_offset, block_bytes):
                if block.unterminated:
                    tail.append(block.data)
                    return
                yield block.data

        with ThreadPoolExecutor(max_workers=AHEAD, thread_name_prefix="measure") as pool:
            for data, future in _ahead(pool, self._fast, whole_blocks()):
                line += self._block(data, line, future.result())
                done += len(data)
                if self._hopeless(done, file_size):
                    self.totals.stopped_early = True
                    return self.totals
            if tail:
                self._tail(tail[0], line)
        return self.totals

    # -- fast path -----------------------------------------------------------

    def _block(self, data: bytes, first_line: int, rows: Any = False) -> int:
        """Read the block's lines (`rows`: its fast path, if already run); returns how many."""
        if rows is False:
            rows = self._fast(data)
        if rows is not None:
            n: int = rows[3]
            self._accept(rows[0], rows[1], rows[2], first_line)
            if self.layout.time_col is not None and not self.want_time:
                self._note_times(data)
            return n
        n = data.count(b"\n")
        if n <= SLOW_LINES:
            self._slow(data, first_line)
            return n
        mid = data.find(b"\n", len(data) // 2) + 1
        if mid <= 0 or mid >= len(data):
            mid = data.rfind(b"\n", 0, len(data) - 1) + 1
        first = self._block(data[:mid], first_line)
        return first + self._block(data[mid:], first_line + first)

    def _fast(self, data: bytes) -> tuple[Any, Any, Any, int] | None:
        """(latencies, CPUs, times, lines) when every line has the same clean shape."""

        skel = data.translate(None, DIGITS)
        end = skel.find(b"\n") + 1
        if end <= 0 or len(skel) % end or len(skel) == len(data):
            return None  # (numpy reads a blank-only buffer as one phantom 0)
        n = len(skel) // end
        pattern = skel[:end]
        if not set(pattern) <= self._allowed or skel != pattern * n:
            return None
        body = pattern[:-1].rstrip(b"\r")
        lay = self.layout
        fields = [body] if lay.delimiter is None else body.split(lay.delimiter)
        if len(fields) != lay.ncols or any(f not in (b"", b".") for f in fields):
            return None
        dotted = [f == b"." for f in fields]
        if lay.cpu_col is not None and dotted[lay.cpu_col]:
            return None
        time_col = lay.time_col if self.want_time else None
        if lay.delimiter not in (b" ", None) and lay.ncols > POSITIONAL_FROM_COLUMNS:
            return by_position(data, pattern, lay, n, time_col)
        return by_fromstring(data, self._to_space, lay, n, dotted, time_col)

    def _accept(self, lat: Any, cpu: Any, times: Any, first_line: int) -> None:
        """Convert to usecs, set bad values aside with their line numbers, feed the sink."""
        import numpy as np

        n = int(lat.size)
        self.totals.rows += n
        if lat.dtype.kind in "iu" and self.layout.unit == "us":
            us = lat
        else:
            us = in_us(lat.astype(np.float64), self.layout.unit)
        lo, hi = us.min(), us.max()
        bad_cpu = cpu is not None and (int(cpu.min()) < 0 or int(cpu.max()) > MAX_CPU)
        if not (lo >= 0 and hi <= MAX_PLAUSIBLE_US) or bad_cpu:  # NaN fails both tests
            good = (us >= 0) & (us <= MAX_PLAUSIBLE_US)
            if cpu is not None:
                good &= (cpu >= 0) & (cpu <= MAX_CPU)
            for i in np.flatnonzero(~good).tolist():
                if cpu is not None and not 0 <= int(cpu[i]) <= MAX_CPU:
                    reason = f"CPU number {int(cpu[i])} out of range"
                else:
                    reason = _value_problem(float(lat[i]), float(us[i]), self.layout.unit)
                self._bad(first_line + i, reason)
            us = us[good]
            cpu = cpu[good] if cpu is not None else None
            times = times[good] if times is not None else None
        if times is not None:
            times = times * self._time_factor
            if times.size:
                self._times(float(times[0]), float(times[-1]))
        self.sink(us, cpu, times)

    def _note_times(self, data: bytes) -> None:
        first = data[: data.find(b"\n")]
        last = data[data.rfind(b"\n", 0, len(data) - 1) + 1: -1]
        t0, t1 = self._time_of(first), self._time_of(last)
        if t0 is not None and t1 is not None:
            self._times(t0, t1)

    def _time_of(self, line: bytes) -> float | None:
        fields = self._split(line.decode("ascii", "replace").strip())
        try:
            return float(fields[self.layout.time_col or 0]) * self._time_factor
        except (IndexError, ValueError):
            return None

    def _times(self, first: float, last: float) -> None:
        if self.totals.first_time_s is None:
            self.totals.first_time_s = first
        self.totals.last_time_s = last

    # -- slow path -----------------------------------------------------------

    def _slow(self, data: bytes, first_line: int) -> None:
        import numpy as np

        lines = data.split(b"\n")
        if data.endswith(b"\n"):
            lines.pop()
        lats: list[float] = []
        cpus: list[int] = []
        times: list[float] = []
        for i, raw in enumerate(lines):
            parsed = self._parse_line(raw)
            if parsed is None:
                continue
            self.totals.rows += 1
            if isinstance(parsed, str):
                self._bad(first_line + i, parsed)
                continue
            lats.append(parsed[0])
            cpus.append(parsed[1])
            if parsed[2] is not None:
                times.append(parsed[2])
        if times:
            self._times(times[0], times[-1])
        if lats:
            cpu = np.array(cpus, dtype=np.int64) if self.layout.cpu_col is not None else None
            t = np.array(times, dtype=np.float64) if self.want_time and times else None
            self.sink(np.array(lats, dtype=np.float64), cpu, t)

    def _tail(self, data: bytes, line: int) -> None:
        """The last line has no end of line: the file may have been cut while written."""
        parsed = self._parse_line(data)
        if parsed is None:
            return
        if not isinstance(parsed, str) and self.totals.rows == 0:
            self._slow(data, line)  # a one-value file without a newline
            return
        self.totals.rows += 1
        self.totals.excused_bad += 1
        self._bad(line, "truncated last line (no end of line)")

    def _parse_line(self, raw: bytes) -> tuple[float, int, float | None] | str | None:
        """(usecs, cpu, time) of a good row, the reason for a bad one, None to skip it."""
        if b"\x00" in raw:
            return "NUL bytes in the line"
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            return "not text (undecodable bytes)"
        if not text or text.startswith("#"):
            return None
        fields = self._split(text)
        lay = self.layout
        if len(fields) != lay.ncols:
            return f"{len(fields)} fields, expected {lay.ncols}"
        us = _parse_latency(fields[lay.latency_col], lay.unit)
        if isinstance(us, str):
            return us
        cpu = 0
        if lay.cpu_col is not None:
            try:
                cpu = int(fields[lay.cpu_col])
            except ValueError:
                return f"CPU {fields[lay.cpu_col]!r} is not a number"
            if not 0 <= cpu <= MAX_CPU:
                return f"CPU number {cpu} out of range"
        t = None
        if lay.time_col is not None:
            try:
                t = float(fields[lay.time_col]) * self._time_factor
            except ValueError:
                return f"time {_short(fields[lay.time_col])} is not a number"
            if not math.isfinite(t):
                return f"time {_short(fields[lay.time_col])} is not a number"
        return us, cpu, t

    def _split(self, text: str) -> list[str]:
        delim = self.layout.delimiter
        if delim is None:
            return [text]  # one value per line, perhaps with its unit: "121 us"
        if delim == b" ":
            return text.split()
        sep = delim.decode("ascii")
        if '"' in text:
            return [f.strip() for f in next(csv.reader([text], delimiter=sep))]
        return [f.strip() for f in text.split(sep)]

    # -- bad rows ----------------------------------------------------------------

    def _bad(self, line: int, reason: str) -> None:
        self.totals.bad_rows += 1
        if len(self.totals.bad_examples) < MAX_BAD_EXAMPLES:
            self.totals.bad_examples.append(BadRow(line, reason))

    def _hopeless(self, done: int, file_size: int) -> bool:
        """Stop reading a file that will be refused anyway (twice the allowed bad rows)."""
        bad = self.totals.bad_rows - self.totals.excused_bad
        if bad < 1000 or done <= 0:
            return False
        expected_rows = self.totals.rows * max(file_size, done) / done
        return bad > 0.002 * expected_rows


def _parse_latency(text: str, unit: str) -> float | str:
    """The value in usecs, or why the row is bad."""
    match = NUMBER_RE.match(text.strip())
    if not match:
        return f"not a number: {_short(text)}"
    value = float(match.group(1))
    if not math.isfinite(value):
        return f"not a finite number: {_short(text)}"
    if match.group(2):
        own = unit_name(match.group(2))
        if own is None:
            return f"unknown unit {match.group(2)!r}"
        if own != unit:
            return f"mixed units: {own} in a file of {unit}"
    us = in_us(value, unit)
    problem = _range_problem(value, us, unit)
    return problem if problem else us


def _value_problem(value: float, us: float, unit: str) -> str:
    if not math.isfinite(value):
        return f"not a finite number: {value}"
    return _range_problem(value, us, unit) or "bad value"


def _range_problem(value: float, us: float, unit: str) -> str | None:
    if value < 0:
        return f"negative latency: {_num(value)} {unit}"
    if us > MAX_PLAUSIBLE_US:
        return f"absurd latency: {_num(value)} {unit} (over {MAX_PLAUSIBLE_US // 1_000_000} s)"
    return None


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 1e18 else f"{value:g}"


def _short(text: str) -> str:
    return repr(text if len(text) <= 24 else text[:21] + "...")


def _ahead(pool: Executor, parse: Callable[[bytes], Any], blocks: Iterable[bytes]
           ) -> Iterator[tuple[bytes, Future[Any]]]:
    """Each block with its parse, in order, while up to AHEAD more parse in the pool."""
    pending: deque[tuple[bytes, Future[Any]]] = deque()
    for data in blocks:
        pending.append((data, pool.submit(parse, data)))
        if len(pending) > AHEAD:
            yield pending.popleft()
    yield from pending
