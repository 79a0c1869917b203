"""How instants read where a person sees them: `2023-02-13 09:30 +0900`, in the configured zone."""

from __future__ import annotations

import datetime as dt

HUMAN_FORMAT = "%Y-%m-%d %H:%M %z"


def human_time(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """`moment` in `tz`, to the minute, with its UTC offset; a naive `moment` is read as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(tz).strftime(HUMAN_FORMAT)


def human_stamp(stamp: str | None, tz: dt.tzinfo) -> str | None:
    """A stored ISO 8601 stamp (`2023-02-13T08:59:00.123456+09:00`) as `human_time` writes it.

    None stays None; text that is not ISO 8601 is returned as it is, since it is still
    the best that is known.
    """
    if not stamp:
        return None
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return human_time(moment, tz)


def human_age(seconds: float) -> str:
    """A duration as a person says it: `40 minutes`, `5 hours`, `3 days`."""
    minutes = max(0, int(seconds // 60))
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"
