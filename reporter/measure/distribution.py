"""Latency distributions and their exact nearest-rank percentiles (README: "Latency percentiles").

Two shapes:

- `Table`: the exact values of a histogram read from a file (cyclictest `-h` and
  `--json`, jitterdebugger), with the count of each, plus an overflow known only to
  lie above the last bucket. Its size is bounded by the file's, which is capped.
- `Buckets`: streamed samples, counted in 1-usec buckets below 65536 usecs and in
  256 log-spaced buckets per power of two above that (each under 0.4% wide), up to
  the 60 s cap. A bucket is the sample's exact value only when every sample of the
  stream was a whole usec below 65536; otherwise `locate` says which bucket, and
  which rank inside it, a second pass over the file must resolve (see `resolve.py`).
  Memory: 512 KiB at most per stream, whatever the number of samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reporter.model.findings import Count, Figure

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DENSE_LIMIT_US = 1 << 16  # 1-usec buckets below this
LOG_SUB = 256  # log-spaced buckets per power of two above DENSE_LIMIT_US
_LOG_SHIFT = 8  # log2(LOG_SUB)
_FIRST_EXP = 16  # log2(DENSE_LIMIT_US)
MAX_PLAUSIBLE_US = 60_000_000  # a latency above 60 s is a corrupt value, not a measurement
PERCENTILES = (50.0, 99.0, 99.9)


def rank_of(p: float, n: int) -> int:
    """The nearest rank of percentile p among n samples, in exact integer arithmetic."""
    tenths = round(p * 10)
    return max(1, -(-tenths * n // 1000))


@dataclass(frozen=True)
class Query:
    """The k-th smallest sample (1-based) among those in [lo_us, hi_us): still to resolve."""

    lo_us: float
    hi_us: float
    k: int


class Table:
    """Exact sample values with their counts, plus an overflow above a known floor."""

    def __init__(self) -> None:
        import numpy as np

        self.values: npt.NDArray[np.float64] = np.zeros(0, dtype=np.float64)
        self.counts: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.overflow = 0  # samples only known to lie above overflow_floor_us
        self.overflow_floor_us: float | None = None  # the last bucket of the histogram
        self.max_us: float | None = None  # when known, the largest sample

    @property
    def count(self) -> int:
        return int(self.counts.sum()) + self.overflow

    def add(self, values_us: npt.NDArray[np.float64], counts: npt.NDArray[np.int64]) -> None:
        import numpy as np

        keep = counts > 0
        values = np.concatenate([self.values, values_us[keep].astype(np.float64)])
        weights = np.concatenate([self.counts, counts[keep].astype(np.int64)])
        self.values, inverse = np.unique(values, return_inverse=True)
        self.counts = np.bincount(inverse.ravel(), weights=weights,
                                  minlength=self.values.size).astype(np.int64)

    def add_overflow(self, n: int, floor_us: float) -> None:
        self.overflow += n
        self.overflow_floor_us = (floor_us if self.overflow_floor_us is None
                                  else min(self.overflow_floor_us, floor_us))

    def merge(self, other: Table) -> None:
        self.add(other.values, other.counts)
        if other.overflow:
            self.add_overflow(other.overflow, other.overflow_floor_us or 0.0)
        if other.max_us is not None:
            self.max_us = other.max_us if self.max_us is None else max(self.max_us, other.max_us)

    def percentile(self, p: float) -> Figure | None:
        """The nearest-rank value; in the overflow, `> last bucket` (or the max, at rank n)."""
        import numpy as np

        n = self.count
        if n == 0:
            return None
        rank = rank_of(p, n)
        cum = np.cumsum(self.counts)
        if cum.size and int(cum[-1]) >= rank:
            return Figure(float(self.values[int(np.searchsorted(cum, rank))]))
        if rank == n and self.max_us is not None:
            return Figure(self.max_us)  # the last sample is the maximum
        return Figure(float(self.overflow_floor_us or 0.0), over=True)

    def count_above(self, threshold_us: float) -> Count:
        """Samples above the threshold: exact, or bounds where the overflow straddles it."""
        exact = int(self.counts[self.values > threshold_us].sum())
        unsure = 0
        if self.overflow:
            if (self.overflow_floor_us or 0.0) >= threshold_us:
                exact += self.overflow  # overflow values lie above the floor
            else:
                unsure = self.overflow
        if self.max_us is not None and self.max_us <= threshold_us:
            return Count.of(0)
        low = exact
        if unsure and low == 0 and self.max_us is not None and self.max_us > threshold_us:
            low = 1  # the maximum itself is above the threshold
        return Count(low, exact + unsure)

    def bars(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        return self.values, self.counts


class Buckets:
    """Streamed samples counted in bounded memory; `locate` finds a percentile's bucket."""

    def __init__(self) -> None:
        import numpy as np

        self.dense: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.log: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.integral = True  # every sample so far was a whole number of usecs
        self.overflow = 0  # (never: values above the cap are bad rows) for the plots
        self.overflow_floor_us: float | None = None

    @property
    def count(self) -> int:
        return int(self.dense.sum()) + int(self.log.sum())

    def add(self, us: npt.NDArray[np.int64] | npt.NDArray[np.float64],
            top_us: float) -> None:
        """Count non-negative usecs up to MAX_PLAUSIBLE_US; `top_us` is their maximum."""
        import numpy as np

        if us.size == 0:
            return
        if us.dtype.kind in "iu":
            whole: npt.NDArray[np.int64] = us.astype(np.int64, copy=False)
        else:
            whole = np.floor(us).astype(np.int64)
            if self.integral and not np.array_equal(whole, us):
                self.integral = False
        if top_us >= DENSE_LIMIT_US:
            big = whole >= DENSE_LIMIT_US
            self._merge_log(np.bincount(log_index(whole[big])))
            whole = whole[~big]
        if whole.size:
            self._merge_dense(np.bincount(whole))

    def add_counts(self, counts: npt.NDArray[np.int64]) -> None:
        """Add counts per whole usec (index = usecs), all below DENSE_LIMIT_US."""
        self._merge_dense(counts.copy())

    def merge(self, other: Buckets) -> None:
        self._merge_dense(other.dense.copy())
        self._merge_log(other.log.copy())
        self.integral = self.integral and other.integral

    def locate(self, p: float) -> Figure | Query | None:
        """The percentile when its bucket is exact, else the query that resolves it."""
        import numpy as np

        n = self.count
        if n == 0:
            return None
        rank = rank_of(p, n)
        for counts, dense in ((self.dense, True), (self.log, False)):
            if not counts.size:
                continue
            cum = np.cumsum(counts)
            if int(cum[-1]) < rank:
                rank -= int(cum[-1])
                continue
            i = int(np.searchsorted(cum, rank))
            k = rank - (int(cum[i - 1]) if i else 0)
            if dense:
                if self.integral:
                    return Figure(float(i))
                return Query(float(i), float(i + 1), k)
            lo, width = log_bounds(i)
            return Query(lo, lo + width, k)
        raise AssertionError("rank beyond the count")  # pragma: no cover

    def bars(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        import numpy as np

        return np.arange(self.dense.size, dtype=np.float64), self.dense

    def _merge_dense(self, counts: npt.NDArray[np.int64]) -> None:
        self.dense = _merged(self.dense, counts)

    def _merge_log(self, counts: npt.NDArray[np.int64]) -> None:
        self.log = _merged(self.log, counts)


def log_index(whole: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The log bucket of whole usecs at or above DENSE_LIMIT_US."""
    import numpy as np

    exp = np.frexp(whole.astype(np.float64))[1].astype(np.int64) - 1  # exact below 2**53
    sub = (whole >> (exp - _LOG_SHIFT)) - LOG_SUB
    return (exp - _FIRST_EXP) * LOG_SUB + sub


def log_bounds(i: int) -> tuple[float, float]:
    """(lower bound, width) of log bucket i, in usecs."""
    exp = _FIRST_EXP + i // LOG_SUB
    sub = i % LOG_SUB
    width = 1 << (exp - _LOG_SHIFT)
    return float((LOG_SUB + sub) * width), float(width)


def _merged(mine: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    if counts.size > mine.size:
        counts[: mine.size] += mine
        return counts
    mine[: counts.size] += counts
    return mine


def json_histogram(tool: str, where: str, hist: dict[Any, Any], total: int, total_name: str,
                   unit: str, floor_us: float) -> Table:
    """A tool's JSON histogram object (bucket -> count, in `unit`) as a Table, the samples it
    does not hold (`total` minus its counts) in the overflow above `floor_us`. Refused names
    the field of a non-integer, a negative number or more samples than `total`."""
    import numpy as np

    from reporter.measure.textfile import Refused
    from reporter.measure.units import in_us

    try:
        keys = np.array([int(k) for k in hist], dtype=np.int64)
        vals = np.array([int(v) for v in hist.values()], dtype=np.int64)
    except (TypeError, ValueError):
        raise Refused(f"{tool} JSON: {where}.histogram holds a non-integer") from None
    if keys.size and ((keys < 0).any() or (vals < 0).any()):
        raise Refused(f"{tool} JSON: {where}.histogram holds a negative number")
    overflow = total - int(vals.sum())
    if overflow < 0:
        raise Refused(f"{tool} JSON: {where}.histogram counts more samples "
                      f"({int(vals.sum())}) than {total_name} ({total})")
    table = Table()
    table.add(in_us(keys.astype(np.float64), unit), vals)
    if overflow:
        table.add_overflow(overflow, floor_us)
    return table
