"""Benchmark `reporter measure` against `cat` (the I/O floor) and pandas (C engine).

Generates seeded latency samples (mostly 100-400 usecs, rare spikes of 3000-5000),
one value per line and as a two-column CSV (`time_s,latency_us`), then runs each
reader as its own process and prints its wall time, samples per second and peak
RSS (the child's ru_maxrss), with the ratios to pandas and the targets:
at most 1.5x pandas' time and a third of its peak RSS. A second, larger file
(100 million samples, written under --dir and deleted afterwards) shows that the
memory of `reporter measure` stays flat as the file grows.

    python bench/bench_measure.py            # 10M samples, then 100M
    python bench/bench_measure.py --quick    # 3M samples, then 10M

pandas is needed for the comparison only: `pip install pandas` (the script says
so, and still measures reporter and cat, when it is missing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
THRESHOLD_US = 3000
CHUNK = 1_000_000

# The same statistics as `reporter measure`: nearest-rank percentiles (numpy's
# "inverted_cdf"), the count above the threshold and the runs of spikes.
PANDAS_SCRIPT = r"""
import sys
import numpy as np
import pandas as pd
path, kind, threshold = sys.argv[1], sys.argv[2], float(sys.argv[3])
if kind == "raw":
    v = pd.read_csv(path, header=None, engine="c").iloc[:, 0].to_numpy()
else:
    v = pd.read_csv(path, engine="c")["latency_us"].to_numpy()
p50, p99, p999 = np.percentile(v, [50, 99, 99.9], method="inverted_cdf")
above = v > threshold
spikes = int(np.count_nonzero(np.diff(above.astype(np.int8)) == 1) + int(above[0]))
r = lambda x: int(np.floor(float(x) + 0.5))
print(f"min {r(v.min())} / avg {r(v.mean())} / p99 {r(p99)} / p99.9 {r(p999)} / "
      f"max {r(v.max())} usecs")
