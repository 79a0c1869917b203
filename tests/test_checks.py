"""The static checks the README promises: `ruff check` and `mypy --strict reporter` are clean."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False)


def test_ruff_is_clean() -> None:
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (it is in the test extra)")
    result = _run("ruff", "check", "--no-cache", "reporter", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (it is in the test extra)")
    result = _run(sys.executable, "-m", "mypy", "--strict", "--cache-dir", "/dev/null", "reporter")
    assert result.returncode == 0, result.stdout + result.stderr
