"""Resolves `--week` (a date, `this` or `last`) to the week's last day."""

from __future__ import annotations

import datetime as dt

from reporter.errors import UsageError


def week_end_of(day: dt.date, week_ends_on: int) -> dt.date:
    """The last day of the week that contains `day` (0 = Monday ... 6 = Sunday)."""
    return day + dt.timedelta(days=(week_ends_on - day.weekday()) % 7)


def this_week(today: dt.date, week_ends_on: int) -> dt.date:
    return week_end_of(today, week_ends_on)


def last_week(today: dt.date, week_ends_on: int) -> dt.date:
    """The latest week that has ended: a week ends when its last day is over."""
    return week_end_of(today, week_ends_on) - dt.timedelta(days=7)


def today_in(now: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The calendar date of the instant `now` in the configured time zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date()


def resolve_week(spec: str, today: dt.date, week_ends_on: int) -> dt.date:
    """`this`, `last`, or a date inside the week (YYYY-MM-DD)."""
    text = spec.strip().lower()
    if text == "this":
        return this_week(today, week_ends_on)
    if text == "last":
        return last_week(today, week_ends_on)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--week {spec!r}: not a date",
            hint="use YYYY-MM-DD (any day of the week), 'this' or 'last'",
        ) from None
    return week_end_of(day, week_ends_on)


def week_start(week_end: dt.date) -> dt.date:
    """The first day of the week that ends on `week_end`."""
    return week_end - dt.timedelta(days=6)

