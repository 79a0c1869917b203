"""Benchmark `reporter trace` against a Python loop that only splits each line.

Builds a trace of about 100 MB (about 800k events) by repeating the events of a real
record (tests/fixtures/trace/break-no-preempt.txt.gz) with their times shifted, its
tracemark kept only in the last copy (cyclictest stops the trace at its break, so the
spike is at the end). Then runs, as separate processes and alternated, A: `reporter
trace FILE` and B: `for line in open(FILE, "rb"): line.split()`, prints each one's
wall time and peak RSS (the child's own ru_maxrss, from wait4), the median of the
pairs and their `ratio` (target: A <= 2 x B). The same for the trace gzipped (B
then splits the lines of gzip.open). Last, the same trace at about 1 GB shows that
the peak RSS of `reporter trace` does not grow with the file (`--gb`, slow: about a
minute to write the file).

    python bench/bench_trace.py              # 100 MB, plain and gzip, 5 pairs each
    python bench/bench_trace.py --gb         # and once more at 1 GB
    python bench/bench_trace.py --quick      # 20 MB, 3 pairs

Files are written under --dir (default: a temporary directory) and deleted afterwards.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "tests" / "fixtures" / "trace" / "break-no-preempt.txt.gz"
TS_RE = re.compile(rb"(\s)(\d+)\.(\d{6}):\s")
MARK = b"hit latency threshold ("

SPLIT_LOOP = r"""
import sys
n = 0
with open(sys.argv[1], "rb") as fh:
    for line in fh:
        line.split()
        n += 1
print(n)
"""
SPLIT_LOOP_GZ = SPLIT_LOOP.replace('open(sys.argv[1], "rb")', 'gzip.open(sys.argv[1], "rb")'
                                   ).replace("import sys", "import gzip, sys")


@dataclass
class Run:
    wall_s: float
    rss_mib: float
    out: str


def build(path: Path, target_bytes: int) -> tuple[int, int]:
    """Write the repeated trace to `path`; returns (bytes, event lines)."""
    text = gzip.decompress(SOURCE.read_bytes())
    header, events = [], []
    for line in text.splitlines(keepends=True):
        m = TS_RE.search(line)
        if m is None:
            if not events:
                header.append(line)
            continue
        ns = int(m.group(2)) * 1_000_000_000 + int(m.group(3)) * 1000
        events.append((line[:m.start(2)], ns, line[m.end(3):]))
    period = events[-1][1] - events[0][1] + 1_000_000
    size = sum(len(h) for h in header)
    per_copy = sum(len(a) + len(b) + 11 for a, _, b in events)
    copies = max(1, target_bytes // per_copy)
    lines = 0
    with path.open("wb") as fh:
        fh.writelines(header)
        for k in range(copies):
            shift = k * period
            last = k == copies - 1
            chunk = []
            for head, ns, tail in events:
                if not last and MARK in tail:
                    continue
                t = ns + shift
                chunk.append(b"%s%d.%06d%s" % (head, t // 1_000_000_000,
                                               t % 1_000_000_000 // 1000, tail))
            fh.writelines(chunk)
            lines += len(chunk)
            size += sum(len(c) for c in chunk)
    return size, lines


def run(argv: list[str]) -> Run:
    """One child process: its wall time, its own peak RSS and its output."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "REPORTER_CONFIG": "/nonexistent.yaml"}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(err.decode("utf-8", "replace"))
    return Run(wall, usage.ru_maxrss / 1024, out.decode("utf-8", "replace"))


def pairs(name: str, trace: Path, loop: str, n: int) -> tuple[float, float, float]:
    """A (reporter) and B (the split loop) alternated n times: medians and peak RSS of A."""
    a_runs, b_runs = [], []
    for i in range(n):
        a = run([sys.executable, "-m", "reporter", "trace", str(trace)])
        b = run([sys.executable, "-c", loop, str(trace)])
        a_runs.append(a)
        b_runs.append(b)
        print(f"  {name} pair {i + 1}: reporter trace {a.wall_s:.3f} s ({a.rss_mib:.0f} MiB), "
              f"split loop {b.wall_s:.3f} s ({b.rss_mib:.0f} MiB, {b.out.strip()} lines)")
    a_med = statistics.median(r.wall_s for r in a_runs)
    b_med = statistics.median(r.wall_s for r in b_runs)
    rss = max(r.rss_mib for r in a_runs)
    first = a_runs[0].out.splitlines()[0] if a_runs[0].out else "(no output)"
    print(f"  {name}: reporter trace median {a_med:.3f} s, peak RSS {rss:.0f} MiB; split loop "
          f"median {b_med:.3f} s")
    print(f"  {name}: first line of the breakdown: {first}")
    print(f"ratio {name} reporter/split-loop = {a_med / b_med:.2f} (target <= 2.00)")
    return a_med, b_med, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 MB, 3 pairs")
    parser.add_argument("--gb", action="store_true", help="also the 1 GB trace, once")
    parser.add_argument("--pairs", type=int, default=None)
    parser.add_argument("--dir", type=Path, default=None, help="where to write the traces")
    args = parser.parse_args()
    n = args.pairs or (3 if args.quick else 5)
    size = (20 if args.quick else 100) << 20
    work = Path(tempfile.mkdtemp(prefix="bench-trace-", dir=args.dir))
    try:
        plain = work / "trace.txt"
        t = time.perf_counter()
        written, lines = build(plain, size)
        print(f"trace: {written / (1 << 20):.0f} MiB, {lines} event lines, written in "
              f"{time.perf_counter() - t:.1f} s")
        _, _, rss_100 = pairs("plain", plain, SPLIT_LOOP, n)
        packed = work / "trace.txt.gz"
        with plain.open("rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 4 << 20)
        print(f"gzip: {packed.stat().st_size / (1 << 20):.1f} MiB")
        pairs("gzip", packed, SPLIT_LOOP_GZ, n)
        packed.unlink()
        if args.gb:
            big = work / "big.txt"
            t = time.perf_counter()
            written_big, lines_big = build(big, 10 * size)
            plain.unlink()
            print(f"big trace: {written_big / (1 << 20):.0f} MiB, {lines_big} event lines, "
                  f"written in {time.perf_counter() - t:.1f} s")
            r = run([sys.executable, "-m", "reporter", "trace", str(big)])
            print(f"  big: reporter trace {r.wall_s:.3f} s, peak RSS {r.rss_mib:.0f} MiB")
            print(f"ratio rss big/small = {r.rss_mib / rss_100:.2f} (target: 1.00, flat)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
