"""Time units of latency values: names, conversion to usecs, and hints in column headers."""

from __future__ import annotations

import re
from typing import Any

# Factor from the unit to microseconds.
TO_US: dict[str, float] = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}

_NAMES = {
    "ns": "ns", "nsec": "ns", "nsecs": "ns", "nanosecond": "ns", "nanoseconds": "ns",
    "us": "us", "usec": "us", "usecs": "us", "µs": "us", "μs": "us", "microsecond": "us",
    "microseconds": "us",
    "ms": "ms", "msec": "ms", "msecs": "ms", "millisecond": "ms", "milliseconds": "ms",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
}

# A unit at the end of a column name: latency_us, latency(us), Latency [usec],
# "Minimum Latency Microseconds", wakeup-ns.
_NAME_UNIT_RE = re.compile(
    r"(?:^|[\s_\-(\[/])(ns|nsecs?|nanoseconds?|us|usecs?|µs|μs|microseconds?|ms|msecs?|"
    r"milliseconds?|s|secs?|seconds?)[)\]]?\s*$",
    re.IGNORECASE,
)


def unit_name(text: str) -> str | None:
    """The canonical unit (ns, us, ms, s) for a spelling of it, or None."""
    return _NAMES.get(text.strip().lower().replace("μ", "µ")) or _NAMES.get(text.strip().lower())


def unit_in_header(name: str) -> str | None:
    """The unit a column header names at its end (`latency_us` -> us), or None."""
    match = _NAME_UNIT_RE.search(name.strip())
    return unit_name(match.group(1)) if match else None


def in_us(value: Any, unit: str) -> Any:
    """A value (or numpy array) in `unit`, in usecs; nsecs are divided by 1000, which rounds
    correctly (multiplying by 1e-3 does not: 12500 ns must be exactly 12.5 usecs)."""
    if unit == "ns":
        return value / 1000
    return value * TO_US[unit] if unit != "us" else value
