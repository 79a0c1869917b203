"""Reads netperf omni output with latency selectors: CSV (-o), columns (-O), keyval (-k).

Shapes from netperf 2.7 (src/nettest_omni.c: print_omni_csv, print_omni_human,
print_omni_keyword; checked against the Debian netperf 2.7.0 binary). A
selector's human name is its header words joined by blanks ("Minimum Latency
Microseconds"); -o prints one header line and one value line, -O prints four
header lines padded into columns and one value line, -k prints KEY=value lines.
Latency statistics need the global -j option; without it they print as -1.
"""

from __future__ import annotations

import math
import re
from typing import BinaryIO

from reporter.measure.figures import Result, Stats, combine_summaries, summary_stats
from reporter.measure.textfile import Refused
from reporter.model.findings import BadRow, CpuFigures, Figure

HUMAN_NAMES = {
    "Minimum Latency Microseconds": "MIN_LATENCY",
    "Maximum Latency Microseconds": "MAX_LATENCY",
    "50th Percentile Latency Microseconds": "P50_LATENCY",
    "90th Percentile Latency Microseconds": "P90_LATENCY",
    "99th Percentile Latency Microseconds": "P99_LATENCY",
    "Mean Latency Microseconds": "MEAN_LATENCY",
    "Stddev Latency Microseconds": "STDDEV_LATENCY",
    "Throughput": "THROUGHPUT",
    "Throughput Units": "THROUGHPUT_UNITS",
    "Elapsed Time (sec)": "ELAPSED_TIME",
    "Transaction Rate Tran/s": "TRANSACTION_RATE",
    "Round Trip Latency usec/tran": "RT_LATENCY",
}
LATENCY_KEYS = ("MIN_LATENCY", "MAX_LATENCY", "P50_LATENCY", "P90_LATENCY", "P99_LATENCY",
                "MEAN_LATENCY", "STDDEV_LATENCY")
_FIRST_WORDS = {"Minimum", "Maximum", "Mean", "Stddev", "50th", "90th", "99th"}
_KEYVAL_RE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
_BANNER_RE = re.compile(r"\bTEST\b.*\bfrom\b")

Run = dict[str, str]


def parse(fh: BinaryIO, offset: int, fmt: str, threshold_us: float | None) -> Result:
    fh.seek(offset)
    data = fh.read()
    if data and not data.endswith(b"\n"):
        raise Refused("truncated netperf output: the last line has no end of line")
    lines = [raw.decode("utf-8", "replace").rstrip("\r") for raw in data.split(b"\n")]
    bad: list[BadRow] = []
    if fmt == "netperf-keyval":
        runs = _keyval(lines)
    elif fmt == "netperf-csv":
        runs = _csv(lines, bad)
    else:
        runs = _columns(lines, bad)
    runs = [r for r in runs if any(k in r for k in LATENCY_KEYS)]
    if not runs:
        raise Refused("netperf output without latency figures: ask for MIN_LATENCY, "
                      "MEAN_LATENCY, P99_LATENCY, MAX_LATENCY with -o/-O/-k")
    parts = [(f"run {i}", *_run_stats(run, threshold_us)) for i, run in enumerate(runs, 1)]
    durations = [d for _, _, d, _ in parts if d is not None]
    if len(parts) == 1:
        overall = parts[0][1]
        per_cpu: tuple[CpuFigures, ...] = ()
    else:
        overall = combine_summaries([(name, s) for name, s, _, _ in parts], threshold_us)
        per_cpu = tuple(s.for_cpu(name) for name, s, _, _ in parts)
    return Result(format=fmt, kind="netperf", overall=overall, per_cpu=per_cpu,
                  duration_s=sum(durations) if durations else None,
                  rows=len(runs) + len(bad), bad_rows=len(bad), bad_examples=tuple(bad[:20]),
                  throughput=parts[0][3] if len(parts) == 1 else None)


def _run_stats(run: Run, threshold_us: float | None) -> tuple[Stats, float | None, str | None]:
    values: dict[str, float] = {}
    for key in (*LATENCY_KEYS, "THROUGHPUT", "ELAPSED_TIME", "TRANSACTION_RATE"):
        if key in run:
            try:
                value = float(run[key])
            except ValueError:
                raise Refused(f"netperf {key} {run[key]!r} is not a number") from None
            if not math.isfinite(value):
                raise Refused(f"netperf {key} is {run[key]!r}")
            values[key] = value
    if any(values.get(k, 0.0) < 0 for k in LATENCY_KEYS):
        raise Refused("netperf did not collect latency statistics (they read -1): run "
                      "netperf with the global -j option")
    elapsed = values.get("ELAPSED_TIME")
    units = run.get("THROUGHPUT_UNITS", "").strip()
    samples = None
    if elapsed is not None:
        if "TRANSACTION_RATE" in values:
            samples = round(values["TRANSACTION_RATE"] * elapsed)
        elif "THROUGHPUT" in values and units.lower() in ("trans/s", "tran/s"):
            samples = round(values["THROUGHPUT"] * elapsed)
    throughput = f"{run['THROUGHPUT']} {units}".strip() if "THROUGHPUT" in run else None

    def fig(key: str) -> Figure | None:
        return Figure(values[key]) if key in values else None

    stats = summary_stats(samples=samples, min_us=values.get("MIN_LATENCY"),
                          avg_us=values.get("MEAN_LATENCY"), max_us=values.get("MAX_LATENCY"),
                          threshold_us=threshold_us, median_us=fig("P50_LATENCY"),
                          p99_us=fig("P99_LATENCY"))
    return stats, elapsed, throughput


def _add(runs: list[Run], key: str, value: str) -> None:
    """A key already set in the current run starts the next run."""
    if not runs or key in runs[-1]:
        runs.append({})
    runs[-1][key] = value


def _keyval(lines: list[str]) -> list[Run]:
    runs: list[Run] = []
    for line in lines:
        match = _KEYVAL_RE.match(line.strip())
        if match:
            _add(runs, match.group(1), match.group(2).strip())
    return runs


def _csv(lines: list[str], bad: list[BadRow]) -> list[Run]:
    runs: list[Run] = []
    header: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or _BANNER_RE.search(text):
            continue
        fields = [f.strip() for f in text.split(",")]
        if any(f in HUMAN_NAMES for f in fields):
            header = fields
            continue
        if header is None:
            continue
        if len(fields) != len(header):
            bad.append(BadRow(number, f"{len(fields)} fields, expected {len(header)}"))
            continue
        runs.append({})
        for name, value in zip(header, fields, strict=True):
            key = HUMAN_NAMES.get(name)
            if key:
                runs[-1][key] = value
    return runs


def _columns(lines: list[str], bad: list[BadRow]) -> list[Run]:
    runs: list[Run] = []
    i = 0
    while i < len(lines):
        words = set(lines[i].split())
        if not words & _FIRST_WORDS or _BANNER_RE.search(lines[i]):
            i += 1
            continue
        if i + 4 >= len(lines):
            bad.append(BadRow(i + 1, "netperf column block without its value line"))
            break
        headers, values = lines[i:i + 4], lines[i + 4]
        starts = [m.start() for m in re.finditer(r"\S+", headers[0])]
        width = max(len(h) for h in (*headers, values))
        for n, start in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else width
            name = " ".join(h[start:end].strip() for h in headers if h[start:end].strip())
            key = HUMAN_NAMES.get(name)
            if key:
                _add(runs, key, values[start:end].strip())
        i += 5
    return runs
