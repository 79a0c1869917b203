"""`preview` stays quick: it imports neither jira, git, numpy nor requests."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import sys
from reporter.cli import main
status = main(["--config", "config/demo.yaml", "preview", "--week", "2023-02-10"])
heavy = [m for m in ("jira", "git", "numpy", "requests", "ruamel", "matplotlib")
         if m in sys.modules]
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
raise SystemExit(status)
"""


def test_preview_imports_no_heavy_library() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "HEAVY=\n" in result.stderr


def test_the_module_entry_point_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "reporter", "--version"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0 and result.stdout.startswith("reporter ")
