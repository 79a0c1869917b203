"""The figures every parser returns: overall, per CPU, and the file's bad rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reporter.measure.accumulate import SampleStats, Series
from reporter.measure.distribution import PERCENTILES, Buckets, Table
from reporter.model.findings import BadRow, Count, CpuFigures, Figure, Figures


@dataclass(frozen=True)
class Result:
    """What a parser found in one file."""

    format: str
    kind: str
    overall: Figures | None
    per_cpu: tuple[CpuFigures, ...] = ()
    duration_s: float | None = None
    rows: int = 0
    bad_rows: int = 0
    excused_bad: int = 0  # bad rows that do not count towards refusing (a truncated last line)
    bad_examples: tuple[BadRow, ...] = ()
    throughput: str | None = None
    invalid: str | None = None
    distribution: Table | Buckets | None = None  # overall, for plots
    layout: Any = None  # a sample file's Layout, for a second pass (plots)
    warnings: tuple[str, ...] = ()  # what the reader doubted or left out, for stderr


def series_stats(series: Series, threshold_us: float | None,
                 percentiles: tuple[Figure | None, ...]) -> Figures:
    """Exact figures of streamed samples; `percentiles` are the p50, p99 and p99.9."""
    above = None
    spikes = None
    if threshold_us is not None:
        above = Count.of(series.above)
        spikes = series.spikes
    median, p99, p999 = percentiles
    return Figures(
        samples=series.count,
        min_us=series.min_us,
        avg_us=series.sum_us / series.count if series.count else None,
        median_us=median,
        p99_us=p99,
        p999_us=p999,
        max_us=series.max_us,
        above_threshold=above,
        spikes=spikes,
    )


def sample_results(stats: SampleStats, percentiles: dict[tuple[int | None, float], Figure],
                   cpu_label: str = "CPU") -> tuple[Figures, tuple[CpuFigures, ...]]:
    """Overall and per-CPU figures of a streamed sample file, given their exact percentiles."""
    threshold = stats.threshold_us
    overall: Figures | None = None
    per_cpu: list[CpuFigures] = []
    for key, series in stats.streams():
        figs = tuple(percentiles.get((key, p)) for p in PERCENTILES)
        s = series_stats(series, threshold, figs)
        if key is None:
            overall = s
        else:
            per_cpu.append(s.for_cpu(f"{cpu_label} {key}"))
    assert overall is not None
    return overall, tuple(per_cpu)


def histogram_stats(dist: Table, *, min_us: float | None, max_us: float | None,
                    avg_us: float | None, threshold_us: float | None) -> Figures:
    """Figures of a histogram read from a file (its values are the samples' own)."""
    dist.max_us = max_us
    above = dist.count_above(threshold_us) if threshold_us is not None else None
    return Figures(
        samples=dist.count,
        min_us=min_us,
        avg_us=avg_us,
        median_us=dist.percentile(50),
        p99_us=dist.percentile(99),
        p999_us=dist.percentile(99.9),
        max_us=max_us,
        above_threshold=above,
        spikes=None,  # a histogram has no order: it counts samples, not spikes
    )


def summary_stats(*, samples: int | None, min_us: float | None, avg_us: float | None,
                  max_us: float | None, threshold_us: float | None,
                  median_us: Figure | None = None, p99_us: Figure | None = None,
                  p999_us: Figure | None = None) -> Figures:
    """Figures a tool computed itself: counts above the threshold only as bounds from max."""
    above = None
    if threshold_us is not None and max_us is not None:
        if max_us <= threshold_us:
            above = Count.of(0)
        else:
            above = Count(1, None)  # the maximum is above; how many more is unknown
    return Figures(
        samples=samples, min_us=min_us, avg_us=avg_us, median_us=median_us, p99_us=p99_us,
        p999_us=p999_us, max_us=max_us, above_threshold=above,
        spikes=None,  # no order either: a count of samples
    )


def combine_summaries(parts: list[tuple[str, Figures]], threshold_us: float | None) -> Figures:
    """Overall figures of several threads or runs known only by their summaries."""
    counts = [s.samples for _, s in parts]
    known = all(c is not None for c in counts)
    samples = sum(c or 0 for c in counts) if known else None
    mins = [s.min_us for _, s in parts if s.min_us is not None]
    maxes = [s.max_us for _, s in parts if s.max_us is not None]
    avg = None
    if known and samples and all(s.avg_us is not None for _, s in parts):
        avg = sum((s.avg_us or 0.0) * (s.samples or 0) for _, s in parts) / samples
    return summary_stats(samples=samples, min_us=min(mins) if mins else None, avg_us=avg,
                         max_us=max(maxes) if maxes else None, threshold_us=threshold_us)


def worst_of(per_cpu: tuple[CpuFigures, ...]) -> CpuFigures | None:
    """The CPU or thread with the highest maximum (then the highest p99.9)."""
    if len(per_cpu) < 2:
        return None

    def key(c: CpuFigures) -> tuple[float, float]:
        p999 = c.p999_us.us + (0.5 if c.p999_us.over else 0.0) if c.p999_us else -1.0
        return (c.max_us if c.max_us is not None else -1.0, p999)

    return max(per_cpu, key=key)
