"""The wording of a findings bullet (SPEC section 6) and the week-over-week comparison."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from reporter.model.findings import (
    BadRow,
    Count,
    CpuFigures,
    Figure,
    Finding,
    MeasurementSnapshot,
)
from reporter.report.findings import finding_lines, format_duration, previous_finding
from reporter.store.snapshot import read_part, write_part

SPEC = Finding(
    file="latency-0216.csv", kind="samples", format="csv", card="STR-76", label="long run",
    samples=300000, duration_s=300.0, min_us=41, avg_us=118.2, median_us=Figure(112),
    p99_us=Figure(402), p999_us=Figure(1204), max_us=3412, threshold_us=3000,
    above_threshold=Count.of(9), spikes=5, rows=300000,
)
LAST = dataclasses.replace(SPEC, file="latency-0209.csv", spikes=11)


def test_the_spec_example_word_for_word() -> None:
    assert finding_lines(SPEC, LAST) == (
        "Latency, long run (latency-0216.csv, 300000 samples, 5 min):",
        "min 41 / avg 118 / p99 402 / p99.9 1204 / max 3412 usecs",
        "5 spikes > 3000 usecs (last week: 11)",
    )


def test_without_label_last_week_or_duration() -> None:
    f = dataclasses.replace(SPEC, label=None, duration_s=None)
    assert finding_lines(f, None) == (
        "Latency (latency-0216.csv, 300000 samples):",
        "min 41 / avg 118 / p99 402 / p99.9 1204 / max 3412 usecs",
        "5 spikes > 3000 usecs",
    )


def test_no_threshold_no_spikes_line() -> None:
    f = dataclasses.replace(SPEC, threshold_us=None, spikes=None, above_threshold=None)
    assert len(finding_lines(f, LAST)) == 2


def test_percentile_in_the_overflow_reads_above_the_last_bucket() -> None:
    f = dataclasses.replace(SPEC, p99_us=Figure(199, over=True), p999_us=Figure(199, over=True),
                            spikes=None, above_threshold=Count(0, 37))
    assert finding_lines(f, None)[1:] == (
        "min 41 / avg 118 / p99 > 199 / p99.9 > 199 / max 3412 usecs",
        "up to 37 samples > 3000 usecs",
    )


@pytest.mark.parametrize(("spikes", "above", "line"), [
    (None, Count.of(12), "12 samples > 3000 usecs"),
    (None, Count.of(1), "1 sample > 3000 usecs"),
    (None, Count(1, None), "at least 1 sample > 3000 usecs"),
    (None, Count(3, 40), "3 to 40 samples > 3000 usecs"),
    (0, Count.of(0), "0 spikes > 3000 usecs"),
])
def test_counts_known_only_within_bounds_say_so(spikes: int | None, above: Count,
                                                line: str) -> None:
    f = dataclasses.replace(SPEC, spikes=spikes, above_threshold=above)
    assert finding_lines(f, None)[2] == line


def test_unknown_figures_read_n_a() -> None:
    f = dataclasses.replace(SPEC, p99_us=None, p999_us=None, samples=None)
    lines = finding_lines(f, None)
    assert lines[0] == "Latency, long run (latency-0216.csv, 5 min):"
    assert lines[1] == "min 41 / avg 118 / p99 n/a / p99.9 n/a / max 3412 usecs"


def test_worst_cpu_and_bad_rows_follow() -> None:
    worst = CpuFigures(name="CPU 2", samples=150000, min_us=44, avg_us=118.9,
                       p99_us=Figure(405), p999_us=Figure(1220), max_us=3412)
    f = dataclasses.replace(SPEC, cpus=2, worst_cpu=worst, bad_rows=7,
                            bad_examples=tuple(BadRow(n, "x") for n in (17, 18, 204, 990, 1001,
                                                                         1002, 1003)))
    assert finding_lines(f, None)[3:] == (
        "worst CPU 2: min 44 / avg 119 / p99 405 / p99.9 1220 / max 3412 usecs",
        "7 bad rows ignored (lines 17, 18, 204, 990, 1001, ...)",
    )
    one = dataclasses.replace(SPEC, bad_rows=1, bad_examples=(BadRow(301, "x"),))
    assert finding_lines(one, None)[-1] == "1 bad row ignored (line 301)"


def test_an_invalid_file_says_the_data_was_invalid_and_shows_no_numbers() -> None:
    f = Finding(file="latency-0216.csv", kind="samples", format="csv", label="long run",
                threshold_us=3000, rows=2003, bad_rows=3,
                bad_examples=(BadRow(11, "x"), BadRow(501, "y"), BadRow(1501, "z")),
                invalid="3 of 2003 rows are bad (0.15%, more than the 0.1% allowed)")
    assert finding_lines(f, LAST) == (
        "Latency, long run (latency-0216.csv):",
        "the data was invalid: 3 of 2003 rows are bad (0.15%, more than the 0.1% allowed); "
        "bad lines 11, 501, 1501",
    )


def test_last_week_invalid_or_other_threshold_is_not_compared() -> None:
    assert finding_lines(SPEC, dataclasses.replace(LAST, invalid="x"))[2] == \
        "5 spikes > 3000 usecs"
    assert finding_lines(SPEC, dataclasses.replace(LAST, threshold_us=2000))[2] == \
        "5 spikes > 3000 usecs"


def test_last_week_sample_counts_compare_with_sample_counts() -> None:
    hist = dataclasses.replace(SPEC, spikes=None, above_threshold=Count.of(12))
    last = dataclasses.replace(hist, above_threshold=Count.of(30))
    assert finding_lines(hist, last)[2] == "12 samples > 3000 usecs (last week: 30)"
    assert finding_lines(hist, LAST)[2] == "12 samples > 3000 usecs (last week: 9)"


def test_previous_finding_is_same_card_label_and_kind() -> None:
    hist = dataclasses.replace(LAST, kind="cyclictest", format="cyclictest-hist",
                               file="hist.txt")
    other_card = dataclasses.replace(LAST, card="STR-68")
    other_label = dataclasses.replace(LAST, label="short run")
    snap = MeasurementSnapshot(pulled_at="2023-02-13T09:00:00+09:00",
                               findings=(hist, other_card, other_label, LAST))
    assert previous_finding(SPEC, snap) == LAST
    cyclic = dataclasses.replace(SPEC, kind="cyclictest", format="cyclictest-hist",
                                 file="hist-0216.txt")
    assert previous_finding(cyclic, snap) == hist
    assert previous_finding(dataclasses.replace(SPEC, label="other"), snap) is None
    assert previous_finding(SPEC, None) is None


def test_previous_finding_prefers_a_valid_one_of_the_same_file() -> None:
    broken = dataclasses.replace(LAST, invalid="bad", spikes=None)
    same_name = dataclasses.replace(LAST, file=SPEC.file, spikes=3)
    snap = MeasurementSnapshot(pulled_at="x", findings=(broken, LAST, same_name))
    assert previous_finding(SPEC, snap) == same_name


@pytest.mark.parametrize(("seconds", "text"), [
    (0.4, "1 s"), (45, "45 s"), (119.4, "119 s"), (300, "5 min"), (299.999, "5 min"),
    (5400, "90 min"), (7200, "2 h"), (3 * 86400, "3 d"),
])
def test_durations(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_snapshot_round_trips_through_the_store(tmp_path: Path) -> None:
    worst = CpuFigures(name="thread 1", samples=10, p999_us=Figure(199, over=True),
                       above_threshold=Count(1, None))
    snap = MeasurementSnapshot(pulled_at="2023-02-20T09:00:00+09:00", findings=(
        dataclasses.replace(SPEC, worst_cpu=worst, cpus=2,
                            bad_examples=(BadRow(3, "NUL bytes in the line"),)),
        Finding(file="x.csv", kind="unknown", format="unknown", invalid="empty file: no samples"),
    ))
    write_part(tmp_path, dt.date(2023, 2, 17), "measurements", snap)
    assert read_part(tmp_path, dt.date(2023, 2, 17), "measurements", MeasurementSnapshot) == snap
