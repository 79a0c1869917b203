"""Reads cyclictest's outputs: the `T:` summary lines, the `-h` histogram and `--json`.

Shapes from rt-tests' cyclictest (src/cyclictest/cyclictest.c, checked against
the Debian rt-tests 2.4 binary): the histogram rows are `%06d` followed by one
`%06lu` count per thread (and one for all threads with -H); `# Total:` is the sum
of each thread's buckets, so a thread's samples are its total plus its
`# Histogram Overflows:`; overflows are latencies of the histogram size or more.
"""

from __future__ import annotations

import array
import email.utils
import re
from typing import Any, BinaryIO

from reporter.measure.distribution import Distribution
from reporter.measure.figures import (
    Result,
    Stats,
    combine_summaries,
    histogram_stats,
    summary_stats,
)
from reporter.measure.textfile import Refused
from reporter.measure.tolerant_json import load_json
from reporter.model.findings import BadRow, CpuFigures

ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
T_RE = re.compile(
    r"^T:\s*(?P<thread>\d+)\s*\(\s*(?P<tid>\d+)\)\s*P:\s*(?P<prio>\d+)\s+I:\s*(?P<interval>\d+)"
    r"\s+C:\s*(?P<cycles>\d+)\s+Min:\s*(?P<min>\d+)\s+Act:\s*(?P<act>\d+)\s+Avg:\s*(?P<avg>\d+)"
    r"\s+Max:\s*(?P<max>\d+)"
)
_TRAILER_RE = re.compile(
    r"^#\s*(Total|Min Latencies|Avg Latencies|Max Latencies|Histogram Overflows):\s*(.*)$")
_ROW_RE = re.compile(r"^(\d+)((?:[ \t]+\d+)+)$")
_HIST_OPT_RE = re.compile(r"(?:^|\s)(?:-h\s*|--histogram[=\s]|-H\s*|--histofall[=\s])(\d+)")
MAX_BAD_EXAMPLES = 20


def parse_summary(fh: BinaryIO, offset: int, threshold_us: float | None) -> Result:
    """The last `T:` line of each thread (cyclictest refreshes them while it runs)."""
    threads: dict[int, re.Match[str]] = {}
    rows = 0
    bad: list[BadRow] = []
    bad_rows = 0
    excused = 0
    fh.seek(offset)
    for number, raw in enumerate(fh, start=1):
        text = ANSI_RE.sub("", raw.decode("utf-8", "replace")).strip()
        if not text.startswith("T:"):
            continue
        rows += 1
        last = not raw.endswith(b"\n")  # cut while written: even a match may be cut short
        match = T_RE.match(text)
        if match and not last:
            threads[int(match.group("thread"))] = match
            continue
        bad_rows += 1
        excused += 1 if last else 0
        if len(bad) < MAX_BAD_EXAMPLES:
            bad.append(BadRow(number, "truncated last line (no end of line)" if last
                              else "not a complete cyclictest T: line"))
    if not threads:
        raise Refused("no complete cyclictest T: line")
    parts: list[tuple[str, Stats]] = []
    durations = []
    for thread, m in sorted(threads.items()):
        cycles = int(m.group("cycles"))
        if cycles == 0:
            continue
        durations.append(cycles * int(m.group("interval")) / 1e6)
        parts.append((f"thread {thread}", summary_stats(
            samples=cycles, min_us=float(m.group("min")), avg_us=float(m.group("avg")),
            max_us=float(m.group("max")), threshold_us=threshold_us)))
    if not parts:
        raise Refused("cyclictest measured no cycles")
    overall = parts[0][1] if len(parts) == 1 else combine_summaries(parts, threshold_us)
    per_cpu = tuple(s.for_cpu(name) for name, s in parts) if len(parts) > 1 else ()
    return Result(format="cyclictest-summary", kind="cyclictest", overall=overall,
                  per_cpu=per_cpu, duration_s=max(durations) if durations else None,
                  rows=rows, bad_rows=bad_rows, excused_bad=excused, bad_examples=tuple(bad))


