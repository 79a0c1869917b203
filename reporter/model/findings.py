"""The figures of the week's latency measurement files, as stored in the week's snapshot."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Figure:
    """A latency in usecs; with `over`, only a lower bound: the value lies above `us`.

    `over` is set for a percentile of a histogram that falls into the histogram's
    overflow: the true value is somewhere above the last bucket, which is `us`.
    """

    us: float
    over: bool = False


@dataclass(frozen=True)
class Count:
    """A count that may be known only within bounds (`at_most` None: no upper bound)."""

    at_least: int
    at_most: int | None

    @property
    def exact(self) -> bool:
        return self.at_most == self.at_least

    @staticmethod
    def of(n: int) -> Count:
        return Count(n, n)


@dataclass(frozen=True)
class BadRow:
    line: int  # 1-based line of the file
    reason: str


@dataclass(frozen=True, kw_only=True)
class Figures:
    """The latency figures of a set of samples: a whole file, or one CPU or thread of it.

    The one place these fields are declared: a parser returns them, CpuFigures and
    Finding extend them, and the snapshot stores them under these names.
    """

    samples: int | None = None
    min_us: float | None = None
    avg_us: float | None = None
    median_us: Figure | None = None
    p99_us: Figure | None = None
    p999_us: Figure | None = None
    max_us: float | None = None
    above_threshold: Count | None = None  # samples above the threshold (None: no threshold)
    spikes: int | None = None  # episodes above the threshold (None: order unknown)

    def figures(self) -> dict[str, Any]:
        """These figures as keyword arguments, to build a CpuFigures or a Finding from."""
        return {f.name: getattr(self, f.name) for f in fields(Figures)}

    def for_cpu(self, name: str) -> CpuFigures:
        return CpuFigures(name=name, **self.figures())


@dataclass(frozen=True, kw_only=True)
class CpuFigures(Figures):
    """The figures of one CPU or thread of a measurement."""

    name: str  # "CPU 1", "thread 0"


@dataclass(frozen=True, kw_only=True)
class Finding(Figures):
    """The figures of one measurement file (Figures), or why the file was refused (`invalid`)."""

    file: str  # the file's name as the email shows it
    kind: str  # what measured: samples | cyclictest | jitterdebugger | netperf | summary
    format: str  # the exact format detected (reporter.measure.detect.FORMATS)
    card: str | None = None
    label: str | None = None
    source: str | None = None  # path (relative to data_dir when inside it) or jira:<attachment id>
    duration_s: float | None = None
    threshold_us: float | None = None
    cpus: int = 0  # CPUs or threads reported separately (0: not broken down)
    worst_cpu: CpuFigures | None = None  # the CPU or thread with the highest max
    rows: int = 0  # data rows read (good and bad)
    bad_rows: int = 0
    bad_examples: tuple[BadRow, ...] = ()  # the first few, with their line numbers
    throughput: str | None = None  # netperf's throughput with its units
    invalid: str | None = None  # set when the file was refused: no figures then
    text: tuple[str, ...] = ()  # lines worded when measured (a trace's short form)


@dataclass(frozen=True)
class MeasurementSnapshot:
    """The week's findings: `data/snapshots/<week>/measurements.json`."""

    pulled_at: str  # ISO 8601, aware
    findings: tuple[Finding, ...] = ()
