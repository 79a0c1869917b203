"""The `calendar:` section: the country (and subdivision) of public holidays, and how far ahead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reporter.config.checker import Checker
from reporter.yamldoc import KeyPath


@dataclass(frozen=True)
class CalendarConfig:
    country: str | None
    subdivision: str | None
    lookahead_days: int



def check_country(country: str, subdivision: str | None) -> tuple[str, str] | None:
    import holidays
    from holidays.registry import COUNTRIES

    # The registry names every country without importing them (as
    # list_supported_countries() does); a subdivision needs the country's module.
    if not any(country in names[1:] for names in COUNTRIES.values()):
        return ("country", f"unknown country code {country!r} for the holidays package")
    if not subdivision:
        return None
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        if subdivision and "subdivision" in str(exc):
            return ("subdivision", f"unknown subdivision {subdivision!r} of {country}")
        return ("country", f"unknown country code {country!r} for the holidays package")
    return None


def check_calendar(c: Checker, top: dict[str, Any]) -> CalendarConfig:
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
        problem = check_country(country, subdivision)
        if problem:
            c.fail(kp + (problem[0],), problem[1])
    return CalendarConfig(
        country=country,
        subdivision=subdivision,
        lookahead_days=c.get(m, kp, "lookahead_days", int, 14,
                                lambda v: None if 0 <= v <= 366 else "must be 0 to 366"),
    )