def parse_histogram(fh: BinaryIO, offset: int, threshold_us: float | None) -> Result:
    """The `-h` histogram with its `#` trailer lines."""
    import numpy as np

    trailer: dict[str, list[int]] = {}
    buckets = array.array("q")
    counts: list[array.array[int]] = []
    t_lines: dict[int, re.Match[str]] = {}
    rows = 0
    bad: list[BadRow] = []
    bad_rows = 0
    fh.seek(offset)
    for number, raw in enumerate(fh, start=1):
        if b"\x00" in raw:
            rows += 1
            bad_rows += 1
            if len(bad) < MAX_BAD_EXAMPLES:
                bad.append(BadRow(number, "NUL bytes in the line"))
            continue
        text = ANSI_RE.sub("", raw.decode("utf-8", "replace")).strip()
        if not text:
            continue
        if text.startswith("#"):
            match = _TRAILER_RE.match(text)
            if match:
                try:
                    trailer[match.group(1)] = [int(v) for v in match.group(2).split()]
                except ValueError:
                    raise Refused(f"line {number}: malformed '# {match.group(1)}:' line") \
                        from None
            continue
        if text.startswith("T:"):
            tm = T_RE.match(text)
            if tm:
                t_lines[int(tm.group("thread"))] = tm
            continue
        if not text[0].isdigit():
            continue  # "policy: ..." and other chatter of a run without -q
        rows += 1
        row = _ROW_RE.match(text)
        if not row:
            bad_rows += 1
            if len(bad) < MAX_BAD_EXAMPLES:
                bad.append(BadRow(number, "not a histogram row"))
            continue
        values = [int(v) for v in row.group(2).split()]
        if not counts:
            counts = [array.array("q") for _ in values]
        if len(values) != len(counts):
            bad_rows += 1
            if len(bad) < MAX_BAD_EXAMPLES:
                bad.append(BadRow(number, f"{len(values)} counts, expected {len(counts)}"))
            continue
        buckets.append(int(row.group(1)))
        for column, value in zip(counts, values, strict=True):
            column.append(value)
    for key in ("Total", "Min Latencies", "Avg Latencies", "Max Latencies",
                "Histogram Overflows"):
        if key not in trailer:
            raise Refused(f"truncated cyclictest histogram: no '# {key}:' line")
    if not buckets:
        raise Refused("cyclictest histogram without rows")
    nthreads = len(trailer["Min Latencies"])
    if nthreads == 0 or len(counts) < nthreads or any(
            len(trailer[k]) < nthreads for k in ("Total", "Avg Latencies", "Max Latencies",
                                                 "Histogram Overflows")):
        raise Refused("cyclictest histogram: the '#' lines do not agree on the thread count")
    bucket_arr = np.frombuffer(buckets, dtype=np.int64)
    last_bucket = float(bucket_arr.max())
    parts: list[tuple[str, Distribution, float, float, float, int]] = []
    for t in range(nthreads):
        col = np.frombuffer(counts[t], dtype=np.int64)
        if int(col.sum()) != trailer["Total"][t]:
            raise Refused(f"cyclictest histogram: thread {t}'s rows add up to {int(col.sum())}, "
                          f"not to its '# Total:' {trailer['Total'][t]} (truncated or edited?)")
        samples = trailer["Total"][t] + trailer["Histogram Overflows"][t]
        if samples == 0:
            continue
        dist = Distribution()
        nz = col > 0
        dist.add_bucket_counts(bucket_arr[nz], col[nz])
        if trailer["Histogram Overflows"][t]:
            dist.add_overflow(trailer["Histogram Overflows"][t], last_bucket)
        parts.append((f"thread {t}", dist, float(trailer["Min Latencies"][t]),
                      float(trailer["Avg Latencies"][t]), float(trailer["Max Latencies"][t]),
                      samples))
    if not parts:
        raise Refused("cyclictest measured no cycles")
    duration = None
    if t_lines:
        duration = max(int(m.group("cycles")) * int(m.group("interval"))
                       for m in t_lines.values()) / 1e6
    overall, per_cpu, total = _combine_histograms(parts, threshold_us)
    return Result(format="cyclictest-hist", kind="cyclictest", overall=overall,
                  per_cpu=per_cpu, duration_s=duration, rows=rows, bad_rows=bad_rows,
                  bad_examples=tuple(bad), distribution=total)


