"""Benchmark `reporter measure` against pandas and polars, in alternated pairs.

Cases (seeded data, latencies mostly 100-400 usecs with rare spikes of 3000-5000):

- `raw`: one value per line; baseline pandas `read_csv(header=None, engine="c")`;
- `csv2`: `time_s,latency_us`; baseline pandas `read_csv(engine="c")`;
- `csv6`: six columns `time_s,cpu,tid,prio,latency_us,period_us`; baselines pandas
  `read_csv(engine="c", usecols=["cpu", "latency_us"])` and polars
  `read_csv(columns=["cpu", "latency_us"])`; the ratio is to the faster of them;
- `ctjson`: a cyclictest `-N --json` file with a nanosecond histogram (2 threads);
  baseline `json.load` and numpy on the sparse histogram.

Why these baselines are fair: each reads the same file in its own process and
computes the same figures `reporter measure` prints (nearest-rank p99/p99.9 with
numpy's "inverted_cdf", min/avg/max, spikes per CPU stream, the worst CPU), and
prints them the same way; the bench checks that the figures agree. pandas and
polars are the usual tools for reading such files (polars uses both cores); pandas
is given `usecols` and polars `columns=` so that they too parse only what is needed.

Each (reporter, baseline) pair runs A then B, the next pair B then A; the figures are
the medians of the pairs (at least 5), with the median of the per-pair ratios.
The goals: csv6 <= 1.5x the faster baseline and peak RSS <= 1/3 of pandas'. The bench
prints the verdicts and exits non-zero only when something crashes.

    python bench/bench_measure.py            # 10M samples, 5 pairs
    python bench/bench_measure.py --quick    # 2M samples, 5 pairs
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

# The same figures as `reporter measure`: nearest-rank percentiles (numpy's
# "inverted_cdf"), spikes as runs above the threshold per CPU stream, the worst CPU.
FIGURES = r"""
import numpy as np
def r(x):
    return int(np.floor(float(x) + 0.5))
def line(v):
    p99, p999 = np.percentile(v, [99, 99.9], method="inverted_cdf")
    return (f"min {r(v.min())} / avg {r(v.mean())} / p99 {r(p99)} / p99.9 {r(p999)} / "
            f"max {r(v.max())} usecs")
def spikes(a):
    return int(np.count_nonzero(np.diff(a.astype(np.int8)) == 1) + int(a[0]))
def report(v, c, threshold):
    print(line(v))
    if c is None:
        print(f"{spikes(v > threshold)} spikes > {threshold:g} usecs")
        return
    cpus = np.unique(c)
    parts = {int(k): v[c == k] for k in cpus}
    print(f"{sum(spikes(p > threshold) for p in parts.values())} spikes > {threshold:g} usecs")
    worst = max(parts, key=lambda k: (parts[k].max(), float(np.percentile(
        parts[k], 99.9, method="inverted_cdf"))))
    print(f"worst CPU {worst}: " + line(parts[worst]))
"""

PANDAS_SCRIPT = FIGURES + r"""
import sys
import pandas as pd
path, kind, threshold = sys.argv[1], sys.argv[2], float(sys.argv[3])
if kind == "raw":
    report(pd.read_csv(path, header=None, engine="c").iloc[:, 0].to_numpy(), None, threshold)
elif kind == "csv2":
    report(pd.read_csv(path, engine="c")["latency_us"].to_numpy(), None, threshold)
else:
    df = pd.read_csv(path, engine="c", usecols=["cpu", "latency_us"])
    report(df["latency_us"].to_numpy(), df["cpu"].to_numpy(), threshold)
"""

POLARS_SCRIPT = FIGURES + r"""
import sys
import polars as pl
path, threshold = sys.argv[1], float(sys.argv[3])
df = pl.read_csv(path, columns=["cpu", "latency_us"])
report(df["latency_us"].to_numpy(), df["cpu"].to_numpy(), threshold)
"""

JSON_SCRIPT = r"""
import json, sys
import numpy as np
doc = json.load(open(sys.argv[1]), strict=False)
keys, counts, mins, maxes, avgs, cycles = [], [], [], [], [], []
for t in doc["thread"].values():
    keys.extend(int(k) for k in t["histogram"])
    counts.extend(t["histogram"].values())
    mins.append(t["min"]); maxes.append(t["max"]); avgs.append(t["avg"]); cycles.append(t["cycles"])
