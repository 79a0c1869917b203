"""Reads cyclictest --json: per-thread figures, sparse histograms, and the file's own unit.

Shape from rt-tests 2.4 (src/cyclictest/cyclictest.c, write_stats): keys
`"cmdline:"` and `"rt_test_version:"` end in a colon, strings are printed
unescaped, `resolution_in_ns` is 1 with -N (nsecs) and 0 without, and each
thread's histogram counts exclude the overflows (`cycles` includes them).
"""

from __future__ import annotations

import email.utils
import re
from typing import Any

from reporter.measure.cyclictest import HistPart, combine_histograms
from reporter.measure.distribution import json_histogram
from reporter.measure.figures import Result, combine_summaries, summary_stats
from reporter.measure.textfile import Refused
from reporter.measure.tolerant_json import load_json
from reporter.measure.units import in_us
from reporter.model.findings import Figures

_HIST_OPT_RE = re.compile(r"(?:^|\s)(?:-h\s*|--histogram[=\s]|-H\s*|--histofall[=\s])(\d+)")
_NSECS_RE = re.compile(r"(?:^|\s)(?:--nsecs|-[A-Za-z]*N[A-Za-z]*)(?=\s|$)")


def parse_json(text: str, threshold_us: float | None, unit: str | None) -> Result:
    """cyclictest --json: per-thread cycles, min, max, avg and (with -h) a sparse histogram."""

    doc = load_json(text, "cyclictest")
    threads = _get(doc, "thread", dict)
    cmdline = str(doc.get("cmdline:") or doc.get("cmdline") or "")
    file_unit, why = file_unit_of(doc, cmdline)
    warnings = []
    if unit is not None and unit != file_unit:
        warnings.append(f"unit {unit} ignored: the file says {file_unit} ({why})")
    hist_size = _hist_size(cmdline)
    duration = _duration(doc.get("start_time"), doc.get("end_time"))
    hist_parts: list[HistPart] = []
    summary_parts: list[tuple[str, Figures]] = []
    floor = in_us(float(hist_size - 1) if hist_size else _largest_bucket(threads), file_unit)
    for key in sorted(threads, key=lambda k: int(k) if str(k).isdigit() else 0):
        t = threads[key]
        where = f"thread.{key}"
        cycles = _num(t, "cycles", where)
        if cycles == 0:
            continue
        lo, hi, avg = (in_us(_num(t, k, where), file_unit) for k in ("min", "max", "avg"))
        hist = t.get("histogram") or {}
        if not isinstance(hist, dict):
            raise Refused(f"cyclictest JSON: {where}.histogram is not an object")
        if hist:
            dist = json_histogram("cyclictest", where, hist, int(cycles), "cycles", file_unit,
                                  floor)
            hist_parts.append((f"thread {key}", dist, lo, avg, hi, int(cycles)))
        else:
            summary_parts.append((f"thread {key}", summary_stats(
                samples=int(cycles), min_us=lo, avg_us=avg, max_us=hi,
                threshold_us=threshold_us)))
    if hist_parts and summary_parts:
        raise Refused("cyclictest JSON: some threads have a histogram and some do not")
    total = None
    if hist_parts:
        overall, per_cpu, total = combine_histograms(hist_parts, threshold_us)
    elif summary_parts:
        overall = (summary_parts[0][1] if len(summary_parts) == 1
                   else combine_summaries(summary_parts, threshold_us))
        per_cpu = (tuple(s.for_cpu(n) for n, s in summary_parts)
                   if len(summary_parts) > 1 else ())
    else:
        raise Refused("cyclictest measured no cycles")
    return Result(format="cyclictest-json", kind="cyclictest", overall=overall,
                  per_cpu=per_cpu, duration_s=duration, rows=len(threads), distribution=total,
                  warnings=tuple(warnings))


def file_unit_of(doc: dict[str, Any], cmdline: str) -> tuple[str, str]:
    """The unit the file declares, and where it says so; a contradiction is refused.

    cyclictest writes `"resolution_in_ns": 1` with -N and 0 without it (rt-tests 2.4).
    """
    resolution = doc.get("resolution_in_ns")
    flag = _NSECS_RE.search(cmdline) is not None
    if resolution is None:
        return ("ns", "-N in its command line") if flag else ("us", "no -N in its command line")
    if isinstance(resolution, bool) or resolution not in (0, 1, 1000):
        raise Refused(f"cyclictest JSON: resolution_in_ns {resolution!r} is not 0 or 1")
    says_ns = resolution == 1
    if says_ns != flag:
        raise Refused(f"cyclictest JSON contradicts itself: resolution_in_ns is {resolution} "
                      f"but its command line {'lacks' if says_ns else 'holds'} -N")
    return ("ns", "resolution_in_ns: 1") if says_ns else ("us", f"resolution_in_ns: {resolution}")




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
