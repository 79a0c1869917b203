"""Outputs recorded from real runs on this machine (fixtures README), and a live cyclictest."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from reporter.cli import main
from reporter.measure.analyse import MeasureOptions, analyse_path, measure_file
from reporter.measure.netperf import NO_LATENCY
from reporter.model.findings import Count, Figure, Finding
from reporter.report.findings import finding_lines
from tests.measure_helpers import FIXTURES, read_hist, write


def measure(path: Path, threshold: float | None = None, unit: str | None = None) -> Finding:
    return measure_file(path, MeasureOptions(threshold_us=threshold, unit=unit))


def hist_text(path: Path) -> tuple[np.ndarray, np.ndarray, dict[str, list[int]], int]:
    """(buckets, counts per thread, trailer, thread count) of a cyclictest -h output."""
    rows, trailer = read_hist(path)
    arr = np.array([[bucket, *counts] for bucket, counts in rows.items()], dtype=np.int64)
    return arr[:, 0], arr[:, 1:], trailer, len(trailer["Min Latencies"])


def nearest(values: np.ndarray, counts: np.ndarray, overflow: int, p: float) -> Figure:
    n = int(counts.sum()) + overflow
    rank = max(1, -(-round(p * 10) * n // 1000))
    cum = np.cumsum(counts)
    if cum[-1] >= rank:
        return Figure(float(values[int(np.searchsorted(cum, rank))]))
    return Figure(float(values.max()), over=True)


def test_a_histogram_that_starts_past_64_kib_is_read_as_the_histogram() -> None:
    path = FIXTURES / "cyclictest-live-hist.txt"
    assert path.read_bytes().index(b"# Histogram\n") > 64 << 10
    buckets, counts, trailer, nthreads = hist_text(path)
    f = measure(path, threshold=100)
    assert f.format == "cyclictest-hist" and f.invalid is None
    overflow = sum(trailer["Histogram Overflows"])
    assert f.samples == sum(trailer["Total"]) + overflow  # 39991, not the stale T: lines' C:
    merged = counts[:, :nthreads].sum(axis=1)
    for p, got in ((50, f.median_us), (99, f.p99_us), (99.9, f.p999_us)):
        assert got == nearest(buckets.astype(float), merged, overflow, p)
    assert f.p99_us is not None and not f.p99_us.over
    assert f.above_threshold == Count.of(int(merged[buckets > 100].sum()) + overflow)


def test_histfile_with_histofall_reads_each_thread_not_the_sum_column() -> None:
    path = FIXTURES / "cyclictest-histfile.txt"
    buckets, counts, trailer, nthreads = hist_text(path)
    assert counts.shape[1] == nthreads + 1  # -H adds the all-threads column
    f = measure(path)
    assert f.samples == sum(trailer["Total"][:nthreads]) + \
        sum(trailer["Histogram Overflows"][:nthreads])
    assert f.max_us == max(trailer["Max Latencies"][:nthreads])


def test_nsec_summary_is_read_in_nsecs_when_the_unit_says_so(
        caplog: pytest.LogCaptureFixture) -> None:
    path = FIXTURES / "cyclictest-ns-summary.txt"
    lines = [line.split() for line in path.read_text().splitlines() if line.startswith("T:")]
    mins = [int(line[line.index("Min:") + 1]) for line in lines]
    maxes = [int(line[line.index("Max:") + 1]) for line in lines]
    f = measure(path, unit="ns")
    assert (f.min_us, f.max_us) == (min(mins) / 1000, max(maxes) / 1000)
    assert not caplog.records
    with caplog.at_level(logging.WARNING):
        g = measure(path)
    assert g.max_us == max(maxes)  # the text does not say: usecs, with a warning
    assert any("--unit ns" in r.getMessage() and "cyclictest-ns-summary.txt" in r.getMessage()
               for r in caplog.records)


def test_nsec_summary_through_the_command_line(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setenv("REPORTER_CONFIG", str(tmp_path / "absent.yaml"))
    path = FIXTURES / "cyclictest-ns-summary.txt"
    assert main(["measure", str(path)]) == 0
    assert "warning" in capsys.readouterr().err
    assert main(["measure", str(path), "--unit", "ns"]) == 0
    out, err = capsys.readouterr()
    assert "max 4349 usecs" in out and err == ""


def test_nsec_json_uses_its_own_resolution_and_exact_percentiles(
        caplog: pytest.LogCaptureFixture) -> None:
    path = FIXTURES / "cyclictest-ns.json"
    doc = json.loads(path.read_text())
    assert doc["resolution_in_ns"] == 1 and " -N " in doc["cmdline:"]
    f = measure(path)
    threads = doc["thread"].values()
    assert f.min_us == min(t["min"] for t in threads) / 1000
    assert f.max_us == max(t["max"] for t in threads) / 1000
    keys = np.array([int(k) for t in threads for k in t["histogram"]], dtype=float) / 1000
    counts = np.array([c for t in threads for c in t["histogram"].values()])
    order = np.argsort(keys)
    overflow = sum(t["cycles"] for t in threads) - int(counts.sum())
    assert f.samples == sum(t["cycles"] for t in threads)
    assert f.median_us == nearest(keys[order], counts[order], overflow, 50)
    with caplog.at_level(logging.WARNING):
        assert measure(path, unit="us").max_us == f.max_us  # the file says ns: it wins
    assert any("unit us ignored: the file says ns" in r.getMessage() for r in caplog.records)


def test_nsec_json_without_histogram(tmp_path: Path) -> None:
    path = FIXTURES / "cyclictest-ns-nohist.json"
    doc = json.loads(path.read_text())
    f = measure(path)
    assert f.max_us == max(t["max"] for t in doc["thread"].values()) / 1000


def test_a_json_that_contradicts_itself_on_the_unit_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "cyclictest-ns-nohist.json").read_text()
    f = measure(write(tmp_path, "x.json", text.replace('"resolution_in_ns": 1',
                                                         '"resolution_in_ns": 0')))
    assert f.invalid is not None and "contradicts itself" in f.invalid


@pytest.mark.parametrize("name", ["netperf-omni-columns-odd.txt", "netperf-omni-odd.csv",
                                  "netperf-omni-keyval-odd.txt"])
def test_netperf_selectors_in_any_order(name: str) -> None:
    f = measure(FIXTURES / name)
    assert f.invalid is None and f.bad_rows == 0
    text = (FIXTURES / name).read_text()
    if name.endswith("keyval-odd.txt"):
        values = dict(line.split("=", 1) for line in text.splitlines())
        assert (f.min_us, f.max_us, f.avg_us) == (float(values["MIN_LATENCY"]),
                                                  float(values["MAX_LATENCY"]),
                                                  float(values["MEAN_LATENCY"]))
        assert f.p99_us == Figure(float(values["P99_LATENCY"]))
    elif name.endswith(".csv"):
        header, row = text.splitlines()[1:3]
        values = dict(zip(header.split(","), row.split(","), strict=True))
        assert f.max_us == float(values["Maximum Latency Microseconds"])
        assert f.p99_us == Figure(float(values["99th Percentile Latency Microseconds"]))
    else:
        row = text.splitlines()[-1].split()  # throughput, elapsed, min, mean, p99, max
        assert (f.min_us, f.avg_us, f.max_us) == (float(row[2]), float(row[3]), float(row[5]))
        assert f.p99_us == Figure(float(row[4]))
        assert f.throughput is None or f.throughput.startswith(row[0])


def test_netperf_without_latency_selectors_names_them_in_one_line() -> None:
    f = measure(FIXTURES / "netperf-omni-nolatency.txt")
    assert f.invalid == NO_LATENCY and "\n" not in NO_LATENCY
    assert "MIN_LATENCY" in NO_LATENCY and "-j" in NO_LATENCY


def test_a_cut_t_line_of_a_quiet_summary_is_refused_naming_the_line(tmp_path: Path) -> None:
    text = (FIXTURES / "cyclictest-summary.txt").read_text()
    f = measure(write(tmp_path, "cut.txt", text.rstrip("\n")[:-5]))
    assert f.invalid == ("line 3: thread 1's T: line is cut short and it has no complete one: "
                         "the file is truncated")


def test_a_cut_last_refresh_keeps_the_thread_with_a_warning(tmp_path: Path) -> None:
    text = (FIXTURES / "cyclictest-live.txt").read_text()
    cut = text.rstrip("\n")[:-3]
    path = write(tmp_path, "live.txt", cut)
    result = analyse_path(path, MeasureOptions())
    assert result.invalid is None and result.per_cpu and len(result.per_cpu) == 2
    assert len(result.warnings) == 1 and "is cut short; its figures are those of line" \
        in result.warnings[0]
    assert result.warnings[0].startswith(f"line {cut.count(chr(10)) + 1}: thread 1")


def test_a_line_longer_than_1_mib_is_refused_not_read(tmp_path: Path) -> None:
    text = (FIXTURES / "cyclictest-summary.txt").read_text()
    path = write(tmp_path, "long.txt", text + "T: 9 " + "x" * (2 << 20) + "\n")
    f = measure(path)
    assert f.invalid == "line 4 is longer than 1 MiB: not a measurement file"


def test_utf16_without_a_bom_is_named(tmp_path: Path) -> None:
    f = measure(write(tmp_path, "u.txt", "118\n120\n130\n".encode("utf-16-le")))
    assert f.invalid == "UTF-16LE text without a byte-order mark; save the file as UTF-8 or ASCII"


def test_a_long_comment_preamble_does_not_hide_the_samples(tmp_path: Path) -> None:
    preamble = "".join(f"# run note {i}\n" for i in range(8000))
    assert len(preamble) > 64 << 10
    path = write(tmp_path, "s.csv", preamble + "cpu,latency_us\n0,5\n1,7\n0,9\n")
    f = measure(path)
    assert (f.format, f.samples, f.max_us, f.cpus) == ("csv", 3, 9, 2)
    bad = write(tmp_path, "b.csv", preamble + "cpu,latency_us\n0,5\n1,x\n" + "0,1\n" * 2000)
    g = measure(bad)
    assert [b.line for b in g.bad_examples] == [8003]


def test_jitterdebugger_nsec_histogram_keeps_nsec_values() -> None:
    path = FIXTURES / "jitterdebugger-ns" / "results.json"
    doc = json.loads(path.read_text())
    f = measure(path)
    cpus = doc["cpu"].values()
    keys = np.array([int(k) for c in cpus for k in c["histogram"]], dtype=float) / 1000
    counts = np.array([v for c in cpus for v in c["histogram"].values()])
    order = np.argsort(keys)
    assert f.p99_us == nearest(keys[order], counts[order], 0, 99)
    assert f.min_us == min(c["min"] for c in cpus) / 1000
    assert f.min_us <= f.median_us.us <= f.max_us  # type: ignore[union-attr]


CYCLICTEST = shutil.which("cyclictest")


@pytest.mark.skipif(CYCLICTEST is None, reason="cyclictest is not installed "
                    "(Debian: apt-get install rt-tests)")
def test_a_live_cyclictest_run_agrees_with_cyclictest_and_numpy(tmp_path: Path) -> None:
    out = tmp_path / "hist.txt"
    js = tmp_path / "run.json"
    cmd = [str(CYCLICTEST), "-t1", "-l", "1000", "-i", "1000", "-q", "-h", "20000",
           f"--json={js}"]
    with out.open("w") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.PIPE, timeout=60)
    if proc.returncode != 0:
        pytest.skip(f"cyclictest cannot run here ({os.geteuid()=}): "
                    f"{proc.stderr.decode(errors='replace').strip()[:200]}")
    buckets, counts, trailer, _ = hist_text(out)
    doc = json.loads(js.read_text())
    own = doc["thread"]["0"]
    f = measure(out, threshold=200)
    g = measure(js, threshold=200)
    overflow = trailer["Histogram Overflows"][0]
    for h in (f, g):
        assert h.invalid is None
        assert h.samples == own["cycles"] == int(counts[:, 0].sum()) + overflow
        assert (h.min_us, h.max_us) == (own["min"], own["max"])  # cyclictest's own figures
        for p, got in ((50, h.median_us), (99, h.p99_us), (99.9, h.p999_us)):
            assert got == nearest(buckets.astype(float), counts[:, 0], overflow, p)  # numpy
    assert f.avg_us == trailer["Avg Latencies"][0]
    assert g.avg_us == pytest.approx(own["avg"])
    above = int(counts[buckets > 200, 0].sum()) + overflow
    assert f.above_threshold == Count.of(above)
    assert finding_lines(f, None)[2] == f"{above} sample{'s' if above != 1 else ''} > 200 usecs"