values = np.array(keys, dtype=np.float64) / 1000
order = np.argsort(values, kind="stable")
values, cum = values[order], np.cumsum(np.array(counts, dtype=np.int64)[order])
n = int(cum[-1])
def pct(p):
    return values[int(np.searchsorted(cum, max(1, -(-round(p * 10) * n // 1000))))]
r = lambda x: int(np.floor(float(x) + 0.5))
avg = sum(a * c for a, c in zip(avgs, cycles)) / sum(cycles) / 1000
print(f"min {r(min(mins) / 1000)} / avg {r(avg)} / p99 {r(pct(99))} / p99.9 {r(pct(99.9))} / "
      f"max {r(max(maxes) / 1000)} usecs")
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


def write_csv6(path: Path, values: Any, seed: int) -> None:
    """`time_s,cpu,tid,prio,latency_us,period_us`: one row per ms, 4 CPUs in turn-ish."""
    import numpy as np

    rng = np.random.default_rng(seed)
    lat = np.array([f",{i}," .encode() for i in range(10_000)], dtype=object)
    with path.open("wb") as fh:
        fh.write(b"time_s,cpu,tid,prio,latency_us,period_us\n")
        for i in range(0, len(values), CHUNK):
            idx = np.arange(i, min(i + CHUNK, len(values)))
            cpu = rng.integers(0, 4, size=idx.size)
            head = [f"{s // 1000}.{s % 1000:03d},{c},{1000 + c},99".encode()
                    for s, c in zip(idx.tolist(), cpu.tolist(), strict=True)]
            fh.write(b"".join(h + m + b"1000\n" for h, m in
                              zip(head, lat[values[idx]].tolist(), strict=True)))


def write_cyclictest_json(path: Path, keys_per_thread: int, seed: int) -> None:
    """cyclictest -N --json's shape (rt-tests 2.4), with a nanosecond histogram per thread."""
    import numpy as np

    rng = np.random.default_rng(seed)
    threads = []
    for t in range(2):
        keys = np.unique(rng.integers(20_000, 400_000, size=keys_per_thread))
        counts = rng.integers(1, 50, size=keys.size)
        hist = ",\n".join(f'        "{k}": {c}' for k, c in
                          zip(keys.tolist(), counts.tolist(), strict=True))
        n = int(counts.sum())
        avg = float((keys * counts).sum() / n)
        threads.append(f'    "{t}": {{\n      "histogram": {{\n{hist}\n      }},\n'
                       f'      "cycles": {n},\n      "min": {int(keys[0])},\n'
                       f'      "max": {int(keys[-1])},\n      "avg": {avg:.2f},\n'
                       f'      "cpu": {t},\n      "node": 0\n    }}')
    path.write_text(
        '{\n  "file_version": 1,\n  "cmdline:": "cyclictest -t2 -N -h 400000 -q '
        '--json=x.json",\n  "rt_test_version:": "2.40",\n  "num_threads": 2,\n'
        '  "resolution_in_ns": 1,\n  "thread": {\n' + ",\n".join(threads) + "\n  }\n}\n")


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


def pairs(n: int, a: tuple[str, list[str]], b: tuple[str, list[str]]) -> tuple[Run, Run, float]:
    """n alternated pairs (A B, then B A, ...): the median runs and the median ratio A/B."""
    runs_a: list[Run] = []
    runs_b: list[Run] = []
    for i in range(n):
        if i % 2 == 0:
            runs_a.append(run(*a))
            runs_b.append(run(*b))
        else:
            runs_b.append(run(*b))
            runs_a.append(run(*a))
    ratio = statistics.median(x.wall_s / y.wall_s for x, y in zip(runs_a, runs_b, strict=True))
    return _median(runs_a), _median(runs_b), ratio


def _median(runs: list[Run]) -> Run:
    return Run(runs[0].name, statistics.median(r.wall_s for r in runs),
               statistics.median(r.rss_mib for r in runs), runs[0].output)


def have(module: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


def measure_cmd(path: Path) -> list[str]:
    return [sys.executable, "-m", "reporter", "measure", str(path),
            "--threshold", str(THRESHOLD_US)]


def figures(output: str) -> list[str]:
    """The figures, spikes and worst-CPU lines, without the bullet's first line."""
    lines = [line.strip() for line in output.splitlines()]
    return [line for line in lines
            if line.startswith(("min ", "worst ")) or " spikes > " in line]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2M samples instead of 10M")
    parser.add_argument("--samples", type=int, default=None, help="samples per file")
    parser.add_argument("--pairs", type=int, default=5, help="alternated pairs per case (>= 5)")
    parser.add_argument("--cases", default="raw,csv2,csv6,ctjson",
                        help="comma-separated: raw, csv2, csv6, ctjson")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()),
                        help="where to write the generated files (default: the temp folder)")
    parser.add_argument("--seed", type=int, default=20230217)
    parser.add_argument("--write-demo", type=Path, metavar="CSV", default=None,
                        help="only write the demo's STR-76 long run (time_s,latency_us) to CSV")
    args = parser.parse_args(argv)
    if args.write_demo is not None:
        write_csv(args.write_demo, demo_long_run())
        return 0
    samples = args.samples or (2_000_000 if args.quick else 10_000_000)
    work = Path(tempfile.mkdtemp(prefix="reporter-bench-", dir=args.dir))
    try:
        _bench(work, samples, max(5, args.pairs), args.seed, args.cases.split(","))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _bench(work: Path, samples: int, n: int, seed: int, cases: list[str]) -> None:
    print(f"generating {samples:,} samples (seed {seed}) in {work} ...", flush=True)
    values = generate(samples, seed)
    files = {"raw": work / "latency.txt", "csv2": work / "latency.csv",
             "csv6": work / "latency6.csv", "ctjson": work / "cyclictest-N.json"}
    if "raw" in cases:
        write_raw(files["raw"], values)
    if "csv2" in cases:
        write_csv(files["csv2"], values)
    if "csv6" in cases:
        write_csv6(files["csv6"], values, seed)
    if "ctjson" in cases:
        write_cyclictest_json(files["ctjson"], 400_000, seed)
    del values
    pandas, polars = have("pandas"), have("polars")
    if not pandas:
        print("pandas is not installed (`pip install pandas`): its comparisons are skipped")
    print(f"{'case':<7} {'reader':<9} {'wall s':>8} {'peak RSS MiB':>13}   (medians of {n} pairs)")
    verdicts: list[str] = []
    for case in cases:
        path = files[case]
        print(f"{case}: {path.name}, {path.stat().st_size / 2**20:.1f} MiB", flush=True)
        rep = ("reporter", measure_cmd(path))
        baselines = []
        if case == "ctjson":
            baselines.append(("json+numpy", [sys.executable, "-c", JSON_SCRIPT, str(path)]))
        elif pandas:
            baselines.append(("pandas", [sys.executable, "-c", PANDAS_SCRIPT, str(path), case,
                                         str(THRESHOLD_US)]))
        if case == "csv6" and polars:
            baselines.append(("polars", [sys.executable, "-c", POLARS_SCRIPT, str(path), case,
                                         str(THRESHOLD_US)]))
        results = []
        for name, argv in baselines:
            a, b, ratio = pairs(n, rep, (name, argv))
            results.append((name, a, b, ratio))
            for r in (a, b):
                print(f"{case:<7} {r.name:<9} {r.wall_s:8.3f} {r.rss_mib:13.1f}")
            mine = figures(a.output)[:1] if case == "ctjson" else figures(a.output)
            same = mine == figures(b.output)
            print(f"ratio {case} time reporter/{name} = {ratio:.2f} (median of {n} pairs); "
                  f"peak RSS reporter/{name} = {a.rss_mib / b.rss_mib:.2f}; "
                  f"same figures: {'yes' if same else 'NO'}")
            if not same:
                print(f"  reporter: {figures(a.output)}\n  {name}: {figures(b.output)}")
        if case == "csv6" and results:
            fastest = min(results, key=lambda x: x[2].wall_s)
            pd_rss = next((b.rss_mib for name, _, b, _ in results if name == "pandas"), None)
            verdicts.append(f"csv6: time {fastest[3]:.2f}x the faster baseline ({fastest[0]}), "
                            f"goal <= 1.5x: {'ok' if fastest[3] <= 1.5 else 'MISSED'}")
            if pd_rss:
                m = fastest[1].rss_mib / pd_rss
                verdicts.append(f"csv6: peak RSS {m:.2f}x pandas', goal <= 0.33x: "
                                f"{'ok' if m <= 1 / 3 else 'MISSED'}")
    print()
    for line in verdicts:
        print(line)


if __name__ == "__main__":
    raise SystemExit(main())
