"""Start-up cost of `preview` on the demo week, against `python -c "import yaml, jinja2"`.

    python bench/bench_startup.py [--pairs N | --quick]

Goal (issue 14): `preview` takes <= 2.0x the baseline.

A is `reporter --config demo.yaml preview --week 2023-02-10`, B is the
baseline; each runs as a fresh process, A and B alternated, and the script prints
the median of each over the pairs and the ratio of the medians. The baseline is
the fair floor: yaml reads the configuration and notes and jinja2 renders the
email, so no `preview` can import less; what the ratio shows is everything
reporter adds on top (its own modules, the email package, reading data_dir and
the render itself).

Both run from a copy of the demo (config and data) in a temporary folder, so
the checkout is not written to, and with the same byte-code cache
(PYTHONPYCACHEPREFIX, also in a temporary folder, filled by one warm-up run of
each): an installed reporter has its .pyc files, as yaml and jinja2 have theirs,
even where PYTHONDONTWRITEBYTECODE is set for development.

The main figure is a run with the holiday tables already cached under
data_dir (every run after the first). A second pair of figures, informative,
removes the cache before each `preview` run: the first run of a year.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def alternate(pairs: int, a: Callable[[], float], b: Callable[[], float]
              ) -> tuple[float, float]:
    """Medians of `pairs` runs of A and B, alternated so that drift hits both alike."""
    a_s, b_s = [], []
    for _ in range(pairs):
        a_s.append(a())
        b_s.append(b())
    return statistics.median(a_s), statistics.median(b_s)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=21, help="A/B pairs (default 21)")
    parser.add_argument("--quick", action="store_true", help="7 pairs")
    args = parser.parse_args()
    pairs = 7 if args.quick else max(args.pairs, 5)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "data", work / "data",
                        ignore=shutil.ignore_patterns("cache", ".lock", "sent"))
        (work / "config").mkdir()
        shutil.copy(ROOT / "config" / "demo.yaml", work / "config" / "demo.yaml")
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
        env.update(PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(work / "pycache"))
        preview = [sys.executable, "-m", "reporter", "--config", "config/demo.yaml",
                   "preview", "--week", "2023-02-10"]
        baseline = [sys.executable, "-c", "import yaml, jinja2"]
        cache = work / "data" / "cache" / "holidays"

        def run_preview() -> float:
            return timed(preview, env, work)

        def run_cold() -> float:
            shutil.rmtree(cache, ignore_errors=True)
            return timed(preview, env, work)

        def run_baseline() -> float:
            return timed(baseline, env, work)

        for _ in range(2):  # fill the byte-code and holiday caches
            run_preview(), run_baseline()
        p, b = alternate(pairs, run_preview, run_baseline)
        cold, b2 = alternate(max(pairs // 2, 5), run_cold, run_baseline)
    print(f"preview, holidays cached     median {p * 1000:7.1f} ms over {pairs} pairs")
    print(f"import yaml, jinja2          median {b * 1000:7.1f} ms")
    print(f"ratio preview / baseline     {p / b:.2f}x  (goal <= 2.0x)")
    print(f"preview, no holiday cache    median {cold * 1000:7.1f} ms "
          f"over {max(pairs // 2, 5)} pairs")
    print(f"import yaml, jinja2          median {b2 * 1000:7.1f} ms")
    print(f"ratio cold preview / baseline {cold / b2:.2f}x  (informative: a year's first run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
