"""`preview` stays quick: no heavy library, and nothing it does not need, is imported."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PROBE = """
import sys
from reporter.cli import main
status = main(["--config", sys.argv[1], "preview", "--week", "2023-02-10"])
heavy = [m for m in ("jira", "git", "numpy", "requests", "ruamel", "matplotlib", "holidays",
                     "reporter.config.jira", "reporter.config.patches", "importlib.metadata")
         if m in sys.modules]
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
raise SystemExit(status)
"""


def _preview_imports(config: Path) -> str:
    result = subprocess.run([sys.executable, "-c", PROBE, str(config)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stderr.rsplit("HEAVY=", 1)[1].strip()


def test_preview_imports_no_heavy_library(demo_copy: Path) -> None:
    # The first run of the year builds the holiday table (the holidays package and
    # its metadata); every later run reads it, and the registry, from data_dir/cache.
    shutil.rmtree(demo_copy.parent.parent / "data" / "cache", ignore_errors=True)
    assert _preview_imports(demo_copy) in ("holidays,importlib.metadata", "holidays")
    assert _preview_imports(demo_copy) == ""


def test_the_module_entry_point_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "reporter", "--version"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0 and result.stdout.startswith("reporter ")
