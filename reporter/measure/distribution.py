"""A latency distribution: exact 1-usec buckets, percentiles and counts above a threshold.

Buckets are exact integer microseconds below 1 s (bucket v holds the samples in
[v, v+1) usecs), then 1-ms buckets up to 60 s; anything above 60 s is refused as
absurd before it gets here. A histogram read from a file may add an overflow:
samples known only to lie above its last bucket.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from reporter.model.findings import Count, Figure

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

FINE_LIMIT_US = 1_000_000  # exact 1-usec buckets below this
COARSE_STEP_US = 1_000  # 1-ms buckets from FINE_LIMIT_US up to MAX_PLAUSIBLE_US
MAX_PLAUSIBLE_US = 60_000_000  # a latency above 60 s is a corrupt value, not a measurement


class Distribution:
    """Counts of latencies by bucket, plus an overflow above a known floor."""

    def __init__(self) -> None:
        import numpy as np

        self.fine: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.coarse: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.overflow = 0  # samples only known to lie above overflow_floor_us
        self.overflow_floor_us: float | None = None  # the last bucket of a histogram
        self.max_us: float | None = None  # when known, bounds the overflow

    @property
    def count(self) -> int:
        return int(self.fine.sum()) + int(self.coarse.sum()) + self.overflow

    def add_buckets(self, us: npt.NDArray[np.int64], max_us: float | None = None) -> None:
        """Count non-negative integer usecs (floors of the samples), up to MAX_PLAUSIBLE_US."""
        import numpy as np

        if us.size == 0:
            return
        top = int(us.max()) if max_us is None else int(max_us)
        if top >= FINE_LIMIT_US:
            big = us >= FINE_LIMIT_US
            self._add_coarse((us[big] - FINE_LIMIT_US) // COARSE_STEP_US)
            us = us[~big]
            if us.size == 0:
                return
        counts = np.bincount(us, minlength=self.fine.size)
        self._merge_fine(counts)

    def add_bucket_counts(self, buckets: npt.NDArray[np.int64],
                          counts: npt.NDArray[np.int64]) -> None:
        """Add `counts[i]` samples in bucket `buckets[i]` (integer usecs), as from a histogram."""
        import numpy as np

        if buckets.size == 0:
            return
        big = buckets >= FINE_LIMIT_US
        if big.any():
            coarse = (buckets[big] - FINE_LIMIT_US) // COARSE_STEP_US
            arr = np.zeros(int(coarse.max()) + 1, dtype=np.int64)
            np.add.at(arr, coarse, counts[big])
            self._merge_coarse(arr)
            buckets, counts = buckets[~big], counts[~big]
        if buckets.size:
            arr = np.zeros(int(buckets.max()) + 1, dtype=np.int64)
            np.add.at(arr, buckets, counts)
            self._merge_fine(arr)

    def add_overflow(self, n: int, floor_us: float) -> None:
        self.overflow += n
        self.overflow_floor_us = (floor_us if self.overflow_floor_us is None
                                  else min(self.overflow_floor_us, floor_us))

    def merge(self, other: Distribution) -> None:
        self._merge_fine(other.fine.copy())
        self._merge_coarse(other.coarse.copy())
        if other.overflow:
            self.add_overflow(other.overflow, other.overflow_floor_us or 0.0)
        if other.max_us is not None:
            self.max_us = other.max_us if self.max_us is None else max(self.max_us, other.max_us)

    def percentile(self, p: float) -> Figure | None:
        """The nearest-rank percentile: the smallest bucket holding at least p% of the samples.

        A rank that falls into the overflow gives `Figure(last bucket, over=True)`,
        never a number that is too low.
        """
        import numpy as np

        n = self.count
        if n == 0:
            return None
        rank = max(1, math.ceil(p / 100.0 * n - 1e-9))
        if self.fine.size:
            cum = np.cumsum(self.fine)
            if int(cum[-1]) >= rank:
                return Figure(float(np.searchsorted(cum, rank)))
            rank -= int(cum[-1])
        if self.coarse.size:
            cum = np.cumsum(self.coarse)
            if int(cum[-1]) >= rank:
                i = int(np.searchsorted(cum, rank))
                return Figure(float(FINE_LIMIT_US + i * COARSE_STEP_US))
        return Figure(float(self.overflow_floor_us or 0.0), over=True)

    def count_above(self, threshold_us: float) -> Count:
        """Samples above the threshold, for integer-usec histograms (exact where buckets allow)."""
        first = math.floor(threshold_us) + 1
        exact = int(self.fine[first:].sum()) if first < self.fine.size else 0
        unsure = 0
        if self.coarse.size:
            # A 1-ms bucket wholly above the threshold counts; the one holding it may not.
            for i, n in enumerate(self.coarse.tolist()):
                start = FINE_LIMIT_US + COARSE_STEP_US * i
                if start > threshold_us:
                    exact += n
                elif start + COARSE_STEP_US > threshold_us:
                    unsure += n
        if self.overflow:
            floor = self.overflow_floor_us or 0.0
            if floor >= threshold_us:  # overflow values are at least floor + 1
                exact += self.overflow
            else:
                unsure += self.overflow
        if self.max_us is not None and self.max_us <= threshold_us:
            return Count.of(0)
        low = exact
        if unsure and low == 0 and self.max_us is not None and self.max_us > threshold_us:
            low = 1  # the maximum itself is above the threshold
        return Count(low, exact + unsure)

    # -- internals ---------------------------------------------------------

    def _add_coarse(self, idx: npt.NDArray[np.int64]) -> None:
        import numpy as np

        self._merge_coarse(np.bincount(idx, minlength=self.coarse.size))

    def _merge_fine(self, counts: npt.NDArray[np.int64]) -> None:
        if counts.size > self.fine.size:
            counts[: self.fine.size] += self.fine
            self.fine = counts
        else:
            self.fine[: counts.size] += counts

    def _merge_coarse(self, counts: npt.NDArray[np.int64]) -> None:
        if counts.size > self.coarse.size:
            counts[: self.coarse.size] += self.coarse
            self.coarse = counts
        else:
            self.coarse[: counts.size] += counts