def parse_json(text: str, threshold_us: float | None) -> Result:
    """cyclictest --json: per-thread cycles, min, max, avg and (with -h) a sparse histogram."""
    import numpy as np

    doc = load_json(text, "cyclictest")
    threads = _get(doc, "thread", dict)
    hist_size = _hist_size(doc.get("cmdline:") or doc.get("cmdline") or "")
    duration = _duration(doc.get("start_time"), doc.get("end_time"))
    hist_parts: list[tuple[str, Distribution, float, float, float, int]] = []
    summary_parts: list[tuple[str, Stats]] = []
    floor = float(hist_size - 1) if hist_size else _largest_bucket(threads)
    for key in sorted(threads, key=lambda k: int(k) if str(k).isdigit() else 0):
        t = threads[key]
        where = f"thread.{key}"
        cycles = _num(t, "cycles", where)
        if cycles == 0:
            continue
        lo, hi, avg = _num(t, "min", where), _num(t, "max", where), _num(t, "avg", where)
        hist = t.get("histogram") or {}
        if not isinstance(hist, dict):
            raise Refused(f"cyclictest JSON: {where}.histogram is not an object")
        if hist:
            try:
                keys = np.array([int(k) for k in hist], dtype=np.int64)
                vals = np.array([int(v) for v in hist.values()], dtype=np.int64)
            except (TypeError, ValueError):
                raise Refused(f"cyclictest JSON: {where}.histogram holds a non-integer") \
                    from None
            if (keys < 0).any() or (vals < 0).any():
                raise Refused(f"cyclictest JSON: {where}.histogram holds a negative number")
            overflow = int(cycles) - int(vals.sum())
            if overflow < 0:
                raise Refused(f"cyclictest JSON: {where}.histogram counts more samples "
                              f"({int(vals.sum())}) than cycles ({int(cycles)})")
            dist = Distribution()
            dist.add_bucket_counts(keys, vals)
            if overflow:
                dist.add_overflow(overflow, floor)
            hist_parts.append((f"thread {key}", dist, lo, avg, hi, int(cycles)))
        else:
            summary_parts.append((f"thread {key}", summary_stats(
                samples=int(cycles), min_us=lo, avg_us=avg, max_us=hi,
                threshold_us=threshold_us)))
    if hist_parts and summary_parts:
        raise Refused("cyclictest JSON: some threads have a histogram and some do not")
    total = None
    if hist_parts:
        overall, per_cpu, total = _combine_histograms(hist_parts, threshold_us)
    elif summary_parts:
        overall = (summary_parts[0][1] if len(summary_parts) == 1
                   else combine_summaries(summary_parts, threshold_us))
        per_cpu = (tuple(s.for_cpu(n) for n, s in summary_parts)
                   if len(summary_parts) > 1 else ())
    else:
        raise Refused("cyclictest measured no cycles")
    return Result(format="cyclictest-json", kind="cyclictest", overall=overall,
                  per_cpu=per_cpu, duration_s=duration, rows=len(threads), distribution=total)


def _combine_histograms(parts: list[tuple[str, Distribution, float, float, float, int]],
                        threshold_us: float | None,
                        ) -> tuple[Stats, tuple[CpuFigures, ...], Distribution]:
    per: list[CpuFigures] = []
    total = Distribution()
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


def _get(doc: Any, key: str, kind: type) -> Any:
    if not isinstance(doc, dict) or not isinstance(doc.get(key), kind):
        raise Refused(f"cyclictest JSON: no {key!r} object")
    return doc[key]


def _num(obj: Any, key: str, where: str) -> float:
    value = obj.get(key) if isinstance(obj, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise Refused(f"cyclictest JSON: {where}.{key} is not a non-negative number")
    return float(value)


def _largest_bucket(threads: dict[str, Any]) -> float:
    """Without -h in the command line, the largest bucket any thread used is a true floor."""
    largest = 0
    for t in threads.values():
        hist = t.get("histogram") if isinstance(t, dict) else None
        if isinstance(hist, dict):
            for key in hist:
                if str(key).isdigit():
                    largest = max(largest, int(key))
    return float(largest)


def _hist_size(cmdline: str) -> int | None:
    match = _HIST_OPT_RE.search(str(cmdline))
    return int(match.group(1)) if match else None


def _duration(start: Any, end: Any) -> float | None:
    try:
        t0 = email.utils.parsedate_to_datetime(str(start))
        t1 = email.utils.parsedate_to_datetime(str(end))
    except (TypeError, ValueError, IndexError):
        return None
    seconds = (t1 - t0).total_seconds()
    return seconds if seconds > 0 else None
