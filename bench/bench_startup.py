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
import shutil
import sys
import tempfile
from pathlib import Path

from benchlib import ROOT, alternate_timed, python_env, ratio_line, run


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
        env = python_env(work / "pycache")
        preview = [sys.executable, "-m", "reporter", "--config", "config/demo.yaml",
                   "preview", "--week", "2023-02-10"]
        baseline = [sys.executable, "-c", "import yaml, jinja2"]
        cache = work / "data" / "cache" / "holidays"

        def run_preview() -> float:
            return run(preview, env, work)

        def run_cold() -> float:
            shutil.rmtree(cache, ignore_errors=True)
            return run(preview, env, work)

        def run_baseline() -> float:
            return run(baseline, env, work)

        for _ in range(2):  # fill the byte-code and holiday caches
            run_preview(), run_baseline()
        p, b = alternate_timed(pairs, run_preview, run_baseline)
        cold, b2 = alternate_timed(max(pairs // 2, 5), run_cold, run_baseline)
    print(f"preview, holidays cached     median {p * 1000:7.1f} ms over {pairs} pairs")
    print(f"import yaml, jinja2          median {b * 1000:7.1f} ms")
    print(ratio_line("preview/baseline", p, b, "goal <= 2.0x"))
    print(f"preview, no holiday cache    median {cold * 1000:7.1f} ms "
          f"over {max(pairs // 2, 5)} pairs")
    print(f"import yaml, jinja2          median {b2 * 1000:7.1f} ms")
    print(ratio_line("cold-preview/baseline", cold, b2, "informative: a year's first run"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
