"""Every percentile is the exact nearest-rank sample: buckets locate it, a pass resolves it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporter.measure.analyse import MeasureOptions, measure_file
from reporter.measure.distribution import Buckets, Query, Table, log_bounds, log_index, rank_of
from reporter.model.findings import Count, Figure
from reporter.report.findings import finding_lines
from tests.measure_helpers import write


def numpy_rank(values: list[float], p: float) -> float:
    """numpy's own nearest-rank ("inverted_cdf") percentile."""
    return float(np.percentile(np.array(values, dtype=np.float64), p, method="inverted_cdf"))


@given(st.lists(st.integers(min_value=0, max_value=20000), min_size=1, max_size=500),
       st.sampled_from([50, 90, 99, 99.9, 100]))
def test_integer_usecs_below_the_dense_limit_are_exact_without_a_second_pass(
        values: list[int], p: float) -> None:
    dist = Buckets()
    half = len(values) // 2
    for part in (values[:half], values[half:]):
        arr = np.array(part, dtype=np.int64)
        if arr.size:
            dist.add(arr, float(arr.max()))
    assert dist.count == len(values)
    assert dist.locate(p) == Figure(numpy_rank([float(v) for v in values], p))


def test_fractions_and_large_values_ask_for_the_exact_value() -> None:
    dist = Buckets()
    dist.add(np.array([0.999, 0.999, 0.999, 0.999]), 0.999)
    assert dist.locate(99) == Query(0.0, 1.0, 4)
    big = Buckets()
    big.add(np.array([1234567] * 10, dtype=np.int64), 1234567.0)
    where = big.locate(99)
    assert isinstance(where, Query) and where.lo_us <= 1234567 < where.hi_us


def test_log_buckets_cover_every_whole_usec_once() -> None:
    whole = np.array([65536, 65791, 65792, 1234567, 59_999_999], dtype=np.int64)
    for value, index in zip(whole.tolist(), log_index(whole).tolist(), strict=True):
        lo, width = log_bounds(index)
        assert lo <= value < lo + width
        assert width / lo <= 1 / 256


def test_ranks_are_exact_integers() -> None:
    assert rank_of(99.9, 1000) == 999  # not 1000, as ceil(99.9 / 100 * 1000) gives in floats
    assert rank_of(50, 3) == 2
    assert rank_of(100, 7) == 7


def test_four_samples_of_0_999_print_1_everywhere(tmp_path: Path) -> None:
    f = measure_file(write(tmp_path, "s.txt", "0.999\n" * 4), MeasureOptions())
    assert (f.min_us, f.median_us, f.p99_us, f.max_us) == (0.999, Figure(0.999),
                                                           Figure(0.999), 0.999)
    assert finding_lines(f, None)[1] == "min 1 / avg 1 / p99 1 / p99.9 1 / max 1 usecs"


def test_values_of_seconds_keep_every_usec(tmp_path: Path) -> None:
    f = measure_file(write(tmp_path, "s.txt", "1234567\n" * 1000), MeasureOptions())
    assert f.p99_us == Figure(1234567.0)
    values = ["100"] * 990 + ["1500000.7"] * 6 + ["2750123"] * 4
    f = measure_file(write(tmp_path, "slow.txt", "\n".join(values) + "\n"),
                     MeasureOptions(threshold_us=2_000_000))
    assert (f.max_us, f.p99_us, f.p999_us) == (2750123, Figure(100), Figure(2750123))
    assert (f.above_threshold, f.spikes) == (Count.of(4), 1)


_VALUES = st.one_of(
    st.integers(min_value=0, max_value=3000).map(float),
    st.floats(min_value=0, max_value=5000, allow_nan=False).map(lambda v: round(v, 3)),
    st.integers(min_value=0, max_value=60_000_000).map(float),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_VALUES, min_size=1, max_size=300),
       cpus=st.lists(st.integers(min_value=0, max_value=3), min_size=300, max_size=300))
def test_every_figure_equals_numpy_on_random_sample_files(
        tmp_path: Path, values: list[float], cpus: list[int]) -> None:
    """A CSV with a CPU column: overall and per-CPU figures against numpy's nearest rank."""
    cpus = cpus[: len(values)]
    rows = "".join(f"{c},{v!r}\n" for c, v in zip(cpus, values, strict=True))
    path = write(tmp_path, "random.csv", "cpu,latency_us\n" + rows)
    f = measure_file(path, MeasureOptions(threshold_us=1000))
    assert f.invalid is None and f.samples == len(values)
    arr = np.array(values)
    assert (f.min_us, f.max_us) == (arr.min(), arr.max())
    for p, got in ((50, f.median_us), (99, f.p99_us), (99.9, f.p999_us)):
        assert got == Figure(numpy_rank(values, p))
        assert got is not None and f.min_us <= got.us <= f.max_us
    assert f.above_threshold == Count.of(int((arr > 1000).sum()))
    spikes = 0
    for c in set(cpus):
        mine = arr[np.array(cpus) == c] > 1000
        spikes += int(mine[0]) + int(np.count_nonzero(np.diff(mine.astype(np.int8)) == 1))
    assert f.spikes == spikes
    if f.worst_cpu is not None:
        worst = f.worst_cpu
        mine_v = [v for v, c in zip(values, cpus, strict=True) if f"CPU {c}" == worst.name]
        assert worst.p999_us == Figure(numpy_rank(mine_v, 99.9))


def test_counts_above_a_threshold_in_a_histogram_with_overflow() -> None:
    dist = Table()
    dist.add(np.array([10.0, 150.0, 199.0]), np.array([90, 6, 1]))
    dist.add_overflow(3, 199.0)
    assert dist.count == 100
    assert dist.count_above(100) == Count.of(10)  # exact: below the last bucket
    assert dist.count_above(199) == Count.of(3)  # the overflow is all above 199
    assert dist.count_above(500) == Count(0, 3)  # unknown: up to the overflow
    dist.max_us = 900.0
    assert dist.count_above(500) == Count(1, 3)  # the maximum itself is above
    assert dist.percentile(100) == Figure(900.0)  # the last sample is the maximum
    dist.max_us = 400.0
    assert dist.count_above(500) == Count.of(0)
    assert dist.percentile(97) == Figure(199.0)
    assert dist.percentile(98) == Figure(199.0, over=True)


def test_merged_overflows_keep_the_lowest_floor() -> None:
    a, b = Table(), Table()
    a.add(np.array([5.0]), np.array([10]))
    a.add_overflow(1, 99.0)
    b.add(np.array([5.5]), np.array([10]))
    b.add_overflow(1, 199.0)
    a.merge(b)
    assert a.count == 22
    assert a.percentile(50) == Figure(5.5)
    assert a.percentile(99) == Figure(99.0, over=True)
