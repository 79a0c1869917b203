"""Streams latency samples into exact figures, per CPU when the file says which CPU."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reporter.measure.distribution import Distribution

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass
class Series:
    """One stream of samples in file order: its distribution, exact extremes, sum and spikes."""

    dist: Distribution = field(default_factory=Distribution)
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
        buckets: npt.NDArray[np.int64] = (us.astype(np.int64, copy=False)
                                          if us.dtype.kind in "iu"
                                          else np.floor(us).astype(np.int64))
        self.dist.add_buckets(buckets, max_us=float(hi))
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
        present = np.flatnonzero(np.bincount(cpu))
        if present.size == 1:
            self._series(int(present[0])).add(us, self.threshold_us)
            return
        for k in present.tolist():
            self._series(k).add(us[cpu == k], self.threshold_us)

    def _series(self, cpu: int) -> Series:
        series = self.per_cpu.get(cpu)
        if series is None:
            series = self.per_cpu[cpu] = Series()
        return series
