"""The sent ledger: its states round-trip, and an empty or corrupt file is never 'unsent'."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from reporter.deliver.ledger import (
    Attempt,
    LedgerEntry,
    Refusal,
    eml_path,
    last_sent_before,
    ledger_path,
    read_eml,
    read_ledger,
    sent_weeks,
    week_state,
    with_attempt,
    write_eml,
    write_ledger,
)
from reporter.errors import InputError

WEEK = dt.date(2023, 2, 10)
AT = dt.datetime(2023, 2, 13, 0, 0, tzinfo=dt.UTC)
MID = "<reporter.2023-02-10.abc@example.org>"


def sent_entry(week: dt.date = WEEK) -> LedgerEntry:
    attempt = Attempt(number=1, started_at=AT, transport="smtp", outcome="sent",
                      date="Mon, 13 Feb 2023 09:00:00 +0900", sha256="0" * 64,
                      envelope_from="a@example.org", recipients=("b@example.org",),
                      refused=(Refusal("c@example.org", "550 5.1.1 no such user"),),
                      finished_at=AT)
    return LedgerEntry(week_end=week, state="sent", message_id=MID, attempts=(attempt,))


def test_a_week_without_a_ledger_was_never_handed_over(tmp_path: Path) -> None:
    assert read_ledger(tmp_path, WEEK) is None
    assert week_state(tmp_path, WEEK) is None


def test_entries_round_trip_with_their_attempts(tmp_path: Path) -> None:
    entry = sent_entry()
    write_ledger(tmp_path, entry)
    assert ledger_path(tmp_path, WEEK) == tmp_path / "sent" / "2023-02-10.json"
    assert read_ledger(tmp_path, WEEK) == entry
    assert week_state(tmp_path, WEEK) == "sent"
    assert entry.last_sent is not None and entry.last_sent.refused[0].recipient == "c@example.org"


def test_with_attempt_replaces_the_open_attempt_and_adds_new_ones() -> None:
    first = Attempt(number=1, started_at=AT, transport="smtp", outcome="sending")
    entry = LedgerEntry(week_end=WEEK, state="sending", message_id=MID)
    entry = with_attempt(entry, first, "sending")
    entry = with_attempt(entry, Attempt(number=1, started_at=AT, transport="smtp",
                                        outcome="failed", reason="451"), "sending")
    assert [a.outcome for a in entry.attempts] == ["failed"]
    entry = with_attempt(entry, Attempt(number=2, started_at=AT, transport="smtp",
                                        outcome="ambiguous"), "ambiguous")
    assert [a.outcome for a in entry.attempts] == ["failed", "ambiguous"]
    assert entry.state == "ambiguous" and entry.last_sent is None


@pytest.mark.parametrize("content", [
    "", "   \n", "{", "[]", '{"format": 1}', "\xff",
    '{"format": 1, "week_end": "2023-02-10", "state": "mailed", "message_id": "<a@b>"}',
    '{"format": 1, "week_end": "2023-02-03", "state": "sending", "message_id": "<a@b>"}',
    '{"format": 1, "week_end": "2023-02-10", "state": "sent", "message_id": "<a@b>"}',
    '{"format": 1, "week_end": "2023-02-10", "state": "sending", "message_id": "a@b"}',
    '{"format": 2, "week_end": "2023-02-10", "state": "sending", "message_id": "<a@b>"}',
])
def test_empty_or_corrupt_ledger_is_an_input_error(tmp_path: Path, content: str) -> None:
    path = ledger_path(tmp_path, WEEK)
    path.parent.mkdir(parents=True)
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(InputError, match="2023-02-10.json") as err:
        read_ledger(tmp_path, WEEK)
    assert err.value.exit_status == 2
    with pytest.raises(InputError):
        week_state(tmp_path, WEEK)
    assert path.read_bytes() == content.encode("latin-1")  # left for the user to restore


def test_sent_weeks_and_last_sent_before(tmp_path: Path) -> None:
    write_ledger(tmp_path, sent_entry(WEEK))
    write_ledger(tmp_path, sent_entry(WEEK - dt.timedelta(days=14)))
    pending = LedgerEntry(week_end=WEEK + dt.timedelta(days=7), state="ambiguous",
                          message_id=MID)
    write_ledger(tmp_path, pending)
    assert sent_weeks(tmp_path) == [WEEK - dt.timedelta(days=14), WEEK]
    assert last_sent_before(tmp_path, WEEK + dt.timedelta(days=7)) == WEEK
    assert last_sent_before(tmp_path, WEEK) == WEEK - dt.timedelta(days=14)
    assert last_sent_before(tmp_path, WEEK - dt.timedelta(days=14)) is None


def test_eml_is_stored_atomically_with_its_digest(tmp_path: Path) -> None:
    digest = write_eml(tmp_path, WEEK, b"Subject: x\n\nbody\n")
    assert eml_path(tmp_path, WEEK).read_bytes() == b"Subject: x\n\nbody\n"
    assert read_eml(tmp_path, WEEK) == b"Subject: x\n\nbody\n"
    assert len(digest) == 64
    assert read_eml(tmp_path, WEEK + dt.timedelta(days=7)) is None
    assert [p.name for p in (tmp_path / "sent").iterdir()] == ["2023-02-10.eml"]  # no temp


def test_the_file_is_plain_json(tmp_path: Path) -> None:
    write_ledger(tmp_path, sent_entry())
    doc = json.loads(ledger_path(tmp_path, WEEK).read_text())
    assert doc["state"] == "sent" and doc["message_id"] == MID and doc["format"] == 1
