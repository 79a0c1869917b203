"""cyclictest (histogram, JSON, summary lines) and jitterdebugger results: figures from buckets."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from reporter.measure.analyse import MeasureOptions, measure_file
from reporter.model.findings import Count, Figure, Finding
from reporter.report.findings import finding_lines
from tests.measure_helpers import FIXTURES, read_hist, write


def measure(path: Path, threshold: float | None = None) -> Finding:
    return measure_file(path, MeasureOptions(threshold_us=threshold))


def bucket_percentile(counts: dict[int, int], overflow: int, last: int, p: float) -> Figure:
    n = sum(counts.values()) + overflow
    rank = math.ceil(p / 100 * n)
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            return Figure(float(bucket))
    return Figure(float(last), over=True)


def test_cyclictest_histogram_percentiles_count_the_overflow() -> None:
    path = FIXTURES / "cyclictest-hist.txt"
    rows, trailer = read_hist(path)
    nthreads = len(trailer["Min Latencies"])
    merged: dict[int, int] = {}
    for bucket, counts in rows.items():
        merged[bucket] = sum(counts[:nthreads])
    overflow = sum(trailer["Histogram Overflows"][:nthreads])
    last = max(rows)
    f = measure(path, threshold=100)
    assert f.format == "cyclictest-hist" and f.kind == "cyclictest"
    assert f.samples == sum(trailer["Total"][:nthreads]) + overflow
    assert f.min_us == min(trailer["Min Latencies"])
    assert f.max_us == max(trailer["Max Latencies"][:nthreads])
    for p, got in ((50, f.median_us), (99, f.p99_us), (99.9, f.p999_us)):
        assert got == bucket_percentile(merged, overflow, last, p)
    # 139 + 129 overflows of 39977 samples: p99.9 lies in the overflow, so only a floor.
    assert f.p999_us == Figure(199.0, over=True)
    # The threshold is below the last bucket: the count above it is exact.
    above = sum(c for b, c in merged.items() if b > 100) + overflow
    assert f.above_threshold == Count.of(above)
    assert f.spikes is None  # a histogram has no order


def test_threshold_above_the_histogram_gives_bounds_never_a_low_number() -> None:
    f = measure(FIXTURES / "cyclictest-hist.txt", threshold=3000)
    _, trailer = read_hist(FIXTURES / "cyclictest-hist.txt")
    assert f.above_threshold == Count(1, sum(trailer["Histogram Overflows"]))
    assert f.spikes is None


def test_threshold_above_the_maximum_is_exactly_zero_samples() -> None:
    f = measure(FIXTURES / "cyclictest-hist.txt", threshold=100000)
    assert (f.above_threshold, f.spikes) == (Count.of(0), None)
    assert finding_lines(f, None)[2] == "0 samples > 100000 usecs"


def test_cyclictest_json_matches_its_histogram_run() -> None:
    text = measure(FIXTURES / "cyclictest-hist.txt", threshold=100)
    js = measure(FIXTURES / "cyclictest.json", threshold=100)
    assert js.format == "cyclictest-json"
    for name in ("samples", "median_us", "p99_us", "p999_us", "max_us", "min_us",
                 "above_threshold", "cpus"):
        assert getattr(js, name) == getattr(text, name), name
    assert js.duration_s is not None and 1 <= js.duration_s <= 10  # from start/end_time


def test_per_thread_worst_is_the_highest_maximum() -> None:
    f = measure(FIXTURES / "cyclictest-hist.txt")
    _, trailer = read_hist(FIXTURES / "cyclictest-hist.txt")
    worst = max(range(2), key=lambda t: trailer["Max Latencies"][t])
    assert f.cpus == 2
    assert f.worst_cpu is not None
    assert f.worst_cpu.name == f"thread {worst}"
    assert f.worst_cpu.max_us == trailer["Max Latencies"][worst]
    assert f.worst_cpu.samples == trailer["Total"][worst] + trailer["Histogram Overflows"][worst]


def test_histofall_column_is_not_counted_twice() -> None:
    f = measure(FIXTURES / "cyclictest-histofall.txt")
    _, trailer = read_hist(FIXTURES / "cyclictest-histofall.txt")
    assert f.samples == sum(trailer["Total"][:2]) + sum(trailer["Histogram Overflows"][:2])
    assert f.samples == 10000


def test_unescaped_cyclictest_json_is_read() -> None:
    raw = (FIXTURES / "cyclictest-unescaped.json").read_text()
    with pytest.raises(ValueError):
        json.loads(raw)
    f = measure(FIXTURES / "cyclictest-unescaped.json")
    assert f.invalid is None and f.samples == 500


def test_cyclictest_json_without_histogram_has_no_percentiles() -> None:
    f = measure(FIXTURES / "cyclictest-nohist.json", threshold=100)
    doc = json.loads((FIXTURES / "cyclictest-nohist.json").read_text())
    threads = doc["thread"].values()
    assert f.samples == sum(t["cycles"] for t in threads)
    assert f.max_us == max(t["max"] for t in threads)
    assert (f.p99_us, f.p999_us, f.median_us) == (None, None, None)
    assert f.above_threshold == Count(1, None)  # the max is above: at least one sample


def test_cyclictest_summary_lines_last_refresh_wins() -> None:
    f = measure(FIXTURES / "cyclictest-live.txt")
    assert f.format == "cyclictest-summary"
    text = (FIXTURES / "cyclictest-live.txt").read_text()
    last = {}
    for line in text.splitlines():
        if line.startswith("T:"):
            fields = line.split()
            last[fields[1]] = line
    cycles = [int(line.split("C:")[1].split()[0]) for line in last.values()]
    maxes = [int(line.split("Max:")[1].split()[0]) for line in last.values()]
    assert f.samples == sum(cycles)
    assert f.max_us == max(maxes)
    assert f.duration_s is not None


def test_truncated_cyclictest_histogram_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "cyclictest-hist.txt").read_text()
    cut = text[: text.index("# Max Latencies")]
    f = measure(write(tmp_path, "cut.txt", cut))
    assert f.invalid == (f"line {cut.count(chr(10))}: the cyclictest histogram ends without "
                         "its '# Max Latencies:' line: the file is truncated")
    assert f.samples is None


def test_edited_histogram_that_does_not_add_up_is_refused(tmp_path: Path) -> None:
    lines = (FIXTURES / "cyclictest-hist.txt").read_text().splitlines(keepends=True)
    edited = [("000100 999999\t000000\n" if line.startswith("000100 ") else line)
              for line in lines]
    assert edited != lines
    f = measure(write(tmp_path, "edited.txt", "".join(edited)))
    assert f.invalid is not None
    assert f.invalid.startswith("cyclictest histogram: thread 0's rows add up to")
    assert f.samples is None


def test_truncated_cyclictest_json_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "cyclictest.json").read_text()
    cut = text[: len(text) // 2]
    f = measure(write(tmp_path, "cut.json", cut))
    assert f.invalid is not None
    assert f.invalid.startswith(f"line {cut.count(chr(10)) + 1}: malformed cyclictest JSON")


def test_cyclictest_json_histogram_larger_than_cycles_is_refused(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "cyclictest.json").read_text())
    doc["thread"]["0"]["cycles"] = 10
    f = measure(write(tmp_path, "bad.json", json.dumps(doc)))
    assert f.invalid is not None and "more samples" in f.invalid


def test_jitterdebugger_results_in_usecs() -> None:
    path = FIXTURES / "jitterdebugger-us" / "results.json"
    doc = json.loads(path.read_text())
    f = measure(path, threshold=100)
    assert f.format == "jitterdebugger-json" and f.kind == "jitterdebugger"
    cpus = doc["cpu"].values()
    assert f.samples == sum(c["count"] for c in cpus)
    assert f.max_us == max(c["max"] for c in cpus)
    merged: dict[int, int] = {}
    for c in cpus:
        for k, v in c["histogram"].items():
            merged[int(k)] = merged.get(int(k), 0) + v
    assert f.p99_us == bucket_percentile(merged, 0, max(merged), 99)
    assert f.above_threshold == Count.of(sum(v for k, v in merged.items() if k > 100))


def test_jitterdebugger_results_in_nsecs_are_converted() -> None:
    path = FIXTURES / "jitterdebugger-ns" / "results.json"
    doc = json.loads(path.read_text())
    assert doc["sysinfo"]["resolution_in_ns"] == 1
    f = measure(path)
    assert f.max_us == pytest.approx(max(c["max"] for c in doc["cpu"].values()) / 1000)
    # Same run, same figures as its samples (to the usec; the samples lose one at exit).
    samples = measure(path.parent / "samples.csv")
    assert abs((f.p99_us.us if f.p99_us else 0) - (samples.p99_us.us if samples.p99_us else 0)) <= 1


def test_jitterdebugger_overflow_is_reported_above_the_largest_slot(tmp_path: Path) -> None:
    doc = {"version": 3, "sysinfo": {"resolution_in_ns": 1000},
           "cpu": {"0": {"histogram": {"10": 980, "999": 10}, "count": 1000, "min": 10,
                         "max": 1500, "avg": 12.0}}}
    f = measure(write(tmp_path, "results.json", json.dumps(doc)), threshold=500)
    assert f.p999_us == Figure(999.0, over=True)
    assert f.p99_us == Figure(999.0)
    assert f.above_threshold == Count.of(20)
