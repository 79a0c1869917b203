"""`pull` over every configured source: `--debug` says how long each one took."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reporter.cli import main


def test_pull_debug_prints_the_time_of_each_source(demo_copy: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--debug", "--config", str(demo_copy), "pull", "--week", "2023-02-17"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^reporter: debug: measurements: pulled in \d+\.\d{3} s$", err, re.M), err


def test_a_quiet_pull_does_not_print_the_times(demo_copy: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(demo_copy), "pull", "--week", "2023-02-17"]) == 0
    assert "pulled in" not in capsys.readouterr().err
