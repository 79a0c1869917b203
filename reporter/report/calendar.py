"""The Travel&Holiday&Event lines: public holidays on weekdays plus personal events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from reporter.config import CalendarConfig
from reporter.model.notes import Event


def window(week_end: dt.date, lookahead_days: int) -> tuple[dt.date, dt.date]:
    """From the Monday after the week, `lookahead_days` days long (both ends included)."""
    first = week_end + dt.timedelta(days=7 - week_end.weekday())
    return first, first + dt.timedelta(days=max(lookahead_days, 1) - 1)


def public_holidays(config: CalendarConfig, first: dt.date, last: dt.date,
                    cache_dir: Path | None = None) -> list[Event]:
    """Public holidays on weekdays inside [first, last], named in English.

    The tables come from `holiday_tables`: built once per run, and kept per year
    under `cache_dir` when one is given.
    """
    if not config.country or config.lookahead_days <= 0:
        return []
    from reporter.holiday_tables import year_table

    out = []
    for year in range(first.year, last.year + 1):
        for day, name in year_table(config.country, config.subdivision, year, cache_dir):
            if first <= day <= last and day.weekday() < 5:
                out.append(Event(day, day, f"{name} (public holiday)"))
    return sorted(set(out), key=lambda e: (e.first, e.text))


def calendar_lines(config: CalendarConfig, week_end: dt.date, events: Iterable[Event],
                   cache_dir: Path | None = None) -> tuple[str, ...]:
    first, last = window(week_end, config.lookahead_days)
    if config.lookahead_days <= 0:
        return ()
    holidays_ahead = public_holidays(config, first, last, cache_dir)
    personal = [e for e in events if e.first <= last and e.last >= first]
    # Holidays first on the same day: sorted() is stable.
    ordered = sorted([*holidays_ahead, *personal], key=lambda e: e.first)
    return tuple(f"{format_span(e.first, e.last)}: {e.text}" for e in ordered)


def format_span(first: dt.date, last: dt.date) -> str:
    """`Feb 23`, `Mar 6-10`, or `Feb 27-Mar 3` across months."""
    start = f"{first:%b} {first.day}"
    if last == first:
        return start
    if (last.year, last.month) == (first.year, first.month):
        return f"{start}-{last.day}"
    return f"{start}-{last:%b} {last.day}"
