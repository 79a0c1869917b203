"""The `calendar:` section: the country (and subdivision) of public holidays, and how far ahead."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter.config.checker import Checker
from reporter.yamldoc import KeyPath


@dataclass(frozen=True)
class CalendarConfig:
    country: str | None
    subdivision: str | None
    lookahead_days: int



def check_country(country: str, subdivision: str | None,
                  cache_dir: Path | None = None) -> tuple[str, str] | None:
    """(key, message) for a country or subdivision the holidays package does not know.

    Checked against the package's registry, with no calendar built; the answer
    is cached under `cache_dir` (see reporter.holiday_tables).
    """
    from reporter.holiday_tables import country_problem

    return country_problem(country, subdivision, cache_dir)


def check_calendar(c: Checker, top: dict[str, Any],
                   cache_dir: Path | None = None) -> CalendarConfig:
    raw = c.get(top, (), "calendar", dict, None)
    if raw is None:
        return CalendarConfig(None, None, 14)
    kp: KeyPath = ("calendar",)
    m = c.mapping(raw, kp, {"country", "subdivision", "lookahead_days"})
    if m is None:
        return CalendarConfig(None, None, 14)
    country = c.get(m, kp, "country", str, None)
    subdivision = c.get(m, kp, "subdivision", str, None)
    if country:
        problem = check_country(country, subdivision, cache_dir)
        if problem:
            c.fail(kp + (problem[0],), problem[1])
    return CalendarConfig(
        country=country,
        subdivision=subdivision,
        lookahead_days=c.get(m, kp, "lookahead_days", int, 14,
                                lambda v: None if 0 <= v <= 366 else "must be 0 to 366"),
    )
