"""The week: any date inside it, `this` or `last`, in the configured time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reporter.errors import UsageError
from reporter.week import last_week, resolve_week, this_week, today_in, week_end_of

FRIDAY, SUNDAY = 4, 6


@pytest.mark.parametrize("day", ["2023-02-04", "2023-02-06", "2023-02-10"])
def test_any_date_of_the_week_resolves_to_its_friday(day: str) -> None:
    assert resolve_week(day, dt.date(2030, 1, 1), FRIDAY) == dt.date(2023, 2, 10)


def test_the_last_day_itself_is_this_week_and_not_yet_last() -> None:
    friday = dt.date(2023, 2, 10)
    assert this_week(friday, FRIDAY) == friday
    assert last_week(friday, FRIDAY) == dt.date(2023, 2, 3)
    assert last_week(dt.date(2023, 2, 11), FRIDAY) == friday


def test_year_boundary() -> None:
    # Wednesday 2025-12-31 belongs to the week ending Friday 2026-01-02.
    assert week_end_of(dt.date(2025, 12, 31), FRIDAY) == dt.date(2026, 1, 2)
    assert last_week(dt.date(2026, 1, 1), FRIDAY) == dt.date(2025, 12, 26)
    assert resolve_week("last", dt.date(2026, 1, 3), FRIDAY) == dt.date(2026, 1, 2)


def test_other_week_end_days() -> None:
    assert week_end_of(dt.date(2023, 2, 6), SUNDAY) == dt.date(2023, 2, 12)
    assert week_end_of(dt.date(2023, 2, 12), SUNDAY) == dt.date(2023, 2, 12)


def test_today_is_taken_in_the_configured_time_zone() -> None:
    # 16:30 UTC on Friday is already Saturday in Tokyo: the week has ended there.
    now = dt.datetime(2023, 2, 10, 16, 30, tzinfo=dt.UTC)
    tokyo = today_in(now, ZoneInfo("Asia/Tokyo"))
    assert tokyo == dt.date(2023, 2, 11)
    assert resolve_week("last", tokyo, FRIDAY) == dt.date(2023, 2, 10)
    new_york = today_in(now, ZoneInfo("America/New_York"))
    assert resolve_week("last", new_york, FRIDAY) == dt.date(2023, 2, 3)


def test_a_dst_change_does_not_move_the_week() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # Clocks go forward at 02:00 on Sunday 2023-03-26; 00:30 UTC Saturday and 23:30 UTC
    # Sunday are both inside the week ending Friday 2023-03-31 in Berlin.
    before = today_in(dt.datetime(2023, 3, 25, 23, 30, tzinfo=dt.UTC), berlin)
    after = today_in(dt.datetime(2023, 3, 26, 22, 30, tzinfo=dt.UTC), berlin)
    assert before == dt.date(2023, 3, 26) and after == dt.date(2023, 3, 27)
    assert this_week(before, FRIDAY) == this_week(after, FRIDAY) == dt.date(2023, 3, 31)
    # In the autumn the local Friday has 25 hours; 22:30 UTC is 23:30 local, still Friday.
    autumn = today_in(dt.datetime(2023, 10, 27, 21, 30, tzinfo=dt.UTC), berlin)
    assert autumn == dt.date(2023, 10, 27)
    assert last_week(autumn, FRIDAY) == dt.date(2023, 10, 20)


def test_a_bad_week_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not a date"):
        resolve_week("2023-02-30", dt.date(2023, 1, 1), FRIDAY)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        today_in(dt.datetime(2023, 1, 1), ZoneInfo("UTC"))
