"""netperf omni output with latency selectors: CSV (-o), columns (-O) and keyval (-k)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.measure.analyse import MeasureOptions, measure_file
from reporter.model.findings import Count, Figure, Finding
from tests.measure_helpers import FIXTURES, write


def measure(path: Path, threshold: float | None = None) -> Finding:
    return measure_file(path, MeasureOptions(threshold_us=threshold))


def csv_values(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    header = next(line for line in lines if "Latency Microseconds" in line)
    values = lines[lines.index(header) + 1]
    return dict(zip(header.split(","), values.split(","), strict=True))


def test_csv_output_gives_netperf_figures() -> None:
    path = FIXTURES / "netperf-omni.csv"
    v = csv_values(path)
    f = measure(path, threshold=1000)
    assert f.format == "netperf-csv" and f.kind == "netperf"
    assert f.min_us == float(v["Minimum Latency Microseconds"])
    assert f.avg_us == float(v["Mean Latency Microseconds"])
    assert f.median_us == Figure(float(v["50th Percentile Latency Microseconds"]))
    assert f.p99_us == Figure(float(v["99th Percentile Latency Microseconds"]))
    assert f.p999_us is None  # netperf has no p99.9
    assert f.max_us == float(v["Maximum Latency Microseconds"])
    assert f.duration_s == float(v["Elapsed Time (sec)"])
    assert f.samples == round(float(v["Throughput"]) * float(v["Elapsed Time (sec)"]))
    assert f.throughput == f"{v['Throughput']} Trans/s"
    assert f.above_threshold == (Count(1, None) if f.max_us > 1000 else Count.of(0))


def test_columns_output_is_split_by_its_header_columns() -> None:
    f = measure(FIXTURES / "netperf-omni-columns.txt")
    assert f.format == "netperf-columns"
    lines = (FIXTURES / "netperf-omni-columns.txt").read_text().splitlines()
    values = lines[-1].split()
    # Minimum Mean 50th 90th 99th Maximum Stddev Throughput Units Elapsed
    assert f.min_us == float(values[0])
    assert f.avg_us == float(values[1])
    assert f.median_us == Figure(float(values[2]))
    assert f.p99_us == Figure(float(values[4]))
    assert f.max_us == float(values[5])
    assert f.samples == round(float(values[7]) * float(values[9]))
    assert f.duration_s == float(values[9])


def test_keyval_output() -> None:
    f = measure(FIXTURES / "netperf-omni-keyval.txt")
    kv = dict(line.split("=", 1) for line in
              (FIXTURES / "netperf-omni-keyval.txt").read_text().splitlines())
    assert f.format == "netperf-keyval"
    assert f.max_us == float(kv["MAX_LATENCY"])
    assert f.p99_us == Figure(float(kv["P99_LATENCY"]))
    assert f.samples == round(float(kv["THROUGHPUT"]) * float(kv["ELAPSED_TIME"]))


def test_several_runs_in_one_file_give_overall_and_worst_run(tmp_path: Path) -> None:
    text = (FIXTURES / "netperf-omni-keyval.txt").read_text()
    second = text.replace("MAX_LATENCY=", "MAX_LATENCY=9").replace("ELAPSED_TIME=1.00",
                                                                     "ELAPSED_TIME=2.00")
    f = measure(write(tmp_path, "runs.txt", text + second))
    assert f.cpus == 2
    assert f.worst_cpu is not None and f.worst_cpu.name == "run 2"
    assert f.p99_us is None  # percentiles of separate runs cannot be combined
    assert f.max_us == f.worst_cpu.max_us


def test_statistics_that_were_not_collected_are_refused(tmp_path: Path) -> None:
    # netperf leaves the latency statistics at -1 when they were not collected.
    text = (FIXTURES / "netperf-omni-keyval.txt").read_text()
    lines = [("MIN_LATENCY=-1" if line.startswith("MIN_LATENCY=") else line)
             for line in text.splitlines()]
    f = measure(write(tmp_path, "no-j.txt", "\n".join(lines) + "\n"))
    assert f.invalid == ("netperf did not collect latency statistics (they read -1): run "
                         "netperf with the global -j option")


def test_output_without_latency_selectors_is_refused(tmp_path: Path) -> None:
    text = "THROUGHPUT=12.5\nTHROUGHPUT_UNITS=10^6bits/s\nMIN_LATENCY=\n"
    f = measure(write(tmp_path, "tp.txt", text))
    assert f.invalid is not None


@pytest.mark.parametrize("name", ["netperf-omni.csv", "netperf-omni-columns.txt",
                                  "netperf-omni-keyval.txt"])
def test_truncated_output_is_refused(tmp_path: Path, name: str) -> None:
    text = (FIXTURES / name).read_text()
    cut = text.rstrip("\n")[:-3]
    f = measure(write(tmp_path, name, cut))
    assert f.invalid == (f"line {cut.count(chr(10)) + 1}: truncated netperf output: the last "
                         "line has no end of line")
