"""Summaries of already computed figures (YAML or JSON), and format detection by content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reporter.measure.analyse import MeasureOptions, measure_file
from reporter.measure.detect import detect_format
from reporter.model.findings import Count, Figure, Finding
from tests.measure_helpers import FIXTURES, write


def measure(path: Path, threshold: float | None = None) -> Finding:
    return measure_file(path, MeasureOptions(threshold_us=threshold))


def test_yaml_summary_with_the_tools_own_spike_count() -> None:
    f = measure(FIXTURES / "summary.yaml", threshold=3000)
    assert f.format == "summary-yaml" and f.kind == "summary"
    assert (f.samples, f.duration_s, f.min_us, f.avg_us, f.max_us) == (300000, 300, 41, 118.4,
                                                                      3412)
    assert (f.median_us, f.p99_us, f.p999_us) == (Figure(112), Figure(402), Figure(1204))
    assert (f.above_threshold, f.spikes) == (Count.of(7), 5)
    assert f.cpus == 2 and f.worst_cpu is not None and f.worst_cpu.name == "CPU 2"


def test_summary_counts_for_another_threshold_are_not_used() -> None:
    f = measure(FIXTURES / "summary.yaml", threshold=2000)
    assert (f.above_threshold, f.spikes) == (Count(1, None), None)


def test_json_summary_in_nanoseconds() -> None:
    f = measure(FIXTURES / "summary.json")
    assert f.format == "summary-json"
    assert (f.samples, f.min_us, f.avg_us, f.max_us) == (120000, 41, 118.4, 3412)
    assert f.p999_us == Figure(1204)


@pytest.mark.parametrize(("text", "reason"), [
    ("samples: 10\nmin: 50\np99: 40\nmax: 60\n", "min 50 is above p99 40: the figures are "
                                                  "inconsistent"),
    ("samples: 10\nmin: 5\navg: 90\nmax: 60\n", "avg 90 is outside min..max"),
    ("samples: 10\nmin: -5\nmax: 60\n", "min: -5 is not a non-negative number"),
    ("samples: ten\nmax: 60\n", "samples: 'ten' is not a number"),
    ("samples: 10.5\nmax: 60\n", "samples: 10.5 is not a whole number"),
    ("samples: 10\nunit: furlongs\nmax: 60\n", "unit: 'furlongs' is not one of ns, us, ms, s"),
    ("samples: 10\nmin: 1\nmax: 60\n- x\nmore: 1\n", "malformed YAML at line 4"),
    ("samples: 10\n", "the summary has none of min, avg, max"),
])
def test_bad_summaries_are_refused(tmp_path: Path, text: str, reason: str) -> None:
    f = measure(write(tmp_path, "s.yaml", text))
    assert f.invalid == reason
    assert f.samples is None


@pytest.mark.parametrize(("name", "fmt"), [
    ("cyclictest-hist.txt", "cyclictest-hist"),
    ("cyclictest-histofall.txt", "cyclictest-hist"),
    ("cyclictest.json", "cyclictest-json"),
    ("cyclictest-unescaped.json", "cyclictest-json"),
    ("cyclictest-summary.txt", "cyclictest-summary"),
    ("cyclictest-live.txt", "cyclictest-summary"),
    ("jitterdebugger-us/results.json", "jitterdebugger-json"),
    ("jitterdebugger-us/samples.csv", "jitterdebugger-samples"),
    ("netperf-omni.csv", "netperf-csv"),
    ("netperf-omni-columns.txt", "netperf-columns"),
    ("netperf-omni-keyval.txt", "netperf-keyval"),
    ("summary.yaml", "summary-yaml"),
    ("summary.json", "summary-json"),
    ("latency-long-run.csv", "csv"),
])
def test_format_comes_from_the_content_not_the_name(tmp_path: Path, name: str,
                                                    fmt: str) -> None:
    renamed = tmp_path / "attachment.dat"
    shutil.copy(FIXTURES / name, renamed)
    f = measure(renamed)
    assert f.format == fmt
    assert f.invalid is None


def test_detection_of_raw_samples(tmp_path: Path) -> None:
    assert detect_format(b"118\n120\n") == "delimited"
    assert measure(write(tmp_path, "x", "118\n120\n")).format == "raw"
