"""Reads cyclictest's text output: the `T:` summary lines and the `-h` histogram, anywhere.

Shapes from rt-tests' cyclictest (src/cyclictest/cyclictest.c, checked against
the Debian rt-tests 2.4 binary): the histogram rows are `%06d` followed by one
`%06lu` count per thread (and one for all threads with -H); `# Total:` is the sum
of each thread's buckets, so a thread's samples are its total plus its
`# Histogram Overflows:`; overflows are latencies of the histogram size or more.
Without -q, live `T:` lines (with VT100 escapes) come first, so the histogram
may start anywhere: one pass reads both, and the histogram wins when there is one.
The text carries no unit: with -N every figure (and bucket) is in nsecs, which
only the `unit` option can say; figures that can only be nsecs get a warning.
"""

from __future__ import annotations

import array
import re
from dataclasses import dataclass, field
from typing import BinaryIO

from reporter.measure.distribution import Table
from reporter.measure.figures import Result, combine_summaries, histogram_stats, summary_stats
from reporter.measure.textfile import Refused, iter_lines
from reporter.measure.units import in_us
from reporter.model.findings import BadRow, CpuFigures, Figures

ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
T_RE = re.compile(
    r"^T:\s*(?P<thread>\d+)\s*\(\s*(?P<tid>\d+)\)\s*P:\s*(?P<prio>\d+)\s+I:\s*(?P<interval>\d+)"
    r"\s+C:\s*(?P<cycles>\d+)\s+Min:\s*(?P<min>\d+)\s+Act:\s*(?P<act>\d+)\s+Avg:\s*(?P<avg>\d+)"
    r"\s+Max:\s*(?P<max>\d+)\s*$"
)
_T_THREAD_RE = re.compile(r"^T:\s*(\d+)")
_TRAILER_RE = re.compile(
    r"^#\s*(Total|Min Latencies|Avg Latencies|Max Latencies|Histogram Overflows):\s*(.*)$")
_TRAILER_KEYS = ("Total", "Min Latencies", "Avg Latencies", "Max Latencies",
                 "Histogram Overflows")
_ROW_RE = re.compile(r"^(\d+)((?:[ \t]+\d+)+)$")
MAX_BAD_EXAMPLES = 20
NS_HINT_US = 1000.0  # every thread's minimum above 1 ms: cyclictest ran with -N

HistPart = tuple[str, Table, float, float, float, int]


@dataclass
class _Text:
    """What one pass over the file found."""

    threads: dict[int, tuple[re.Match[str], int]] = field(default_factory=dict)
    cut: dict[int, int] = field(default_factory=dict)  # thread -> line of a cut T: line
    trailer: dict[str, list[int]] = field(default_factory=dict)
    trailer_cut: int | None = None
    buckets: array.array[int] = field(default_factory=lambda: array.array("q"))
    counts: list[array.array[int]] = field(default_factory=list)
    hist_line: int | None = None
    rows: int = 0
    bad_rows: int = 0
    bad: list[BadRow] = field(default_factory=list)
    last_line: int = 0

    def add_bad(self, number: int, reason: str) -> None:
        self.bad_rows += 1
        if len(self.bad) < MAX_BAD_EXAMPLES:
            self.bad.append(BadRow(number, reason))


def parse_text(fh: BinaryIO, offset: int, threshold_us: float | None,
               unit: str | None) -> Result:
    found = _read(fh, offset)
    if found.hist_line is not None or found.trailer or found.buckets:
        return _histogram(found, threshold_us, unit)
    return _summary(found, threshold_us, unit)


def _read(fh: BinaryIO, offset: int) -> _Text:
    t = _Text()
    for number, raw in iter_lines(fh, offset):
        t.last_line = number
        cut = not raw.endswith(b"\n")  # cut while written: even a match may be cut short
        if b"\x00" in raw:
            t.rows += 1
            t.add_bad(number, "NUL bytes in the line")
            continue
        text = ANSI_RE.sub("", raw.decode("utf-8", "replace")).strip()
        if not text:
            continue
        if text.startswith("#"):
            if text == "# Histogram":
                t.hist_line = number
            match = _TRAILER_RE.match(text)
            if match:
                if cut:
                    t.trailer_cut = number
                try:
                    t.trailer[match.group(1)] = [int(v) for v in match.group(2).split()]
                except ValueError:
                    raise Refused(f"line {number}: malformed '# {match.group(1)}:' line") \
                        from None
            continue
        if text.startswith("T:"):
            thread = _T_THREAD_RE.match(text)
            full = T_RE.match(text)
            if thread is None:
                t.rows += 1
                t.add_bad(number, "not a cyclictest T: line")
            elif full and not cut:
                t.threads[int(thread.group(1))] = (full, number)
            else:
                t.cut[int(thread.group(1))] = number
            continue
        if not text[0].isdigit():
            continue  # "policy: ..." and other chatter of a run without -q
        t.rows += 1
        row = _ROW_RE.match(text)
        if not row or cut:
            t.add_bad(number, "truncated histogram row" if cut else "not a histogram row")
            continue
        values = [int(v) for v in row.group(2).split()]
        if not t.counts:
            t.counts = [array.array("q") for _ in values]
        if len(values) != len(t.counts):
            t.add_bad(number, f"{len(values)} counts, expected {len(t.counts)}")
            continue
        t.buckets.append(int(row.group(1)))
        for column, value in zip(t.counts, values, strict=True):
            column.append(value)
    return t


