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


def test_the_start_up_hook_runs_once_just_before_the_command(demo_copy: Path) -> None:
    from reporter.cli import main

    seen: list[bool] = []

    def started() -> None:
        seen.append("reporter.commands.preview" in sys.modules)

    sys.modules.pop("reporter.commands.preview", None)
    assert main(["--config", str(demo_copy), "preview", "--week", "2023-02-10", "--offline"],
                started=started) == 0
    assert seen == [True]
    assert main(["--config", str(demo_copy), "no-such-command"], started=started) == 2
    assert main(["--config", str(demo_copy.parent / "missing.yaml"), "preview"],
                started=started) == 2
    assert seen == [True]  # no command ran: no hook


FROZEN_PROBE = """
import gc, sys
import reporter.commands.status as status
def run(ctx, args):
    sys.stdout.write(f"FROZEN={gc.get_freeze_count()}\\n")
    return 0
status.run = run
sys.argv = ["reporter", "--config", sys.argv[1], "status"]
import runpy
runpy.run_module("reporter", run_name="__main__")
"""


def test_the_entry_point_freezes_what_start_up_built(demo_copy: Path) -> None:
    # Start-up's objects live until the exit: out of the collector's sight, they cost
    # no collection while the command runs, nor at the exit (bench/bench_startup.py).
    result = subprocess.run([sys.executable, "-c", FROZEN_PROBE, str(demo_copy)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    frozen = int(result.stdout.split("FROZEN=", 1)[1].split()[0])
    assert frozen > 10_000  # the modules, classes and functions imported so far
