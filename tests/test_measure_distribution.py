"""The distribution behind every percentile: exact usecs, 1-ms buckets above 1 s, overflow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from reporter.measure.analyse import MeasureOptions, measure_file
from reporter.measure.distribution import Distribution
from reporter.model.findings import Count, Figure
from tests.measure_helpers import nearest_rank, write


@given(st.lists(st.integers(min_value=0, max_value=20000), min_size=1, max_size=500),
       st.sampled_from([50, 90, 99, 99.9, 100]))
def test_percentiles_are_exact_nearest_ranks_of_integer_usecs(values: list[int],
                                                              p: float) -> None:
    dist = Distribution()
    half = len(values) // 2
    dist.add_buckets(np.array(values[:half], dtype=np.int64))
    dist.add_buckets(np.array(values[half:], dtype=np.int64))
    assert dist.count == len(values)
    assert dist.percentile(p) == Figure(nearest_rank(sorted(values), p))


def test_latencies_of_seconds_use_millisecond_buckets(tmp_path: Path) -> None:
    values = ["100"] * 990 + ["1500000.7"] * 6 + ["2750123"] * 4
    f = measure_file(write(tmp_path, "slow.txt", "\n".join(values) + "\n"),
                     MeasureOptions(threshold_us=2_000_000))
    assert f.max_us == 2750123  # exact
    assert f.p99_us == Figure(100)
    assert f.p999_us == Figure(2_750_000)  # the 1-ms bucket's floor
    assert (f.above_threshold, f.spikes) == (Count.of(4), 1)


def test_counts_above_a_threshold_in_a_histogram_with_overflow() -> None:
    dist = Distribution()
    dist.add_bucket_counts(np.array([10, 150, 199]), np.array([90, 6, 1]))
    dist.add_overflow(3, 199.0)
    assert dist.count == 100
    assert dist.count_above(100) == Count.of(10)  # exact: below the last bucket
    assert dist.count_above(199) == Count.of(3)  # the overflow is all above 199
    assert dist.count_above(500) == Count(0, 3)  # unknown: up to the overflow
    dist.max_us = 900.0
    assert dist.count_above(500) == Count(1, 3)  # the maximum itself is above
    dist.max_us = 400.0
    assert dist.count_above(500) == Count.of(0)
    assert dist.percentile(97) == Figure(199.0)
    assert dist.percentile(98) == Figure(199.0, over=True)


def test_merged_overflows_keep_the_lowest_floor() -> None:
    a, b = Distribution(), Distribution()
    a.add_bucket_counts(np.array([5]), np.array([10]))
    a.add_overflow(1, 99.0)
    b.add_bucket_counts(np.array([5]), np.array([10]))
    b.add_overflow(1, 199.0)
    a.merge(b)
    assert a.count == 22
    assert a.percentile(100) == Figure(99.0, over=True)
