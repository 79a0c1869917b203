"""Reads jitterdebugger's results.json: a sparse histogram and count/min/max/avg per CPU.

Shape from jitterdebugger (jitterdebugger.c, dump_stats; checked against the
Debian 0.3.1 binary): `{"version": 3, "sysinfo": {..., "resolution_in_ns": 1000},
"cpu": {"0": {"histogram": {"15": 1, ...}, "count": 4000, "min": 15, "max": 214,
"avg": 22.64}}}`. Values are usecs, or nsecs when resolution_in_ns is 1 (-N).
The histogram has a fixed number of slots: samples past it are counted in
`count` only, so they form the overflow.
"""

from __future__ import annotations

from typing import Any

from reporter.measure.distribution import Table, json_histogram
from reporter.measure.figures import Result, histogram_stats
from reporter.measure.textfile import Refused
from reporter.measure.tolerant_json import load_json
from reporter.measure.units import in_us
from reporter.model.findings import CpuFigures


def parse_results(text: str, threshold_us: float | None, unit: str | None) -> Result:

    doc = load_json(text, "jitterdebugger")
    cpus = doc.get("cpu") if isinstance(doc, dict) else None
    if not isinstance(cpus, dict) or not cpus:
        raise Refused("jitterdebugger JSON: no 'cpu' object")
    resolution = (doc.get("sysinfo") or {}).get("resolution_in_ns") \
        if isinstance(doc.get("sysinfo"), dict) else None
    file_unit = {1: "ns", 1000: "us"}.get(resolution) if isinstance(resolution, int) else None
    warnings = []
    if file_unit is not None and unit is not None and unit != file_unit:
        warnings.append(f"unit {unit} ignored: the file says {file_unit} "
                        f"(resolution_in_ns: {resolution})")
    used = file_unit or unit or "us"
    per: list[CpuFigures] = []
    total = Table()
    lows: list[float] = []
    highs: list[float] = []
    weighted = 0.0
    samples = 0
    # The slot count is not in the file; the largest slot any CPU used is a true floor
    # for every CPU's overflow (they all have the same number of slots).
    floor = 0.0
    for entry in cpus.values():
        hist = entry.get("histogram") if isinstance(entry, dict) else None
        if isinstance(hist, dict) and hist:
            try:
                floor = max(floor, in_us(float(max(int(k) for k in hist)), used))
            except (TypeError, ValueError):
                pass  # reported with its CPU below
    for key in sorted(cpus, key=lambda k: int(k) if str(k).isdigit() else 0):
        entry = cpus[key]
        where = f"cpu.{key}"
        count = int(_num(entry, "count", where))
        if count == 0:
            continue
        lo = in_us(_num(entry, "min", where), used)
        hi = in_us(_num(entry, "max", where), used)
        avg = in_us(_num(entry, "avg", where), used)
        hist = entry.get("histogram") or {}
        if not isinstance(hist, dict):
            raise Refused(f"jitterdebugger JSON: {where}.histogram is not an object")
        dist = json_histogram("jitterdebugger", where, hist, count, "its count", used, floor)
        stats = histogram_stats(dist, min_us=lo, max_us=hi, avg_us=avg,
                                threshold_us=threshold_us)
        per.append(stats.for_cpu(f"CPU {key}"))
        total.merge(dist)
        lows.append(lo)
        highs.append(hi)
        weighted += avg * count
        samples += count
    if not samples:
        raise Refused("jitterdebugger measured no samples")
    overall = histogram_stats(total, min_us=min(lows), max_us=max(highs),
                              avg_us=weighted / samples, threshold_us=threshold_us)
    return Result(format="jitterdebugger-json", kind="jitterdebugger", overall=overall,
                  per_cpu=tuple(per) if len(per) > 1 else (), rows=len(cpus),
                  distribution=total, warnings=tuple(warnings))


def _num(obj: Any, key: str, where: str) -> float:
    value = obj.get(key) if isinstance(obj, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise Refused(f"jitterdebugger JSON: {where}.{key} is not a non-negative number")
    return float(value)
