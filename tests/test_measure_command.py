"""`reporter measure FILE`: end to end through the CLI, with and without a configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reporter.cli import main
from tests.measure_helpers import FIXTURES, write

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTER_CONFIG", str(tmp_path / "absent.yaml"))


def test_prints_the_findings_bullet_without_a_configuration(
        capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["measure", str(FIXTURES / "cyclictest-hist.txt"), "--threshold", "100"])
    out, err = capsys.readouterr()
    assert status == 0
    assert out == (
        "* Latency (cyclictest-hist.txt, 39977 samples):\n"
        "  min 12 / avg 76 / p99 141 / p99.9 > 199 / max 6615 usecs\n"
        "  647 samples > 100 usecs\n"
        "  worst thread 1: min 16 / avg 77 / p99 146 / p99.9 > 199 / max 6615 usecs\n"
    )
    assert err == ""


def test_spikes_and_samples_of_a_csv(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["measure", str(FIXTURES / "latency-long-run.csv"), "--threshold", "3000"])
    out, _ = capsys.readouterr()
    assert status == 0
    assert out.splitlines()[0] == "* Latency (latency-long-run.csv, 10000 samples, 10 s):"
    assert out.splitlines()[2] == "  2 spikes > 3000 usecs"


def test_bad_rows_are_listed_with_their_lines(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["150"] * 3000
    lines[99] = "nan"
    lines[2000] = "-4"
    path = write(tmp_path, "r.txt", "\n".join(lines) + "\n")
    assert main(["measure", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert out.endswith(
        "  2 bad rows ignored (lines 100, 2001)\n"
        "\n"
        "2 bad rows of 3000:\n"
        "  line 100: not a finite number: 'nan'\n"
        "  line 2001: negative latency: -4 us\n")


def test_a_missing_file_exits_2_naming_it(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.csv"
    assert main(["measure", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"reporter: error: {missing}: no such file\n"


def test_a_directory_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measure", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_invalid_data_prints_why_and_exits_2(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.txt", "118\nabc\n120\n")
    assert main(["measure", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("* Latency (bad.txt):\n  the data was invalid: 1 of 3 rows are bad")
    assert "  line 2: not a number: 'abc'\n" in out
    assert err.startswith(f"reporter: error: {path}: the data was invalid: 1 of 3 rows are bad")


def test_a_bad_threshold_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measure", str(FIXTURES / "summary.yaml"), "--threshold", "-3"]) == 2
    assert "--threshold -3: must be a positive number of usecs" in capsys.readouterr().err
    assert main(["measure", str(FIXTURES / "summary.yaml"), "--unit", "parsec"]) == 2


def test_column_and_unit_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "t.csv", "a;b\n1;2.5\n2;3.5\n")
    assert main(["measure", str(path), "--column", "b", "--unit", "ms"]) == 0
    assert "min 2500 / avg 3000 / p99 3500 / p99.9 3500 / max 3500 usecs" in \
        capsys.readouterr().out


def test_the_matching_measurements_entry_gives_label_and_threshold(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path, "m/2023-02-16/run.csv",
                 (FIXTURES / "latency-long-run.csv").read_bytes())
    config = write(tmp_path, "config.yaml", """\
author: {name: A Person, email: a@example.org}
sections: [{title: Stratos, projects: [STR]}]
measurements:
  - {card: STR-76, files: "m/*/*.csv", threshold_us: 3000, label: long run}
""")
    assert main(["--config", str(config), "measure", str(data)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "* Latency, long run (run.csv, 10000 samples, 10 s):"
    assert out[2] == "  2 spikes > 3000 usecs"
    # The command line wins over the entry.
    assert main(["--config", str(config), "measure", str(data), "--threshold", "4500"]) == 0
    assert capsys.readouterr().out.splitlines()[2] == "  1 spike > 4500 usecs"


def test_plot_writes_a_png_with_histogram_and_time_series(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib", reason="--plot needs the plot extra (matplotlib)")
    out = tmp_path / "run.png"
    status = main(["measure", str(FIXTURES / "latency-long-run.csv"), "--threshold", "3000",
                   "--plot", str(out)])
    assert status == 0
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert f"reporter: plot written to {out}\n" == capsys.readouterr().err
    from PIL import Image  # matplotlib depends on pillow

    with Image.open(out) as image:
        assert image.size == (1000, 800)  # two panels: histogram and time series
    hist_only = tmp_path / "hist.png"
    assert main(["measure", str(FIXTURES / "cyclictest-hist.txt"), "--plot",
                 str(hist_only)]) == 0
    with Image.open(hist_only) as image:
        assert image.size == (1000, 400)


def test_plot_without_matplotlib_says_how_to_get_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if the extra were not installed
    status = main(["measure", str(FIXTURES / "summary.yaml"), "--plot",
                   str(tmp_path / "x.png")])
    assert status == 2
    assert "--plot needs matplotlib (install the plot extra: pip install 'reporter[plot]')" in \
        capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_the_command_module_does_not_import_numpy() -> None:
    code = ("import sys, reporter.cli, reporter.commands.measure; "
            "print(sorted(m for m in ('numpy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH=str(REPO)), check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_reporter_measure(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO), REPORTER_CONFIG=str(tmp_path / "absent.yaml"))
    proc = subprocess.run([sys.executable, "-m", "reporter", "measure",
                           str(FIXTURES / "netperf-omni-keyval.txt")],
                          cwd=REPO, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("* Latency (netperf-omni-keyval.txt, ")
