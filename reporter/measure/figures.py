"""The figures every parser returns: overall, per CPU, and the file's bad rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reporter.measure.accumulate import SampleStats, Series
from reporter.measure.distribution import Distribution
from reporter.model.findings import BadRow, Count, CpuFigures, Figure


@dataclass(frozen=True)
class Stats:
    """The figures of a set of samples (a whole file, or one CPU of it)."""

    samples: int | None
    min_us: float | None = None
    avg_us: float | None = None
    median_us: Figure | None = None
    p99_us: Figure | None = None
    p999_us: Figure | None = None
    max_us: float | None = None
    above: Count | None = None  # samples above the threshold (None: no threshold)
    spikes: int | None = None  # episodes above the threshold (None: order unknown)

    def for_cpu(self, name: str) -> CpuFigures:
        return CpuFigures(name=name, samples=self.samples, min_us=self.min_us,
                          avg_us=self.avg_us, p99_us=self.p99_us, p999_us=self.p999_us,
                          max_us=self.max_us, above_threshold=self.above, spikes=self.spikes)


@dataclass(frozen=True)
class Result:
    """What a parser found in one file."""

    format: str
    kind: str
    overall: Stats | None
    per_cpu: tuple[CpuFigures, ...] = ()
    duration_s: float | None = None
    rows: int = 0
    bad_rows: int = 0
    excused_bad: int = 0  # bad rows that do not count towards refusing (a truncated last line)
    bad_examples: tuple[BadRow, ...] = ()
    throughput: str | None = None
    invalid: str | None = None
    distribution: Distribution | None = None  # overall, for plots
    layout: Any = None  # a sample file's Layout, for a second pass (plots)


def series_stats(series: Series, threshold_us: float | None) -> Stats:
    """Exact figures of streamed samples (percentiles to the usec)."""
    dist = series.dist
    above = None
    spikes = None
    if threshold_us is not None:
        above = Count.of(series.above)
        spikes = series.spikes
    return Stats(
        samples=series.count,
        min_us=series.min_us,
        avg_us=series.sum_us / series.count if series.count else None,
        median_us=dist.percentile(50),
        p99_us=dist.percentile(99),
        p999_us=dist.percentile(99.9),
        max_us=series.max_us,
        above=above,
        spikes=spikes,
    )


def sample_results(stats: SampleStats,
                   cpu_label: str = "CPU") -> tuple[Stats, tuple[CpuFigures, ...]]:
    """Overall and per-CPU figures of a streamed sample file."""
    threshold = stats.threshold_us
    if not stats.per_cpu:
        return series_stats(stats.all, threshold), ()
    total = Series()
    for series in stats.per_cpu.values():
        total.dist.merge(series.dist)
        total.count += series.count
        total.sum_us += series.sum_us
        total.above += series.above
        total.spikes += series.spikes
        for value in (series.min_us, series.max_us):
            if value is None:
                continue
            total.min_us = value if total.min_us is None else min(total.min_us, value)
            total.max_us = value if total.max_us is None else max(total.max_us, value)
    per_cpu = tuple(series_stats(s, threshold).for_cpu(f"{cpu_label} {k}")
                    for k, s in sorted(stats.per_cpu.items()))
    return series_stats(total, threshold), per_cpu


def histogram_stats(dist: Distribution, *, min_us: float | None, max_us: float | None,
                    avg_us: float | None, threshold_us: float | None) -> Stats:
    """Figures of a histogram read from a file (its samples are integer usecs)."""
    dist.max_us = max_us
    above = dist.count_above(threshold_us) if threshold_us is not None else None
    return Stats(
        samples=dist.count,
        min_us=min_us,
        avg_us=avg_us,
        median_us=dist.percentile(50),
        p99_us=dist.percentile(99),
        p999_us=dist.percentile(99.9),
        max_us=max_us,
        above=above,
        spikes=0 if above is not None and above.at_most == 0 else None,
    )


def summary_stats(*, samples: int | None, min_us: float | None, avg_us: float | None,
                  max_us: float | None, threshold_us: float | None,
                  median_us: Figure | None = None, p99_us: Figure | None = None,
                  p999_us: Figure | None = None) -> Stats:
    """Figures a tool computed itself: counts above the threshold only as bounds from max."""
    above = None
    if threshold_us is not None and max_us is not None:
        if max_us <= threshold_us:
            above = Count.of(0)
        else:
            above = Count(1, None)  # the maximum is above; how many more is unknown
    return Stats(
        samples=samples, min_us=min_us, avg_us=avg_us, median_us=median_us, p99_us=p99_us,
        p999_us=p999_us, max_us=max_us, above=above,
        spikes=0 if above is not None and above.at_most == 0 else None,
    )


def combine_summaries(parts: list[tuple[str, Stats]], threshold_us: float | None) -> Stats:
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