print(f"{spikes} spikes > {threshold:g} usecs")
"""


@dataclass
class Run:
    name: str
    wall_s: float
    rss_mib: float
    output: str


def generate(n: int, seed: int) -> Any:
    """n latencies in usecs: uniform 100-400, with rare spikes of 3000-5000 (1-3 in a row)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    values = rng.integers(100, 401, size=n, dtype=np.int64)
    starts = rng.choice(n, size=max(1, n // 20000), replace=False)
    for start in starts.tolist():
        length = int(rng.integers(1, 4))
        span = values[start:start + length]
        span[:] = rng.integers(3000, 5001, size=len(span))
    return values


def demo_long_run(seed: int = 76) -> Any:
    """The demo's STR-76 long run: 300000 samples at 1 kHz (5 min), 5 spikes above 3000 usecs.

    A body around 110 usecs (41 at best), a tail of slow wake-ups up to about 1.5 ms,
    and five short bursts of 3000-3500 usecs, like the runs the notes describe.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    n = 300_000
    body = 41 + rng.lognormal(mean=np.log(68), sigma=0.38, size=n)
    slow = rng.random(n) < 0.012
    body[slow] = rng.uniform(250, 1500, size=int(slow.sum()))
    values = np.rint(body).astype(np.int64)
    for start in rng.choice(np.arange(1000, n - 1000), size=5, replace=False).tolist():
        length = int(rng.integers(1, 4))
        values[start:start + length] = rng.integers(3001, 3500, size=length)
    return values


def write_raw(path: Path, values: Any, mode: str = "wb") -> None:
    import numpy as np

    table = np.array([f"{i}\n".encode() for i in range(10_000)], dtype=object)
    with path.open(mode) as fh:
        for i in range(0, len(values), CHUNK):
            fh.write(b"".join(table[values[i:i + CHUNK]]))


def write_csv(path: Path, values: Any, interval_s: float = 0.001) -> None:
    """`time_s,latency_us` rows, one sample per `interval_s`."""
    import numpy as np

    ms = np.array([f"{i:03d}," .encode() for i in range(1000)], dtype=object)
    lat = np.array([f"{i}\n".encode() for i in range(10_000)], dtype=object)
    per_s = round(1 / interval_s)
    with path.open("wb") as fh:
        fh.write(b"time_s,latency_us\n")
        for i in range(0, len(values), CHUNK):
            idx = np.arange(i, min(i + CHUNK, len(values)))
            secs = [f"{s}.".encode() for s in (idx // per_s).tolist()]
            frac = ms[(idx % per_s) * (1000 // per_s)]
            fh.write(b"".join(a + b + c for a, b, c in
                              zip(secs, frac.tolist(), lat[values[idx]].tolist(), strict=True)))


# Children are started by this small launcher, not by the bench itself: a child's
# ru_maxrss includes the memory of the process it was forked from (Linux keeps the
# high-water mark across exec), and the bench holds the generated samples.
LAUNCHER = r"""
import json, os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    json.dump({"wall_s": time.perf_counter() - start, "maxrss_kib": usage.ru_maxrss,
               "exit": os.waitstatus_to_exitcode(status)}, fh)
"""


def run(name: str, argv: list[str], stdout_to_devnull: bool = False) -> Run:
    import json

    env = dict(os.environ, PYTHONPATH=str(REPO))
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        proc = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, result.name, *argv],
                              cwd=REPO, env=env, stderr=subprocess.PIPE,
                              stdout=subprocess.DEVNULL if stdout_to_devnull else subprocess.PIPE)
        stats = json.loads(Path(result.name).read_text())
    if proc.returncode != 0 or stats["exit"] != 0:
        raise SystemExit(f"{name} failed ({stats['exit']}): {proc.stderr.decode().strip()}")
    out = proc.stdout.decode() if proc.stdout else ""
    return Run(name, stats["wall_s"], stats["maxrss_kib"] / 1024, out)


def best_of(repeat: int, name: str, argv: list[str], devnull: bool = False) -> Run:
    runs = [run(name, argv, devnull) for _ in range(repeat)]
    wall = statistics.median(r.wall_s for r in runs)
    return Run(name, wall, max(r.rss_mib for r in runs), runs[0].output)


def have_pandas() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import pandas"], capture_output=True)
    return probe.returncode == 0


def measure_cmd(path: Path) -> list[str]:
    return [sys.executable, "-m", "reporter", "measure", str(path),
            "--threshold", str(THRESHOLD_US)]


def figures(output: str) -> list[str]:
    """The figures and spikes lines, without the bullet's first line and indentation."""
    lines = [line.strip() for line in output.splitlines()]
    return [line for line in lines if line.startswith("min ") or " spikes > " in line]


def report(rows: list[tuple[str, Run]], samples: int) -> None:
    print(f"{'reader':<10} {'file':<10} {'wall s':>8} {'samples/s':>14} {'peak RSS MiB':>13}")
    for file_name, r in rows:
        rate = samples / r.wall_s if r.wall_s > 0 else float("inf")
        print(f"{r.name:<10} {file_name:<10} {r.wall_s:8.3f} {rate:14,.0f} {r.rss_mib:13.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="3M samples and a 10M flat-memory run (instead of 10M and 100M)")
    parser.add_argument("--samples", type=int, default=None, help="samples of the main run")
    parser.add_argument("--big", type=int, default=None,
                        help="samples of the flat-memory run (0: skip it)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per reader (median wall)")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()),
                        help="where to write the generated files (default: the temp folder)")
    parser.add_argument("--seed", type=int, default=20230217)
    parser.add_argument("--write-demo", type=Path, metavar="CSV", default=None,
                        help="only write the demo's STR-76 long run (time_s,latency_us) to CSV")
    args = parser.parse_args(argv)
    if args.write_demo is not None:
        write_csv(args.write_demo, demo_long_run())
        return 0
    samples = args.samples or (3_000_000 if args.quick else 10_000_000)
    big = args.big if args.big is not None else (10_000_000 if args.quick else 100_000_000)
    work = Path(tempfile.mkdtemp(prefix="reporter-bench-", dir=args.dir))
    try:
        return _bench(work, samples, big, args.repeat, args.seed)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bench(work: Path, samples: int, big: int, repeat: int, seed: int) -> int:
    print(f"generating {samples:,} samples (seed {seed}) in {work} ...", flush=True)
    values = generate(samples, seed)
    raw, csv = work / "latency.txt", work / "latency.csv"
    write_raw(raw, values)
    write_csv(csv, values)
    del values
    for path in (raw, csv):
        print(f"  {path.name}: {path.stat().st_size / 2**20:.1f} MiB")
    pandas = have_pandas()
    if not pandas:
        print("pandas is not installed: `pip install pandas` to compare with it "
              "(measuring reporter and cat only)")
    rows: list[tuple[str, Run]] = []
    verdicts: list[str] = []
    ok = True
    for path, kind in ((raw, "raw"), (csv, "csv")):
        rep = best_of(repeat, "reporter", measure_cmd(path))
        cat = best_of(repeat, "cat", ["cat", str(path)], devnull=True)
        rows += [(path.name, rep), (path.name, cat)]
        if pandas:
            pd_run = best_of(repeat, "pandas", [sys.executable, "-c", PANDAS_SCRIPT, str(path),
                                                kind, str(THRESHOLD_US)])
            rows.append((path.name, pd_run))
            t_ratio = rep.wall_s / pd_run.wall_s
            m_ratio = rep.rss_mib / pd_run.rss_mib
            same = figures(rep.output) == figures(pd_run.output)
            ok &= same and (samples < 10_000_000 or (t_ratio <= 1.5 and m_ratio <= 1 / 3))
            verdicts.append(
                f"{path.name}: time {t_ratio:.2f}x pandas (target <= 1.5x: "
                f"{'ok' if t_ratio <= 1.5 else 'MISSED'}), peak RSS {m_ratio:.2f}x pandas "
                f"(target <= 0.33x: {'ok' if m_ratio <= 1 / 3 else 'MISSED'}), "
                f"same figures: {'yes' if same else 'NO'}")
            if not same:
                verdicts.append(f"  reporter: {figures(rep.output)}\n  pandas:   "
                                f"{figures(pd_run.output)}")
    print()
    report(rows, samples)
    print()
    if samples < 10_000_000:
        print(f"(the targets are set for 10,000,000 samples; at {samples:,} the fixed ~50 MiB "
              "of Python, numpy and one block weigh more)")
    for line in verdicts:
        print(line)
    print("\nreporter measure, one file:")
    print("  " + rows[0][1].output.strip().replace("\n", "\n  "))
    if big:
        small_rss = rows[0][1].rss_mib
        print(f"\nflat memory: {big:,} samples, one per line ...", flush=True)
        big_raw = work / "latency-big.txt"
        big_raw.write_bytes(b"")
        for i in range(0, big, 10_000_000):
            part = generate(min(10_000_000, big - i), seed + 1 + i // 10_000_000)
            write_raw(big_raw, part, mode="ab")
        size = big_raw.stat().st_size
        rep = run("reporter", measure_cmd(big_raw))
        cat = run("cat", ["cat", str(big_raw)], stdout_to_devnull=True)
        big_raw.unlink()
        report([(big_raw.name, rep), (big_raw.name, cat)], big)
        growth = rep.rss_mib / small_rss
        flat = growth < 1.25
        ok &= flat
        print(f"{size / 2**20:.0f} MiB file: peak RSS {rep.rss_mib:.1f} MiB vs {small_rss:.1f} "
              f"MiB for {samples:,} samples ({growth:.2f}x for {big / samples:.0f}x the "
              f"samples: {'flat' if flat else 'NOT FLAT'})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
