"""Streams latency samples into exact figures, per CPU when the file says which CPU."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reporter.measure.distribution import DENSE_LIMIT_US, Buckets

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

FEW_CPUS = 8  # up to this many CPUs in a block, one mask each is faster than sorting
COMBINED_CELLS = 1 << 22  # (CPU, usec) cells of one combined bincount: 32 MiB at most


@dataclass
class Series:
    """One stream of samples in file order: its distribution, exact extremes, sum and spikes."""

    dist: Buckets = field(default_factory=Buckets)
    count: int = 0
    min_us: float | None = None
    max_us: float | None = None
    sum_us: float = 0.0
    above: int = 0  # samples above the threshold
    spikes: int = 0  # separate runs of consecutive samples above the threshold
    in_spike: bool = False  # the last sample seen was above the threshold

    def add(self, us: npt.NDArray[np.int64] | npt.NDArray[np.float64],
            threshold_us: float | None) -> None:
        import numpy as np

        n = int(us.size)
        if n == 0:
            return
        lo, hi = us.min(), us.max()
        self.min_us = float(lo) if self.min_us is None else min(self.min_us, float(lo))
        self.max_us = float(hi) if self.max_us is None else max(self.max_us, float(hi))
        self.sum_us += float(us.sum())
        self.count += n
        self.dist.add(us, float(hi))
        if threshold_us is None:
            return
        if float(hi) <= threshold_us:
            self.in_spike = False
            return
        above = us > threshold_us
        k = int(np.count_nonzero(above))
        self.above += k
        starts = int(np.count_nonzero(np.diff(above.view(np.int8)) == 1))
        if above[0] and not self.in_spike:
            starts += 1
        self.spikes += starts
        self.in_spike = bool(above[-1])

    def add_counts(self, counts: npt.NDArray[np.int64], n: int, total_us: float,
                   lo: float, hi: float) -> None:
        """Samples given as counts per whole usec, none of them above the threshold."""
        self.min_us = lo if self.min_us is None else min(self.min_us, lo)
        self.max_us = hi if self.max_us is None else max(self.max_us, hi)
        self.sum_us += total_us
        self.count += n
        self.dist.add_counts(counts)
        self.in_spike = False

    def merge(self, other: Series) -> None:
        """Add another stream's figures (spikes add up: they are counted per stream)."""
        self.dist.merge(other.dist)
        self.count += other.count
        self.sum_us += other.sum_us
        self.above += other.above
        self.spikes += other.spikes
        for value in (other.min_us, other.max_us):
            if value is None:
                continue
            self.min_us = value if self.min_us is None else min(self.min_us, value)
            self.max_us = value if self.max_us is None else max(self.max_us, value)


class SampleStats:
    """Everything `figures` needs from a streamed sample file, in bounded memory."""

    def __init__(self, threshold_us: float | None) -> None:
        self.threshold_us = threshold_us
        self.all = Series()  # used when the file has no CPU column
        self.per_cpu: dict[int, Series] = {}

    @property
    def count(self) -> int:
        return self.all.count + sum(s.count for s in self.per_cpu.values())

    def add(self, us: npt.NDArray[np.int64] | npt.NDArray[np.float64],
            cpu: npt.NDArray[np.int64] | None) -> None:
        import numpy as np

        if us.size == 0:
            return
        if cpu is None:
            self.all.add(us, self.threshold_us)
            return
        per = np.bincount(cpu)
        present = np.flatnonzero(per)
        if present.size == 1:
            self._series(int(present[0])).add(us, self.threshold_us)
            return
        if us.dtype.kind in "iu" and self._add_integers(us, cpu, per, present):  # type: ignore[arg-type]
            return
        if present.size <= FEW_CPUS:
            for k in present.tolist():
                self._series(k).add(us[cpu == k], self.threshold_us)
            return
        # Many CPUs: one stable radix sort (CPU numbers fit 16 bits) keeps each CPU's order.
        order = np.argsort(cpu.astype(np.uint16), kind="stable")
        grouped = us[order]
        ends = np.cumsum(per[present])
        start = 0
        for k, end in zip(present.tolist(), ends.tolist(), strict=True):
            self._series(k).add(grouped[start:end], self.threshold_us)
            start = end

    def _add_integers(self, us: npt.NDArray[np.int64], cpu: npt.NDArray[np.int64],
                      per: npt.NDArray[np.int64], present: npt.NDArray[np.int64]) -> bool:
        """Whole usecs of several CPUs at once: one bincount of (CPU, usec) pairs."""
        import numpy as np

        lo, top = int(us.min()), int(us.max())
        width = top + 1
        if lo < 0 or top >= DENSE_LIMIT_US or per.size * width > COMBINED_CELLS:
            return False
        table = np.bincount(cpu * width + us, minlength=per.size * width).reshape(-1, width)
        sums = np.bincount(cpu, weights=us, minlength=per.size)
        hot = set()
        if self.threshold_us is not None and top > self.threshold_us:
            hot = set(np.unique(cpu[us > self.threshold_us]).tolist())
        for k in present.tolist():
            series = self._series(k)
            if k in hot:
                series.add(us[cpu == k], self.threshold_us)  # spikes need the order
                continue
            row = table[k]
            filled = np.flatnonzero(row)
            series.add_counts(row, int(per[k]), float(sums[k]), float(filled[0]),
                              float(filled[-1]))
        return True

    def streams(self) -> list[tuple[int | None, Series]]:
        """(None, every sample) then (CPU, its samples) for each CPU, in CPU order."""
        if not self.per_cpu:
            return [(None, self.all)]
        total = Series()
        for series in self.per_cpu.values():
            total.merge(series)
        return [(None, total), *sorted(self.per_cpu.items())]

    def _series(self, cpu: int) -> Series:
        series = self.per_cpu.get(cpu)
        if series is None:
            series = self.per_cpu[cpu] = Series()
        return series
