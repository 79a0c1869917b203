"""Start-up cost of `preview` on the demo, against importing yaml and jinja2 alone.

    python bench/bench_startup.py [--runs N | --quick]

Both commands run as fresh processes, alternately, in the same run; the script
prints the median wall time of each and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="5 runs")
    args = parser.parse_args()
    if args.quick:
        args.runs = 5
    preview = [sys.executable, "-m", "reporter", "--config", "config/demo.yaml", "preview",
               "--week", "2023-02-10"]
    baseline = [sys.executable, "-c", "import yaml, jinja2"]
    timed(preview), timed(baseline)  # warm the page cache and .pyc files
    preview_s, baseline_s = [], []
    for _ in range(args.runs):
        preview_s.append(timed(preview))
        baseline_s.append(timed(baseline))
    p, b = statistics.median(preview_s), statistics.median(baseline_s)
    print(f"preview (demo week)         median {p * 1000:7.1f} ms over {args.runs} runs")
    print(f"python -c 'import yaml, jinja2' median {b * 1000:7.1f} ms over {args.runs} runs")
    print(f"ratio preview / baseline    {p / b:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
