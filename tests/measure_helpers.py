"""Shared by the measurement tests: fixture paths, file writers and a naive reference."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "measure"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


@dataclass(frozen=True)
class Reference:
    """The figures computed the slow, obvious way from a list of values in usecs."""

    samples: int
    min_us: float
    avg_us: float
    median_us: float
    p99_us: float
    p999_us: float
    max_us: float
    above: int | None
    spikes: int | None


def nearest_rank(sorted_values: Sequence[float], p: float) -> float:
    """The smallest value with at least p% of the values at or below it (exact)."""
    rank = max(1, math.ceil(round(p * 10) * len(sorted_values) / 1000))
    return float(sorted_values[rank - 1])


def reference(values: Sequence[float], threshold_us: float | None = None) -> Reference:
    ordered = sorted(values)
    above = spikes = None
    if threshold_us is not None:
        flags = [v > threshold_us for v in values]
        above = sum(flags)
        spikes = sum(1 for i, f in enumerate(flags) if f and (i == 0 or not flags[i - 1]))
    return Reference(
        samples=len(values),
        min_us=ordered[0],
        avg_us=sum(values) / len(values),
        median_us=nearest_rank(ordered, 50),
        p99_us=nearest_rank(ordered, 99),
        p999_us=nearest_rank(ordered, 99.9),
        max_us=ordered[-1],
        above=above,
        spikes=spikes,
    )


def read_hist(path: Path) -> tuple[dict[int, list[int]], dict[str, list[int]]]:
    """The rows and the `#` trailer of a cyclictest -h output, read independently."""
    rows: dict[int, list[int]] = {}
    trailer: dict[str, list[int]] = {}
    for line in path.read_text().splitlines():
        if line.startswith("# ") and ":" in line:
            key, _, rest = line[2:].partition(":")
            if key in ("Total", "Min Latencies", "Avg Latencies", "Max Latencies",
                       "Histogram Overflows"):
                trailer[key] = [int(v) for v in rest.split()]
        elif line[:1].isdigit():
            parts = [int(v) for v in line.split()]
            rows[parts[0]] = parts[1:]
    return rows, trailer
