"""What `send` says about a week's ledger: already sent, ambiguous, refused, missed weeks."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.deliver.ledger import LedgerEntry, read_ledger
from reporter.errors import DeliveryError, InputError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)


def already_sent(tz: ZoneInfo, entry: LedgerEntry) -> str:
    sent = entry.last_sent
    when = _when(tz, sent.date if sent else None, sent.finished_at if sent else None)
    return (f"week ending {entry.week_end} already sent{when} as {entry.message_id}; "
            "nothing to do (`reporter send --force` resends it)")


def ambiguous_error(tz: ZoneInfo, entry: LedgerEntry) -> DeliveryError:
    last = entry.last
    when = _when(tz, None, last.started_at if last else None)
    why = f": {last.reason}" if last and last.reason else ""
    return DeliveryError(
        f"week ending {entry.week_end} is ambiguous: the message {entry.message_id} was "
        f"handed over{when} and no confirmation was recorded{why}; not resending by itself",
        hint=f"check whether it arrived (your own copy, with bcc_self); to send it again "
        f"with the same Message-ID: reporter send --week {entry.week_end} --force",
    )


def refused_error(tz: ZoneInfo, entry: LedgerEntry) -> DeliveryError:
    last = entry.last
    when = _when(tz, None, (last.finished_at or last.started_at) if last else None)
    why = f": {last.reason}" if last and last.reason else ""
    return DeliveryError(
        f"week ending {entry.week_end} was refused by the mail server{when}{why}; "
        "nothing was sent, and no run resends it by itself",
        hint=f"fix the cause, then send it with the same Message-ID: "
        f"reporter send --week {entry.week_end} --force",
    )


def warn_missed_weeks(data_dir: Path, week_end: dt.date,
                      weeks_with_notes: tuple[dt.date, ...]) -> None:
    """A warning for every week before `week_end` that has notes and was never sent."""
    for week in sorted(w for w in set(weeks_with_notes) if w < week_end):
        try:
            entry = read_ledger(data_dir, week)
        except InputError as exc:
            log.warning("the week ending %s has notes, and its ledger cannot be read: %s",
                        week, exc.message)
            continue
        if entry is None or entry.state == "sending":
            log.warning("the week ending %s has notes but was never sent; to send it: "
                        "reporter send --week %s", week, week)
        elif entry.state == "refused":
            log.warning("the week ending %s has notes but the mail server refused it; once "
                        "the cause is fixed: reporter send --week %s --force", week, week)


def _when(tz: ZoneInfo, date_header: str | None, at: dt.datetime | None) -> str:
    from email.utils import parsedate_to_datetime

    moment = at
    if date_header:
        try:
            moment = parsedate_to_datetime(date_header)
        except (TypeError, ValueError):
            pass
    if moment is None or moment.tzinfo is None:
        return ""
    return f" on {moment.astimezone(tz):%Y-%m-%d %H:%M %z}"
