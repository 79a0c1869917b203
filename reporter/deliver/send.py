"""The exactly-once send of one week (SPEC section 8): lock, ledger, transport, record."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.deliver.ledger import (
    Attempt,
    LedgerEntry,
    eml_path,
    ledger_path,
    read_ledger,
    with_attempt,
    write_eml,
    write_ledger,
)
from reporter.deliver.lock import data_lock
from reporter.deliver.message import (
    Envelope,
    build_message,
    envelope_of,
    make_message_id,
    message_bytes,
)
from reporter.deliver.notices import (
    already_sent,
    ambiguous_error,
    refused_error,
    warn_missed_weeks,
)
from reporter.deliver.testhook import crash_point
from reporter.deliver.transport import Accepted, Transport, TransportError
from reporter.errors import (
    ConfigError,
    DeliveryError,
    LocalFileError,
    NoNotesError,
    SourceError,
    no_notes_line,
)
from reporter.model.sources import SourceFailure

if TYPE_CHECKING:

    from reporter.config import Config, MailConfig

log = logging.getLogger(__name__)

Render = Callable[[tuple[str, ...]], str]  # stale source names -> the email body
Pull = Callable[[], tuple[SourceFailure, ...]]  # pulls every source -> the ones that failed
Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class SendOptions:
    force: bool = False  # resend an ambiguous, refused or sent week, with its Message-ID
    allow_stale: bool = False  # a failed source: send with its last snapshot
    offline: bool = False  # no pull: the stored snapshots
    dry_run: bool = False  # print the message and the envelope, touch nothing
    allow_empty: bool = False  # a week without a notes file: send the harvested draft


@dataclass(frozen=True)
class SendResult:
    """What a send did, for the command to say: the outcome and its one line (or the dry run)."""

    outcome: str  # sent | already-sent | dry-run
    text: str


@dataclass(frozen=True)
class Prepared:
    """Everything a send hands over, built before anything is written."""

    message_id: str
    data: bytes
    date: str | None
    envelope: Envelope


def mail_config(config: Config) -> MailConfig:
    if config.mail is None:
        raise ConfigError(f"{config.path}: no mail: section",
                          hint="`reporter init --print` shows the mail keys")
    return config.mail


def prepare(config: Config, now: dt.datetime, week_end: dt.date, body: str,
            message_id: str) -> Prepared:
    mail = mail_config(config)
    date = now.astimezone(config.tz)
    msg = build_message(mail, week_end=week_end, body=body, message_id=message_id, date=date)
    return Prepared(message_id, message_bytes(msg), msg["Date"], envelope_of(mail))


def make_transport(mail: MailConfig) -> Transport:
    """The configured transport; looks up the SMTP password now, before anything is written."""
    if mail.transport == "sendmail":
        from reporter.deliver.sendmail import SendmailTransport

        return SendmailTransport(mail.sendmail)
    from reporter.deliver.smtp import SmtpTransport, smtp_credentials

    if mail.smtp is None:
        raise ConfigError("mail.smtp: transport smtp needs the smtp settings")
    return SmtpTransport(mail.smtp, smtp_credentials(mail.smtp))


def transport_label(mail: MailConfig) -> str:
    if mail.transport == "sendmail" or mail.smtp is None:
        return f"sendmail ({' '.join(mail.sendmail)})"
    return f"smtp {mail.smtp.host}:{mail.smtp.port} ({mail.smtp.security})"


def send_week(config: Config, week_end: dt.date, options: SendOptions, *, now: dt.datetime,
              render: Render, pull: Pull, transport: Transport | None = None,
              clock: Clock | None = None, sleep: Callable[[float], None] = time.sleep,
              missing_notes: Path | None = None, weeks_with_notes: tuple[dt.date, ...] = ()
              ) -> SendResult:
    """Send the week's email at most once; raises ReporterError when it was not (all) sent.

    `now` dates the message; `render(stale)` gives the body, `pull()` refreshes the
    snapshots and names the sources that failed; `transport` defaults to the
    configured one. `missing_notes` is the week's notes file when it does not exist
    (the week is then not sent without `allow_empty`); `weeks_with_notes` are the
    weeks that have notes, so that earlier ones never sent are named on stderr.
    """
    mail = mail_config(config)
    data_dir = config.data_dir
    if options.dry_run:
        return _dry_run(config, now, week_end, mail, render,
                        None if options.allow_empty else missing_notes)
    with data_lock(data_dir):
        crash_point("locked")
        entry = read_ledger(data_dir, week_end)
        if entry is not None and not options.force and entry.state == "sent":
            archived = _commit_data(config, week_end, entry.message_id)  # retry a failed one
            if archived is not None:
                raise archived
            return SendResult("already-sent", already_sent(config.tz, entry))
        warn_missed_weeks(data_dir, week_end, weeks_with_notes)
        if entry is not None and not options.force:
            if entry.state == "ambiguous":
                raise ambiguous_error(config.tz, entry)
            if entry.state == "refused":
                raise refused_error(config.tz, entry)
        if missing_notes is not None and not options.allow_empty:
            raise NoNotesError(f"{no_notes_line(missing_notes, week_end)}; nothing was sent")
        stale: tuple[str, ...] = ()
        if not options.offline:
            failures = pull()
            failed = tuple(f.name for f in failures)
            if failures and not options.allow_stale:
                # One line for cron's mail: every source's reason, then the outcome.
                raise SourceError(
                    f"week {week_end}: {'; '.join(f.reason for f in failures)}; "
                    "nothing was sent",
                    hint="fix the source and run again, or send with its last "
                    "snapshot: `reporter send --allow-stale`")
            for failure in failures:  # the email says it too; a terminal shows why
                log.info("%s; sending its last snapshot (marked stale)", failure.reason)
            stale = failed
        message_id = entry.message_id if entry else make_message_id(mail, week_end)
        prepared = prepare(config, now, week_end, render(stale), message_id)
        chosen = transport or make_transport(mail)
        entry = entry or LedgerEntry(week_end=week_end, state="sending", message_id=message_id)
        accepted = _deliver(data_dir, entry, prepared, chosen, mail, clock or _wall_clock,
                            sleep)
        archived = _commit_data(config, week_end, message_id)
    if accepted.refused:
        if archived is not None:
            log.error("%s", archived)
        refused = ", ".join(f"{r.recipient} ({r.reply})" for r in accepted.refused)
        raise DeliveryError(f"week {week_end} was sent as {message_id}, but the server "
                            f"refused {len(accepted.refused)} recipient(s): {refused}",
                            hint="check the address in mail.to/mail.cc; the others got it")
    if archived is not None:
        raise archived
    return SendResult("sent", f"sent the week ending {week_end} to "
                      f"{', '.join(accepted.recipients)} as {message_id}")


def _deliver(data_dir: Path, entry: LedgerEntry, prepared: Prepared, transport: Transport,
             mail: MailConfig, clock: Clock, sleep: Callable[[float], None]) -> Accepted:
    """Record, hand over, record; retry temporary failures `mail.retries` times."""
    week_end = entry.week_end
    prior = entry.state if entry.attempts else None
    # A forced resend never makes a sent week look unsent, nor an ambiguous one.
    kept = prior if prior in ("sent", "ambiguous") else None
    resting = kept or "sending"  # after a temporary failure: the next run sends it
    refusing = kept or "refused"  # after the server refused it: only --force sends it
    handing = "sent" if prior == "sent" else "ambiguous"
    number = len(entry.attempts)
    for round_ in range(mail.retries + 1):
        if round_:
            log.info("trying again in %.0f s", mail.retry_delay_s)
            sleep(mail.retry_delay_s)
        number += 1
        attempt = Attempt(number=number, started_at=clock(), transport=mail.transport,
                          outcome="sending", date=prepared.date,
                          envelope_from=prepared.envelope.sender,
                          recipients=prepared.envelope.recipients)
        entry = with_attempt(entry, attempt, resting)
        _record(data_dir, entry)
        crash_point("sending-written")

        def before_handover() -> None:
            nonlocal entry, attempt
            try:
                sha = write_eml(data_dir, week_end, prepared.data)
            except OSError as exc:
                raise _unwritable(eml_path(data_dir, week_end), exc) from None
            crash_point("eml-written")
            attempt = replace(attempt, outcome="ambiguous", sha256=sha,
                              reason="handed over; no confirmation recorded")
            entry = with_attempt(entry, attempt, handing)
            _record(data_dir, entry)
            crash_point("handover-written")

        try:
            accepted = transport(prepared.envelope, prepared.data, before_handover)
        except TransportError as exc:
            if exc.ambiguous:
                attempt = replace(attempt, outcome="ambiguous", reason=exc.message,
                                  finished_at=clock())
                _record(data_dir, with_attempt(entry, attempt, handing),
                        "; the message may have been delivered")
                raise DeliveryError(
                    f"week {week_end}: {exc.message}; the week is now marked ambiguous "
                    f"({prepared.message_id})", hint=exc.hint) from None
            attempt = replace(attempt, outcome="refused" if exc.refused else "failed",
                              reason=exc.message, finished_at=clock())
            entry = with_attempt(entry, attempt, refusing if exc.refused else resting)
            _record(data_dir, entry)
            if exc.temporary and round_ < mail.retries:
                log.info("%s (temporary; try %d of %d)", exc.message, round_ + 1,
                         mail.retries + 1)
                continue
            tries = f" after {round_ + 1} tries" if round_ else ""
            force = f"`reporter send --week {week_end} --force`"
            if not exc.refused:
                again = "the next run sends it" if resting == "sending" else f"{force} tries again"
                why = "a temporary failure" if exc.temporary else "fix it"
                raise DeliveryError(f"week {week_end}: {exc.message}; nothing was sent{tries}",
                                    hint=f"{exc.hint}; {again}" if exc.hint
                                    else f"{why}: {again}") from None
            marked = "; the week is now marked refused" if refusing == "refused" else ""
            fix = f"{exc.hint}; then " if exc.hint else "fix the cause, then "
            raise DeliveryError(
                f"week {week_end}: {exc.message}; a permanent refusal, nothing was sent"
                f"{tries}{marked}",
                hint=f"{fix}{force} sends it with the same Message-ID; no run resends it "
                "by itself") from None
        crash_point("accepted")
        attempt = replace(attempt, outcome="sent", reason=None, finished_at=clock(),
                          recipients=accepted.recipients, refused=accepted.refused)
        try:
            write_ledger(data_dir, with_attempt(entry, attempt, "sent"))
        except OSError as exc:
            raise LocalFileError(
                f"week {week_end} was sent as {prepared.message_id}, but the ledger could "
                f"not record it ({exc.strerror}); it still says ambiguous",
                hint="the email went out: do not resend it with --force; once the disk is "
                "fixed, set the last attempt's outcome and the state to sent in "
                f"{ledger_path(data_dir, week_end)}") from None
        crash_point("sent-written")
        return accepted
    raise AssertionError("unreachable")  # the loop returns or raises


def _record(data_dir: Path, entry: LedgerEntry, then: str = "; nothing was sent") -> None:
    try:
        write_ledger(data_dir, entry)
    except OSError as exc:
        raise _unwritable(ledger_path(data_dir, entry.week_end), exc, then) from None


def _unwritable(path: Path, exc: OSError, then: str = "; nothing was sent") -> LocalFileError:
    # Before the handover this is a ReporterError, which the transports let through
    # untouched: the data never leaves, and the ledger keeps its last written state.
    return LocalFileError(f"{path}: cannot write ({exc.strerror}){then}",
                          hint="check the free space and permissions of data_dir")


def _dry_run(config: Config, now: dt.datetime, week_end: dt.date, mail: MailConfig,
             render: Render, missing_notes: Path | None) -> SendResult:
    entry = read_ledger(config.data_dir, week_end)
    message_id = entry.message_id if entry else make_message_id(mail, week_end)
    prepared = prepare(config, now, week_end, render(()), message_id)
    state = (already_sent(config.tz, entry) if entry and entry.state == "sent"
             else f"week ending {week_end}: {entry.state if entry else 'not sent yet'}")
    if missing_notes is not None and not (entry and entry.state == "sent"):
        state = f"not sent by `send`: {no_notes_line(missing_notes, week_end)}"
    envelope = ["--- envelope (dry run: nothing sent, nothing written) ---",
                f"MAIL FROM:<{prepared.envelope.sender}>",
                *(f"RCPT TO:<{r}>" for r in prepared.envelope.recipients),
                f"via {transport_label(mail)}", state]
    return SendResult("dry-run", prepared.data.decode("utf-8", "replace")
                      + "".join(line + "\n" for line in envelope))


def _commit_data(config: Config, week_end: dt.date, message_id: str) -> DeliveryError | None:
    """With `archive: git`, commit the week's files; a failure is returned, the send stands."""
    if config.archive != "git":
        return None
    from reporter.errors import ReporterError
    from reporter.store.datarepo import commit_week

    try:
        commit_week(config, week_end, message_id)
    except ReporterError as exc:
        return DeliveryError(f"week {week_end} was sent as {message_id}, but {exc.message}",
                             hint=exc.hint)
    return None


def _wall_clock() -> dt.datetime:
    """When an attempt starts and ends: the ledger's record of real time."""
    return dt.datetime.now(dt.UTC)
