"""Raw and CSV sample files: exact figures, bad rows with line numbers, refusal, streaming."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporter.measure.analyse import MeasureOptions, measure_file
from reporter.model.findings import Count, Figure, Finding
from tests.measure_helpers import FIXTURES, reference, write


def measure(path: Path, threshold: float | None = None, block_bytes: int = 4 << 20,
            column: str | int | None = None, unit: str | None = None) -> Finding:
    return measure_file(path, MeasureOptions(threshold_us=threshold, column=column, unit=unit),
                        block_bytes=block_bytes)


def assert_matches(f: Finding, values: Sequence[float], threshold: float | None = None) -> None:
    ref = reference(values, threshold)
    assert f.invalid is None
    assert f.samples == ref.samples
    assert f.min_us == ref.min_us
    assert f.max_us == ref.max_us
    assert f.avg_us == pytest.approx(ref.avg_us, rel=1e-12)
    assert f.median_us == Figure(ref.median_us)
    assert f.p99_us == Figure(ref.p99_us)
    assert f.p999_us == Figure(ref.p999_us)
    if threshold is not None:
        assert f.above_threshold == Count.of(ref.above or 0)
        assert f.spikes == ref.spikes


def latencies(n: int, seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    values = [rng.randint(100, 400) for _ in range(n)]
    for i in rng.sample(range(n), max(1, n // 500)):
        values[i] = rng.randint(3000, 5000)
    return values


def test_one_value_per_line_gives_exact_figures(tmp_path: Path) -> None:
    values = latencies(5000)
    path = write(tmp_path, "raw.txt", "".join(f"{v}\n" for v in values))
    f = measure(path, threshold=3000)
    assert f.format == "raw" and f.kind == "samples"
    assert_matches(f, values, 3000)
    assert f.bad_rows == 0 and f.rows == 5000


def test_blocks_of_any_size_give_the_same_figures(tmp_path: Path) -> None:
    # Small blocks split lines and spike runs across block edges.
    values = latencies(3000)
    values[999:1003] = [4000, 4100, 4200, 4300]
    path = write(tmp_path, "raw.txt", "".join(f"{v}\n" for v in values))
    whole = measure(path, threshold=3000)
    for block in (7, 64, 1000, 4096):
        assert measure(path, threshold=3000, block_bytes=block) == whole
    assert_matches(whole, values, 3000)


def test_csv_latency_column_is_found_by_name_with_its_unit(tmp_path: Path) -> None:
    values = latencies(2000)
    rows = "".join(f"{i * 0.001:.6f},{v * 1000}\n" for i, v in enumerate(values))
    path = write(tmp_path, "run.csv", "time_s,latency_ns\n" + rows)
    f = measure(path, threshold=3000)
    assert f.format == "csv"
    assert_matches(f, [float(v) for v in values], 3000)
    assert f.duration_s == pytest.approx(1.999)


def test_csv_column_by_name_or_number_and_unknown_column(tmp_path: Path) -> None:
    path = write(tmp_path, "two.csv", "a,b\n1,100\n2,200\n3,300\n")
    assert measure(path, column="b").max_us == 300
    assert measure(path, column=1).max_us == 3
    assert measure(path, column="2").max_us == 300
    unknown = measure(path, column="latency")
    assert unknown.invalid == "no column named 'latency'; the columns are: a, b"
    beyond = measure(path, column=3)
    assert "column 3 does not exist" in (beyond.invalid or "")


def test_csv_without_a_latency_like_header_is_refused_with_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "two.csv", "a,b\n1,100\n2,200\n")
    f = measure(path)
    assert f.invalid == "cannot tell which column holds the latency (columns: a, b)"


def test_unit_from_the_option_when_the_file_does_not_say(tmp_path: Path) -> None:
    path = write(tmp_path, "ms.txt", "0.5\n1.5\n2\n")
    f = measure(path, unit="ms")
    assert (f.min_us, f.max_us) == (500.0, 2000.0)
    # The header wins over the option.
    path = write(tmp_path, "ns.csv", "latency_ns\n1000\n2000\n")
    assert measure(path, unit="ms").max_us == 2.0


def test_decimal_values_are_exact_for_every_figure(tmp_path: Path) -> None:
    values = [118.37, 0.25, 99.99, 4000.5, 120.0] * 40
    path = write(tmp_path, "f.txt", "".join(f"{v}\n" for v in values))
    f = measure(path, threshold=3000)
    assert_matches(f, values, 3000)
    assert f.spikes == 40


def test_jitterdebugger_samples_are_per_cpu_in_the_unit_of_their_results(tmp_path: Path) -> None:
    f = measure(FIXTURES / "jitterdebugger-ns" / "samples.csv", threshold=100)
    assert f.format == "jitterdebugger-samples" and f.kind == "jitterdebugger"
    values = []
    per_cpu: dict[str, list[float]] = {}
    for line in (FIXTURES / "jitterdebugger-ns" / "samples.csv").read_text().splitlines():
        cpu, _t, ns = line.split(";")
        values.append(int(ns) / 1000)
        per_cpu.setdefault(cpu, []).append(int(ns) / 1000)
    assert f.samples == len(values)
    assert f.max_us == max(values) and f.min_us == min(values)
    assert f.above_threshold == Count.of(sum(v > 100 for v in values))
    assert f.cpus == 2
    worst = max(per_cpu, key=lambda c: max(per_cpu[c]))
    assert f.worst_cpu is not None and f.worst_cpu.name == f"CPU {worst}"
    assert f.worst_cpu.max_us == max(per_cpu[worst])
    # Spikes are counted per CPU, in each CPU's order.
    expected = sum(reference(v, 100).spikes or 0 for v in per_cpu.values())
    assert f.spikes == expected
    assert f.duration_s is not None and 0.5 < f.duration_s < 5


def test_jitterdebugger_samples_without_results_json_use_the_option_unit(tmp_path: Path) -> None:
    src = (FIXTURES / "jitterdebugger-us" / "samples.csv").read_bytes()
    alone = write(tmp_path, "alone/samples.csv", src)
    in_us = measure(alone)
    assert in_us.max_us == max(int(line.split(b";")[2]) for line in src.splitlines())
    assert measure(alone, unit="ns").max_us == pytest.approx(in_us.max_us / 1000)


BAD_CASES = [
    ("nan", "not a finite number: 'nan'"),
    ("-5", "negative latency: -5 us"),
    ("1e9", "absurd latency: 1000000000 us (over 60 s)"),
    ("abc", "not a number: 'abc'"),
    ("12\x0034", "NUL bytes in the line"),
    ("3ms", "mixed units: ms in a file of us"),
    ("7 parsecs", "unknown unit 'parsecs'"),
    ("1;2", "not a number: '1;2'"),
]


@pytest.mark.parametrize(("token", "reason"), BAD_CASES)
def test_a_bad_row_is_reported_with_its_line_and_not_counted(tmp_path: Path, token: str,
                                                             reason: str) -> None:
    values = latencies(2000)
    lines = [str(v) for v in values]
    lines.insert(1234, token)  # line 1235 of the file
    path = write(tmp_path, "raw.txt", "\n".join(lines) + "\n")
    f = measure(path, threshold=3000)
    assert f.invalid is None
    assert f.bad_rows == 1 and f.rows == 2001
    assert [(b.line, b.reason) for b in f.bad_examples] == [(1235, reason)]
    assert_matches(f, values, 3000)


def test_more_than_a_thousandth_of_bad_rows_refuses_the_file(tmp_path: Path) -> None:
    values = latencies(2000)
    lines = [str(v) for v in values]
    for at in (10, 500, 1500):  # 3 bad rows of 2003: 0.15%
        lines.insert(at, "oops")
    path = write(tmp_path, "raw.txt", "\n".join(lines) + "\n")
    f = measure(path, threshold=3000)
    assert f.invalid == "3 of 2003 rows are bad (0.15%, more than the 0.1% allowed)"
    assert f.samples is None and f.max_us is None  # never numbers from a refused file
    assert [b.line for b in f.bad_examples] == [11, 501, 1501]


def test_the_limit_is_one_bad_row_in_a_thousand(tmp_path: Path) -> None:
    for good, refused in ((1000, False), (999, False), (998, True)):
        lines = [str(v) for v in latencies(good)]
        path = write(tmp_path, f"{good}.txt", "\n".join([*lines, "x"]) + "\n")
        assert (measure(path).invalid is not None) is refused, good


def test_a_truncated_last_line_is_set_aside_without_refusing(tmp_path: Path) -> None:
    values = latencies(100)
    path = write(tmp_path, "cut.txt", "".join(f"{v}\n" for v in values) + "31")
    f = measure(path)
    assert f.invalid is None
    assert f.samples == 100
    assert [(b.line, b.reason) for b in f.bad_examples] == [
        (101, "truncated last line (no end of line)")]
    assert_matches(f, values)


def test_a_single_value_without_newline_is_a_sample(tmp_path: Path) -> None:
    f = measure(write(tmp_path, "one.txt", "118"))
    assert (f.samples, f.max_us, f.bad_rows) == (1, 118.0, 0)


def test_bom_crlf_comments_and_blank_lines_are_not_rows(tmp_path: Path) -> None:
    text = "\ufeff# latency of the long run\r\n\r\n118\r\n# pause\r\n120\r\n\r\n122\r\n"
    f = measure(write(tmp_path, "w.txt", text))
    assert (f.samples, f.rows, f.bad_rows, f.min_us, f.max_us) == (3, 3, 0, 118.0, 122.0)


def test_utf16_and_binary_and_empty_files_are_refused(tmp_path: Path) -> None:
    utf16 = measure(write(tmp_path, "u.txt", "118\n120\n".encode("utf-16")))
    assert utf16.invalid == "UTF-16 text; save the file as UTF-8 or ASCII"
    binary = measure(write(tmp_path, "b.dat", bytes(range(256)) * 4))
    assert binary.invalid == "binary data, not a text measurement file"
    assert measure(write(tmp_path, "e.txt", "")).invalid == "empty file: no samples"
    comments = measure(write(tmp_path, "c.txt", "# nothing yet\n\n"))
    assert comments.invalid == "no samples: the file holds only comments or blank lines"
    header = measure(write(tmp_path, "h.csv", "time_s,latency_us\n"))
    assert header.invalid == "no samples: the file holds a header and no rows"


def test_an_endless_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "long.txt", "118\n120\n" + "1" * (3 << 20) + "\n")
    f = measure(path, block_bytes=4096)
    assert f.invalid == "a line longer than 1 MiB: not a measurement file"


def test_values_with_their_own_unit_suffix_set_the_unit(tmp_path: Path) -> None:
    lines = ["118us", *["121 us"] * 1500, "0.2ms", "119us"]
    f = measure(write(tmp_path, "s.txt", "\n".join(lines) + "\n"))
    assert (f.samples, f.min_us, f.max_us) == (1502, 118.0, 121.0)
    assert [(b.line, b.reason) for b in f.bad_examples] == [
        (1502, "mixed units: ms in a file of us")]
    assert measure(write(tmp_path, "m.txt", "0.5ms\n1ms\n")).max_us == 1000.0


def test_many_bad_rows_stop_the_reading_early(tmp_path: Path) -> None:
    lines = []
    for i in range(60000):
        lines.append("bad" if i % 20 == 0 else "150")
    path = write(tmp_path, "bad.txt", "\n".join(lines) + "\n")
    f = measure(path, block_bytes=4096)
    assert f.invalid is not None and f.invalid.startswith("more than 0.1% of the rows are bad")
    assert "reading stopped" in f.invalid


def test_the_committed_csv_fixture(tmp_path: Path) -> None:
    f = measure(FIXTURES / "latency-long-run.csv", threshold=3000)
    rows = (FIXTURES / "latency-long-run.csv").read_text().splitlines()[1:]
    values = [float(r.split(",")[1]) for r in rows]
    assert_matches(f, values, 3000)
    assert f.duration_s == pytest.approx(float(rows[-1].split(",")[0])
                                         - float(rows[0].split(",")[0]))


TOKENS = st.one_of(
    st.integers(min_value=0, max_value=6000).map(str),
    st.sampled_from(["nan", "-3", "x", "", "1e12", "5 xs", "12.5", " 40", "7\x00", "1 2"]),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens=st.lists(TOKENS, min_size=1, max_size=300),
       block=st.integers(min_value=3, max_value=200))
def test_fast_and_slow_paths_agree_with_the_reference(tmp_path: Path, tokens: list[str],
                                                      block: int) -> None:
    tokens = ["100", *tokens]  # a first line that is not a header
    path = write(tmp_path, "h.txt", "\n".join(tokens) + "\n")
    f = measure(path, threshold=3000, block_bytes=block)
    good = []
    bad_lines = []
    rows = 0
    for number, token in enumerate(tokens, start=1):
        text = token.strip()
        if not text:
            continue
        rows += 1
        try:
            value = float(text)
        except ValueError:
            bad_lines.append(number)
            continue
        if value != value or value < 0 or value > 60e6:
            bad_lines.append(number)
        else:
            good.append(value)
    assert f.rows == rows
    assert f.bad_rows == len(bad_lines)
    assert [b.line for b in f.bad_examples] == bad_lines[:20]
    if good and len(bad_lines) <= 0.001 * rows:
        assert_matches(f, good, 3000)
    else:
        assert f.invalid is not None and f.samples is None
