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

from reporter.measure.figures import Result, combine_summaries, summary_stats
from reporter.measure.textfile import Refused, iter_lines
from reporter.measure.units import in_us, unit_name
from reporter.model.findings import BadRow, CpuFigures, Figure, Figures

# Human names (the -o and -O headers) of the selectors reporter reads; the latency ones
# end in their unit. Any other selector is read past, in any order.
HUMAN_NAMES = {
    "throughput": "THROUGHPUT",
    "throughput units": "THROUGHPUT_UNITS",
    "elapsed time (sec)": "ELAPSED_TIME",
    "transaction rate tran/s": "TRANSACTION_RATE",
}
_LATENCY_NAME_RE = re.compile(
    r"^(minimum|maximum|mean|stddev|50th percentile|90th percentile|99th percentile) "
    r"latency (\w+)$")
_LATENCY_WORDS = {"minimum": "MIN_LATENCY", "maximum": "MAX_LATENCY", "mean": "MEAN_LATENCY",
                  "stddev": "STDDEV_LATENCY", "50th percentile": "P50_LATENCY",
                  "90th percentile": "P90_LATENCY", "99th percentile": "P99_LATENCY"}
LATENCY_KEYS = ("MIN_LATENCY", "MAX_LATENCY", "P50_LATENCY", "P90_LATENCY", "P99_LATENCY",
                "MEAN_LATENCY", "STDDEV_LATENCY")
_KEYVAL_RE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
_BANNER_RE = re.compile(r"\bTEST from\b.*\bto\b")
NO_LATENCY = ("netperf output without latency figures: add MIN_LATENCY,MEAN_LATENCY,"
              "P99_LATENCY,MAX_LATENCY to its -o, -O or -k selectors (and give netperf's "
              "global -j option)")

Run = dict[str, str]


def parse(fh: BinaryIO, offset: int, fmt: str, threshold_us: float | None,
          unit: str | None = None) -> Result:
    lines: list[str] = []
    for _, raw in iter_lines(fh, offset):
        if not raw.endswith(b"\n"):
            raise Refused(f"line {len(lines) + 1}: truncated netperf output: the last line "
                          "has no end of line")
        lines.append(raw.decode("utf-8", "replace").rstrip("\r\n"))
    bad: list[BadRow] = []
    units: dict[str, str] = {}
    if fmt == "netperf-keyval":
        runs = _keyval(lines)
    elif fmt == "netperf-csv":
        runs = _csv(lines, bad, units)
    else:
        runs = _columns(lines, bad, units)
    runs = [r for r in runs if any(k in r for k in LATENCY_KEYS)]
    if not runs:
        raise Refused(NO_LATENCY)
    own = set(units.values()) or {"us"}  # -k has no header: netperf's latencies are usecs
    if len(own) > 1:
        raise Refused(f"netperf latency columns in different units: {', '.join(sorted(own))}")
    file_unit = own.pop()
    warnings = []
    if unit is not None and unit != file_unit:
        warnings.append(f"unit {unit} ignored: netperf reports its latencies in {file_unit}")
    parts = [(f"run {i}", *_run_stats(run, threshold_us, file_unit))
             for i, run in enumerate(runs, 1)]
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
                  throughput=parts[0][3] if len(parts) == 1 else None,
                  warnings=tuple(warnings))


def key_of(name: str, units: dict[str, str]) -> str | None:
    """The selector of a human name (`99th Percentile Latency Microseconds`), noting its unit."""
    text = " ".join(name.split()).lower()
    match = _LATENCY_NAME_RE.match(text)
    if match:
        key = _LATENCY_WORDS[match.group(1)]
        unit = unit_name(match.group(2))
        if unit is None:
            raise Refused(f"netperf column {name!r}: unknown unit {match.group(2)!r}")
        units[key] = unit
        return key
    return HUMAN_NAMES.get(text)


def _run_stats(run: Run, threshold_us: float | None,
               unit: str) -> tuple[Figures, float | None, str | None]:
    values: dict[str, float] = {}
    for key in (*LATENCY_KEYS, "THROUGHPUT", "ELAPSED_TIME", "TRANSACTION_RATE"):
        if key in run:
            try:
                value = float(run[key])
            except ValueError:
                raise Refused(f"netperf {key} {run[key]!r} is not a number") from None
            if not math.isfinite(value):
                raise Refused(f"netperf {key} is {run[key]!r}")
            values[key] = in_us(value, unit) if key in LATENCY_KEYS else value
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


def _csv(lines: list[str], bad: list[BadRow], units: dict[str, str]) -> list[Run]:
    """-o: a header line of human names, then one value line per run."""
    runs: list[Run] = []
    header: list[str | None] | None = None
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or _BANNER_RE.search(text):
            continue
        fields = [f.strip() for f in text.split(",")]
        keys = [key_of(f, units) for f in fields]
        if any(keys):
            header = keys
            continue
        if header is None:
            continue
        if len(fields) != len(header):
            bad.append(BadRow(number, f"{len(fields)} fields, expected {len(header)}"))
            continue
        runs.append({k: v for k, v in zip(header, fields, strict=True) if k})
    return runs


def _columns(lines: list[str], bad: list[BadRow], units: dict[str, str]) -> list[Run]:
    """-O: after each banner, four header lines padded into columns, then the value line."""
    runs: list[Run] = []
    starts_at = [i + 1 for i, line in enumerate(lines) if _BANNER_RE.search(line)] or [0]
    for i in starts_at:
        if i + 4 >= len(lines):
            bad.append(BadRow(len(lines), "netperf column headers without their value line"))
            break
        headers, values = lines[i:i + 4], lines[i + 4]
        starts = [m.start() for m in re.finditer(r"\S+", headers[0])]
        width = max(len(h) for h in (*headers, values))
        names = []
        for n, start in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else width
            names.append(" ".join(h[start:end].strip() for h in headers if h[start:end].strip()))
        keys = [key_of(name, units) for name in names]
        if not any(keys):
            continue
        split = values.split()
        if len(split) != len(names):  # a value with a blank or an empty one: go by position
            split = [values[start:(starts[n + 1] if n + 1 < len(starts) else width)].strip()
                     for n, start in enumerate(starts)]
        runs.append({k: v for k, v in zip(keys, split, strict=True) if k})
    return runs
