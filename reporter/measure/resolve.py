"""Resolves percentiles that streamed buckets could only locate: exact values from more passes.

`Buckets.locate` gives, for a percentile, the bucket [lo, hi) and the rank k inside
it. One more pass over the file keeps, for each such bucket, the distinct values
that fall in it with their counts; the k-th is the exact nearest-rank value. A
bucket with more distinct values than the memory budget allows is cut into
sub-buckets instead, and the pass repeats on the one holding rank k (each pass
narrows the range 1024 times; in practice one pass suffices: a 1-usec bucket of
nanosecond data holds at most 1000 distinct values).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reporter.measure.distribution import Query
from reporter.measure.samples import Sink
from reporter.model.findings import Figure

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SUB_BUCKETS = 1024
DISTINCT_BUDGET = 4 << 20  # distinct values kept over all queries of a pass (64 MiB)
MAX_PASSES = 8  # float64 has 52 bits of mantissa: 1024**6 sub-divisions exhaust them

# A query's key: None for every row, or the CPU number whose rows count.
Key = Hashable


@dataclass
class _Search:
    cpu: int | None
    lo: float
    hi: float
    k: int
    limit: int
    edges: Any = None
    sub: Any = None
    values: list[Any] = field(default_factory=list)
    counts: list[Any] = field(default_factory=list)
    kept: int = 0
    too_many: bool = False
    result: float | None = None

    def start_pass(self) -> None:
        import numpy as np

        self.edges = np.linspace(self.lo, self.hi, SUB_BUCKETS + 1)
        self.edges[-1] = self.hi
        self.sub = np.zeros(SUB_BUCKETS, dtype=np.int64)
        self.values, self.counts, self.kept, self.too_many = [], [], 0, False

    def feed(self, us: npt.NDArray[Any], cpu: npt.NDArray[np.int64] | None) -> None:
        import numpy as np

        inside = (us >= self.lo) & (us < self.hi)
        if self.cpu is not None and cpu is not None:
            inside &= cpu == self.cpu
        sel = us[inside]
        if not sel.size:
            return
        where = np.searchsorted(self.edges, sel, side="right") - 1
        self.sub += np.bincount(np.clip(where, 0, SUB_BUCKETS - 1), minlength=SUB_BUCKETS)
        if self.too_many:
            return
        values, counts = np.unique(sel, return_counts=True)
        self.values.append(values.astype(np.float64))
        self.counts.append(counts)
        self.kept += int(values.size)
        if self.kept > 4 * self.limit:  # compact the duplicates across blocks
            self._compact()
            if self.kept > self.limit:
                self.too_many = True
                self.values, self.counts = [], []

    def finish_pass(self) -> None:
        import numpy as np

        if not self.too_many:
            self._compact()
            if self.kept <= self.limit:
                values = self.values[0] if self.values else np.zeros(0)
                counts = self.counts[0] if self.counts else np.zeros(0, dtype=np.int64)
                cum = np.cumsum(counts)
                if not cum.size or int(cum[-1]) < self.k:
                    raise AssertionError("the second pass saw fewer samples than the first")
                self.result = float(values[int(np.searchsorted(cum, self.k))])
                return
        cum = np.cumsum(self.sub)
        j = int(np.searchsorted(cum, self.k))
        self.k -= int(cum[j - 1]) if j else 0
        self.lo, self.hi = float(self.edges[j]), float(self.edges[j + 1])

    def _compact(self) -> None:
        import numpy as np

        if len(self.values) <= 1:
            return
        values, inverse = np.unique(np.concatenate(self.values), return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=np.concatenate(self.counts))
        self.values, self.counts = [values], [counts.astype(np.int64)]
        self.kept = int(values.size)


def resolve(queries: dict[Any, tuple[int | None, Query]],
            read: Callable[[Sink], None]) -> dict[Any, Figure]:
    """The exact value of each query; `read(sink)` streams the file's good rows once."""
    if not queries:
        return {}
    limit = max(1024, DISTINCT_BUDGET // len(queries))
    searches = {key: _Search(cpu, q.lo_us, q.hi_us, q.k, limit)
                for key, (cpu, q) in queries.items()}
    for _ in range(MAX_PASSES):
        open_ = [s for s in searches.values() if s.result is None]
        if not open_:
            break
        for s in open_:
            s.start_pass()

        def sink(us: Any, cpu: Any, _times: Any, todo: list[_Search] = open_) -> None:
            for s in todo:
                s.feed(us, cpu)

        read(sink)
        for s in open_:
            s.finish_pass()
    return {key: Figure(s.result) for key, s in searches.items() if s.result is not None}