def _summary(t: _Text, threshold_us: float | None, unit: str | None) -> Result:
    """The last complete `T:` line of each thread (cyclictest refreshes them while it runs)."""
    warnings: list[str] = []
    for thread, line in sorted(t.cut.items()):
        if thread not in t.threads:
            raise Refused(f"line {line}: thread {thread}'s T: line is cut short and it has no "
                          "complete one: the file is truncated")
        good, good_line = t.threads[thread]
        if line > good_line:
            warnings.append(f"line {line}: thread {thread}'s last T: line is cut short; its "
                            f"figures are those of line {good_line} (C: {good.group('cycles')})")
    if not t.threads:
        raise Refused("no complete cyclictest T: line")
    used = unit or "us"
    parts: list[tuple[str, Figures]] = []
    durations = []
    mins = []
    for thread, (m, _) in sorted(t.threads.items()):
        cycles = int(m.group("cycles"))
        if cycles == 0:
            continue
        durations.append(cycles * int(m.group("interval")) / 1e6)
        mins.append(float(m.group("min")))
        parts.append((f"thread {thread}", summary_stats(
            samples=cycles, min_us=in_us(float(m.group("min")), used),
            avg_us=in_us(float(m.group("avg")), used), max_us=in_us(float(m.group("max")), used),
            threshold_us=threshold_us)))
    if not parts:
        raise Refused("cyclictest measured no cycles")
    warnings += _ns_warning(mins, unit, "Min:")
    overall = parts[0][1] if len(parts) == 1 else combine_summaries(parts, threshold_us)
    per_cpu = tuple(s.for_cpu(name) for name, s in parts) if len(parts) > 1 else ()
    return Result(format="cyclictest-summary", kind="cyclictest", overall=overall,
                  per_cpu=per_cpu, duration_s=max(durations) if durations else None,
                  rows=t.rows + len(t.threads), bad_rows=t.bad_rows,
                  bad_examples=tuple(t.bad), warnings=tuple(warnings))


def _histogram(t: _Text, threshold_us: float | None, unit: str | None) -> Result:
    """The `-h` histogram with its `#` trailer lines."""
    import numpy as np

    if t.trailer_cut is not None:
        raise Refused(f"line {t.trailer_cut}: the histogram's '#' line is cut short: the file "
                      "is truncated")
    for key in _TRAILER_KEYS:
        if key not in t.trailer:
            raise Refused(f"line {t.last_line}: the cyclictest histogram ends without its "
                          f"'# {key}:' line: the file is truncated")
    if not t.buckets:
        raise Refused("cyclictest histogram without rows")
    trailer = t.trailer
    nthreads = len(trailer["Min Latencies"])
    if nthreads == 0 or len(t.counts) < nthreads or any(
            len(trailer[k]) < nthreads for k in _TRAILER_KEYS):
        raise Refused("cyclictest histogram: the '#' lines do not agree on the thread count")
    used = unit or "us"
    bucket_arr = np.frombuffer(t.buckets, dtype=np.int64)
    values = in_us(bucket_arr.astype(np.float64), used)
    floor = in_us(float(bucket_arr.max()), used)
    parts: list[HistPart] = []
    for i in range(nthreads):
        col = np.frombuffer(t.counts[i], dtype=np.int64)
        if int(col.sum()) != trailer["Total"][i]:
            raise Refused(f"cyclictest histogram: thread {i}'s rows add up to {int(col.sum())}, "
                          f"not to its '# Total:' {trailer['Total'][i]} (truncated or edited?)")
        samples = trailer["Total"][i] + trailer["Histogram Overflows"][i]
        if samples == 0:
            continue
        dist = Table()
        dist.add(values, col)
        if trailer["Histogram Overflows"][i]:
            dist.add_overflow(trailer["Histogram Overflows"][i], floor)
        parts.append((f"thread {i}", dist, in_us(trailer["Min Latencies"][i], used),
                      in_us(trailer["Avg Latencies"][i], used),
                      in_us(trailer["Max Latencies"][i], used), samples))
    if not parts:
        raise Refused("cyclictest measured no cycles")
    duration = None
    if t.threads:
        duration = max(int(m.group("cycles")) * int(m.group("interval"))
                       for m, _ in t.threads.values()) / 1e6
    overall, per_cpu, total = combine_histograms(parts, threshold_us)
    warnings = _ns_warning([float(v) for v in trailer["Min Latencies"][:nthreads]], unit,
                           "'# Min Latencies:'")
    return Result(format="cyclictest-hist", kind="cyclictest", overall=overall,
                  per_cpu=per_cpu, duration_s=duration, rows=t.rows, bad_rows=t.bad_rows,
                  bad_examples=tuple(t.bad), distribution=total, warnings=tuple(warnings))


def _ns_warning(mins: list[float], unit: str | None, what: str) -> list[str]:
    if unit is None and mins and min(mins) > NS_HINT_US:
        return [f"every thread's {what} is above {NS_HINT_US:g} usecs: these look like the "
                "nsecs of cyclictest -N; if so, give --unit ns (or unit: ns in the "
                "measurements entry)"]
    return []


def combine_histograms(parts: list[HistPart], threshold_us: float | None,
                       ) -> tuple[Figures, tuple[CpuFigures, ...], Table]:
    """Overall and per-thread figures of histograms, and their merged table."""
    per: list[CpuFigures] = []
    total = Table()
    weighted = 0.0
    samples = 0
    for name, dist, lo, avg, hi, n in parts:
        stats = histogram_stats(dist, min_us=lo, max_us=hi, avg_us=avg,
                                threshold_us=threshold_us)
        per.append(stats.for_cpu(name))
        total.merge(dist)
        weighted += avg * n
        samples += n
    overall = histogram_stats(total, min_us=min(p[2] for p in parts),
                              max_us=max(p[4] for p in parts),
                              avg_us=weighted / samples if samples else None,
                              threshold_us=threshold_us)
    return overall, (tuple(per) if len(per) > 1 else ()), total
