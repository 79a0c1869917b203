"""The per-week sent ledger under data/sent/: state, Message-ID, attempts and the sent bytes.

`data/sent/<week>.json` holds the week's state:

- `sending`: the Message-ID is reserved and nothing was handed over yet; a run that
  finds it left behind (failed or killed before the handover) sends the week, once,
  with that Message-ID;
- `ambiguous`: the message was being handed over and no confirmation was recorded;
  no run sends it again by itself (`send --force` does, with the same Message-ID);
- `refused`: the server refused the message for good (SMTP 5xx, or sendmail failed
  with a status other than 75); nothing was accepted and no run sends it again by
  itself (`send --force` does, with the same Message-ID, once the cause is fixed);
- `sent`: the server (or sendmail) accepted it.

With `jira.post_comments`, `jira` records card by card each comment posted and each
transition asked after the send, so that no run writes one twice.

`data/sent/<week>.eml` holds the bytes last handed over. Every write is atomic; a
missing JSON file means the week was never handed to a transport, an empty or
unreadable one stops the send (it is never read as "nothing was sent").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from reporter.codec import CodecError, from_jsonable, to_jsonable
from reporter.errors import InputError
from reporter.fsutil import write_atomic, write_json_atomic

STATES = ("sending", "sent", "ambiguous", "refused")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Refusal:
    """A recipient the server refused while it accepted others."""

    recipient: str
    reply: str  # "550 5.1.1 no such user"


@dataclass(frozen=True)
class Attempt:
    """One try at handing the week's message to a transport."""

    number: int  # 1, 2, ... across the week's ledger
    started_at: dt.datetime
    transport: str  # smtp | sendmail
    outcome: str  # sending | failed | ambiguous | sent
    reason: str | None = None  # why it failed or is ambiguous
    date: str | None = None  # the Date header of the message handed over
    sha256: str | None = None  # of the .eml bytes handed over
    envelope_from: str | None = None
    recipients: tuple[str, ...] = ()
    refused: tuple[Refusal, ...] = ()
    finished_at: dt.datetime | None = None


@dataclass(frozen=True)
class JiraWrite:
    """One write to a Jira card after the week was sent (jira.post_comments), card by card.

    `comment` done: the week's comment is on the card (`comment_id`). `transition`
    pending: about to be asked (the card should then be in `to_status`); done: asked.
    """

    card: str
    action: str  # comment | transition
    state: str  # pending | done
    at: dt.datetime
    comment_id: str | None = None
    transition: str | None = None  # the name given in the notes
    to_status: str | None = None  # where that transition leads
    note: str | None = None  # how it was found done: "already on the card", ...


@dataclass(frozen=True)
class LedgerEntry:
    week_end: dt.date
    state: str  # one of STATES
    message_id: str
    attempts: tuple[Attempt, ...] = ()
    format: int = FORMAT_VERSION
    jira: tuple[JiraWrite, ...] = ()  # what was written to Jira after the send

    def jira_write(self, card: str, action: str) -> JiraWrite | None:
        return next((w for w in self.jira if w.card == card and w.action == action), None)

    @property
    def last_sent(self) -> Attempt | None:
        """The latest attempt the server accepted."""
        for attempt in reversed(self.attempts):
            if attempt.outcome == "sent":
                return attempt
        return None

    @property
    def last(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None


def ledger_path(data_dir: Path, week_end: dt.date) -> Path:
    return data_dir / "sent" / f"{week_end.isoformat()}.json"


def eml_path(data_dir: Path, week_end: dt.date) -> Path:
    return data_dir / "sent" / f"{week_end.isoformat()}.eml"


def read_ledger(data_dir: Path, week_end: dt.date) -> LedgerEntry | None:
    """The week's ledger, or None when the week was never handed to a transport."""
    path = ledger_path(data_dir, week_end)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise InputError(f"{path}: cannot read the sent ledger: {why}",
                         hint="restore the file from a backup") from None
    try:
        if not raw.strip():
            raise ValueError("the file is empty")
        doc = json.loads(raw)
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        if doc.get("format") != FORMAT_VERSION:
            raise ValueError(f"unknown format {doc.get('format')!r}")
        entry = from_jsonable(LedgerEntry, doc, "ledger")
        if entry.state not in STATES:
            raise ValueError(f"unknown state {entry.state!r}")
        if entry.week_end != week_end:
            raise ValueError(f"it is the ledger of week {entry.week_end}")
        if not entry.message_id.startswith("<") or not entry.message_id.endswith(">"):
            raise ValueError(f"bad Message-ID {entry.message_id!r}")
        if entry.state == "sent" and entry.last_sent is None:
            raise ValueError("state sent without a sent attempt")
    except (ValueError, CodecError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: corrupt sent ledger ({exc})",
            hint="restore the file from a backup; it is never read as 'nothing was sent'",
        ) from None
    return entry


def write_ledger(data_dir: Path, entry: LedgerEntry) -> None:
    """Replace the week's ledger atomically (temp file, fsync, rename, fsync of the folder)."""
    write_json_atomic(ledger_path(data_dir, entry.week_end), to_jsonable(entry))


def write_eml(data_dir: Path, week_end: dt.date, data: bytes) -> str:
    """Store the bytes about to be handed over; returns their sha256."""
    write_atomic(eml_path(data_dir, week_end), data)
    return hashlib.sha256(data).hexdigest()


def read_eml(data_dir: Path, week_end: dt.date) -> bytes | None:
    try:
        return eml_path(data_dir, week_end).read_bytes()
    except FileNotFoundError:
        return None


def with_attempt(entry: LedgerEntry, attempt: Attempt, state: str) -> LedgerEntry:
    """`entry` in `state` with `attempt` added, or replacing the last one of its number."""
    attempts = entry.attempts
    if attempts and attempts[-1].number == attempt.number:
        attempts = attempts[:-1]
    return replace(entry, state=state, attempts=(*attempts, attempt))


def with_jira_write(entry: LedgerEntry, write: JiraWrite) -> LedgerEntry:
    """`entry` with `write` recorded, replacing the card's earlier record of that action."""
    kept = tuple(w for w in entry.jira if (w.card, w.action) != (write.card, write.action))
    return replace(entry, jira=(*kept, write))


def week_state(data_dir: Path, week_end: dt.date) -> str | None:
    """`sending`, `sent`, `ambiguous`, `refused`, or None when the week was never handed to
    a transport."""
    entry = read_ledger(data_dir, week_end)
    return entry.state if entry else None


def sent_weeks(data_dir: Path) -> list[dt.date]:
    """Weeks whose ledger says `sent`, oldest first."""
    folder = data_dir / "sent"
    weeks = []
    if folder.is_dir():
        for path in folder.glob("*.json"):
            try:
                week = dt.date.fromisoformat(path.stem)
            except ValueError:
                continue
            if week_state(data_dir, week) == "sent":
                weeks.append(week)
    return sorted(weeks)


def last_sent_before(data_dir: Path, week_end: dt.date) -> dt.date | None:
    """The latest week before `week_end` that was sent, or None."""
    earlier = [w for w in sent_weeks(data_dir) if w < week_end]
    return earlier[-1] if earlier else None
