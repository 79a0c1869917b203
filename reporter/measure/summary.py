"""Reads a summary of already computed figures (YAML or JSON), checking it for consistency.

The shape (reporter's own; tests/fixtures/measure/README.md documents it):

    unit: us                # ns | us | ms | s, default us
    samples: 300000         # or count
    duration_s: 300
    min: 41
    avg: 118.2              # or mean
    median: 112             # or p50
    p99: 402
    p99.9: 1204             # or p999, p99_9
    max: 3412
    threshold_us: 3000      # with above_threshold and spikes, counted by the tool
    above_threshold: 7
    spikes: 5
    cpus: {"0": {samples: ..., min: ..., avg: ..., p99: ..., p99.9: ..., max: ...}, ...}
"""

from __future__ import annotations

import math
from typing import Any

from reporter.measure.figures import Result, summary_stats, worst_of
from reporter.measure.textfile import Refused
from reporter.measure.tolerant_json import load_json
from reporter.measure.units import TO_US, unit_name
from reporter.model.findings import Count, CpuFigures, Figure, Figures

_ALIASES = {
    "samples": ("samples", "count", "n"),
    "duration_s": ("duration_s", "duration"),
    "min": ("min", "minimum"),
    "avg": ("avg", "mean", "average"),
    "median": ("median", "p50"),
    "p99": ("p99",),
    "p999": ("p99.9", "p999", "p99_9"),
    "max": ("max", "maximum"),
}


def parse_summary(text: str, fmt: str, threshold_us: float | None,
                  unit: str | None) -> Result:
    if fmt == "summary-json":
        doc = load_json(text, "summary")
    else:
        import yaml

        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise Refused(f"malformed YAML{where}") from None
    if not isinstance(doc, dict):
        raise Refused("a summary must be a mapping of figures (samples, min, avg, p99, max...)")
    file_unit = doc.get("unit")
    if file_unit is not None and unit_name(str(file_unit)) is None:
        raise Refused(f"unit: {file_unit!r} is not one of ns, us, ms, s")
    factor = TO_US[(unit_name(str(file_unit)) if file_unit is not None else unit) or "us"]
    overall = _figures(doc, "", factor, threshold_us)
    per_cpu: list[CpuFigures] = []
    cpus = doc.get("cpus")
    if cpus is not None:
        if not isinstance(cpus, dict):
            raise Refused("cpus: must map each CPU to its figures")
        for name, figures in cpus.items():
            if not isinstance(figures, dict):
                raise Refused(f"cpus.{name}: must be a mapping of figures")
            label = str(name) if not str(name).isdigit() else f"CPU {name}"
            per_cpu.append(_figures(figures, f"cpus.{name}.", factor, threshold_us)
                           .for_cpu(label))
    duration = _number(doc, "duration_s", "")
    if worst_of(tuple(per_cpu)) is None:
        per_cpu = []
    return Result(format=fmt, kind="summary", overall=overall, per_cpu=tuple(per_cpu),
                  duration_s=duration, rows=1)


def _figures(doc: dict[str, Any], where: str, factor: float,
             threshold_us: float | None) -> Figures:
    samples = _number(doc, "samples", where)
    if samples is not None and samples != int(samples):
        raise Refused(f"{where}samples: {samples} is not a whole number")
    lo, avg, hi = (_us(doc, k, where, factor) for k in ("min", "avg", "max"))
    median, p99, p999 = (_us(doc, k, where, factor) for k in ("median", "p99", "p999"))
    if lo is None and hi is None and avg is None:
        raise Refused(f"{where or 'the summary '}has none of min, avg, max")
    ordered = [(n, v) for n, v in (("min", lo), ("median", median), ("p99", p99),
                                   ("p99.9", p999), ("max", hi)) if v is not None]
    for (n1, v1), (n2, v2) in zip(ordered, ordered[1:], strict=False):
        if v1 > v2:
            raise Refused(f"{where}{n1} {_fmt(v1)} is above {n2} {_fmt(v2)}: the figures "
                          "are inconsistent")
    if avg is not None and ((lo is not None and avg < lo) or (hi is not None and avg > hi)):
        raise Refused(f"{where}avg {_fmt(avg)} is outside min..max")
    stats = summary_stats(
        samples=int(samples) if samples is not None else None, min_us=lo, avg_us=avg,
        max_us=hi, threshold_us=threshold_us,
        median_us=Figure(median) if median is not None else None,
        p99_us=Figure(p99) if p99 is not None else None,
        p999_us=Figure(p999) if p999 is not None else None,
    )
    # Counts the tool made for the same threshold are better than bounds from max.
    own = doc.get("threshold_us")
    if threshold_us is not None and isinstance(own, (int, float)) and own == threshold_us:
        above = _number(doc, "above_threshold", where)
        spikes = _number(doc, "spikes", where)
        stats = Figures(
            samples=stats.samples, min_us=lo, avg_us=avg, median_us=stats.median_us,
            p99_us=stats.p99_us, p999_us=stats.p999_us, max_us=hi,
            above_threshold=Count.of(int(above)) if above is not None
            else stats.above_threshold,
            spikes=int(spikes) if spikes is not None else stats.spikes,
        )
    return stats


def _number(doc: dict[str, Any], key: str, where: str) -> float | None:
    names = _ALIASES.get(key, (key,))
    for name in names:
        if name in doc:
            value = doc[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise Refused(f"{where}{name}: {value!r} is not a number")
            if not math.isfinite(value) or value < 0:
                raise Refused(f"{where}{name}: {value!r} is not a non-negative number")
            return float(value)
    return None


def _us(doc: dict[str, Any], key: str, where: str, factor: float) -> float | None:
    value = _number(doc, key, where)
    return value * factor if value is not None else None


def _fmt(value: float) -> str:
    return f"{value:g}"
