"""After a week is sent: its comment on each card and the moves its notes ask, exactly once.

SPEC section 8, with `jira.post_comments`. Under the data lock, for each card of
the plan in the email's order:

- the comment: skipped when the ledger records it; else the card's comments are
  read first, and one carrying the week's marker (a run killed between the POST
  and the record) is recorded instead of posting a second; else it is posted,
  then recorded;
- the transition: skipped when recorded; a card already in the status of that
  name is recorded as done; else the workflow's offers are read, the ledger says
  `pending` with the status the transition leads to, the transition is asked,
  and the ledger says `done`. A pending one whose card is now in that status is
  recorded done without asking again.

A failure (403, 5xx, a timeout, a transition the workflow does not offer) is one
outcome for that card; the other cards are still done, and the sent week is never
touched. A dry run reads the ledger and Jira and writes neither.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reporter.deliver.ledger import (
    JiraWrite,
    LedgerEntry,
    ledger_path,
    read_ledger,
    with_jira_write,
    write_ledger,
)
from reporter.deliver.lock import data_lock
from reporter.deliver.testhook import crash_point
from reporter.errors import ConfigError, DeliveryError, ReporterError, SourceError
from reporter.model.jira_writes import CardComment, CardTransition, WritePlan

if TYPE_CHECKING:
    from reporter.config import Config
    from reporter.sources.jira.session import RetryPolicy
    from reporter.sources.jira.writeback import CardState, JiraWriter

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


DRY_RUN_HEADER = "--- jira (dry run: nothing posted, nothing moved, nothing written) ---"


@dataclass(frozen=True)
class CardOutcome:
    """What happened to one action on one card, in one line."""

    card: str
    action: str  # comment | transition
    outcome: str  # posted | found | recorded | moved | in-status | would-post | would-move
    #               | failed
    line: str  # a failure: what failed and why, without the card (see failure_lines)
    body: str | None = None  # a dry run: exactly what would be posted
    exit_status: int = 0  # non-zero when it failed
    retry: bool = False  # a failure that the next run tries again

    @property
    def failed(self) -> bool:
        return self.exit_status != 0


@dataclass(frozen=True)
class SyncResult:
    week_end: dt.date
    outcomes: tuple[CardOutcome, ...] = ()
    dry_run: bool = False
    markup: str | None = None  # how comments are written, once connected

    @property
    def failures(self) -> tuple[CardOutcome, ...]:
        return tuple(o for o in self.outcomes if o.failed)

    @property
    def exit_status(self) -> int:
        return max((o.exit_status for o in self.outcomes), default=0)

    def failure_lines(self) -> list[str]:
        """One line per card that had a failure, naming the card, every reason, the retry."""
        by_card: dict[str, list[CardOutcome]] = {}
        for outcome in self.failures:
            by_card.setdefault(outcome.card, []).append(outcome)
        lines = []
        for card, failed in by_card.items():
            line = f"jira: {card}: " + "; ".join(o.line for o in failed)
            if any(o.retry for o in failed):
                line += (f"; `reporter jira-sync --week {self.week_end}` or the next "
                         "`reporter send` tries again")
            lines.append(line)
        return lines

    def report(self, *, verbose: bool) -> tuple[str, str]:
        """What to print: (stdout, stderr). Failures always go to stderr, one line per card
        after what went well; the rest only when `verbose` or a dry run."""
        out = [DRY_RUN_HEADER + "\n"] if self.dry_run and self.outcomes else []
        for outcome in self.outcomes:
            if outcome.failed or not (verbose or self.dry_run):
                continue
            out.append(outcome.line + "\n")
            if outcome.body is not None:
                out.extend(f"    {line}".rstrip() + "\n" for line in outcome.body.split("\n"))
        err = [f"reporter: error: {line}\n" for line in self.failure_lines()]
        return "".join(out), "".join(err)


def after_send(config: Config, week_end: dt.date, *, dry_run: bool) -> SyncResult | None:
    """Jira's part of a sent week (jira.post_comments), or None when it is turned off."""
    if config.jira is None or not config.jira.post_comments:
        return None
    from reporter.report.jira_comment import week_plan

    return sync_week(config, week_end, week_plan(config, week_end, caches=not dry_run),
                     dry_run=dry_run)


def unused_statuses(config: Config, week_end: dt.date) -> tuple[tuple[str, str], ...]:
    """(card, status) of each `status:` in the week's notes: a transition asked for, which
    needs jira.post_comments to be applied."""
    from reporter.store.notes import load_week_notes

    try:
        notes = load_week_notes(config, week_end)
    except ReporterError:  # the send already said what is wrong with them, or did not need them
        return ()
    return tuple((card.key, card.status) for section in (notes.sections if notes else ())
                 for card in section.cards if card.status)


def sync_week(config: Config, week_end: dt.date, plan: WritePlan, *, dry_run: bool = False,
              environ: Mapping[str, str] | None = None, policy: RetryPolicy | None = None,
              clock: Clock | None = None) -> SyncResult:
    """Write the plan to Jira once; raises DeliveryError when the week is not sent.

    `environ` and `policy` are for tests (the token, a short backoff).
    """
    jc = config.jira
    if jc is None:
        raise ConfigError(f"{config.path}: no jira section", hint="add jira: {server: ...}")
    if not plan.cards():
        return SyncResult(week_end, dry_run=dry_run)
    from reporter.sources.jira.writeback import JiraWriter

    writer = JiraWriter(jc, environ=environ, policy=policy)
    if dry_run:
        return _Run(config, plan, read_ledger(config.data_dir, week_end), writer, True,
                    clock or _wall_clock).run()
    with data_lock(config.data_dir):
        entry = read_ledger(config.data_dir, week_end)
        if entry is None or entry.state != "sent":
            raise DeliveryError(
                f"week ending {week_end} is {entry.state if entry else 'not sent'}: Jira is "
                "written only after the week is sent",
                hint=f"send it first: reporter send --week {week_end}")
        return _Run(config, plan, entry, writer, False, clock or _wall_clock).run()


class _Run:
    """One pass over the plan; keeps the ledger entry current as records are written."""

    def __init__(self, config: Config, plan: WritePlan, entry: LedgerEntry | None,
                 writer: JiraWriter, dry_run: bool, clock: Clock) -> None:
        self.config = config
        self.plan = plan
        self.entry = entry
        self.writer = writer
        self.dry_run = dry_run
        self.clock = clock
        self.week = plan.week_end.isoformat()
        self._connected = False
        self._connect_error: ReporterError | None = None

    def run(self) -> SyncResult:
        outcomes: list[CardOutcome] = []
        try:
            for card in self.plan.cards():
                outcomes.extend(self._card(card))
        finally:
            if self._connected:
                self.writer.__exit__(None, None, None)
        return SyncResult(self.plan.week_end, tuple(outcomes), self.dry_run,
                          self.writer.markup if self._connected else None)

    def _jira(self) -> JiraWriter:
        """The connection, made when first needed (a week fully recorded needs none);
        a failure to connect is kept, so that each card reports it without trying again."""
        if self._connect_error is not None:
            raise self._connect_error
        if not self._connected:
            try:
                self.writer.__enter__()
            except ReporterError as exc:
                self._connect_error = exc
                raise
            self._connected = True
        return self.writer

    def _card(self, card: str) -> list[CardOutcome]:
        state: CardState | None = None

        def card_state() -> CardState:
            nonlocal state
            if state is None:
                state = self._jira().card(card)
            return state

        out = []
        comment, move = self.plan.comment_for(card), self.plan.transition_for(card)
        for action, step in (("comment", comment), ("transition", move)):
            if step is None:
                continue
            try:
                if isinstance(step, CardComment):
                    out.append(self._comment(step, card_state))
                else:
                    out.append(self._transition(step, card_state))
            except ReporterError as exc:
                out.append(self._failed(card, action, exc))
        return out

    def _comment(self, comment: CardComment, card_state: Callable[[], CardState]
                 ) -> CardOutcome:
        card = comment.card
        done = self._recorded(card, "comment")
        if done is not None:
            return CardOutcome(card, "comment", "recorded",
                               f"{card}: the week's comment is posted ({done.comment_id})")
        found = card_state().comment_of(self.week)
        if found is not None:
            self._record(JiraWrite(card, "comment", "done", self.clock(), comment_id=found,
                                   note="found on the card"))
            return CardOutcome(card, "comment", "found",
                               f"{card}: the week's comment is already on the card ({found})")
        if self.dry_run:
            return CardOutcome(card, "comment", "would-post",
                               f"{card}: would post this comment ({self.writer.markup}):",
                               body=self._shown(comment))
        cid = self._jira().post_comment(card, comment)
        crash_point("jira-comment-posted")
        done_line = f"{card}: posted the week's comment ({cid})"
        try:
            self._record(JiraWrite(card, "comment", "done", self.clock(), comment_id=cid))
        except DeliveryError as exc:  # the week's first line on the card still tells
            return CardOutcome(card, "comment", "failed", f"posted the week's comment ({cid}), "
                               f"but {exc.message}; a rerun finds it on the card",
                               exit_status=1)
        return CardOutcome(card, "comment", "posted", done_line)

    def _transition(self, move: CardTransition, card_state: Callable[[], CardState]
                    ) -> CardOutcome:
        from reporter.sources.jira.writeback import find_offer

        card, name = move.card, move.name
        earlier = self._recorded(card, "transition", pending=True)
        if earlier is not None and earlier.transition == name and earlier.state == "done":
            return CardOutcome(card, "transition", "recorded",
                               f"{card}: moved through {name!r} after the send")
        status = card_state().status
        if earlier is not None and earlier.transition == name and earlier.to_status \
                and status == earlier.to_status:  # asked, then killed before the record
            self._record(JiraWrite(card, "transition", "done", self.clock(), transition=name,
                                   to_status=status, note=f"found in {status}"))
            return CardOutcome(card, "transition", "moved",
                               f"{card}: moved through {name!r} (now {status})")
        if status and status.casefold() == name.casefold():
            self._record(JiraWrite(card, "transition", "done", self.clock(), transition=name,
                                   to_status=status, note=f"already {status}"))
            return CardOutcome(card, "transition", "in-status", f"{card}: already {status}")
        offers = self._jira().offers(card)
        offer = find_offer(offers, name)
        if offer is None:
            offered = ", ".join(repr(o.name) for o in offers) or "none"
            return CardOutcome(
                card, "transition", "failed",
                f"its workflow offers no transition {name!r} from {status or 'its status'}; "
                f"it offers: {offered} (fix `status:` in the week's notes)", exit_status=1)
        to = f" (to {offer.to_status})" if offer.to_status else ""
        if self.dry_run:
            return CardOutcome(card, "transition", "would-move",
                               f"{card}: would move through {offer.name!r}{to}")
        self._record(JiraWrite(card, "transition", "pending", self.clock(), transition=name,
                               to_status=offer.to_status))
        self._jira().transition(card, offer)
        crash_point("jira-transition-posted")
        done_line = f"{card}: moved through {offer.name!r}{to}"
        try:
            self._record(JiraWrite(card, "transition", "done", self.clock(), transition=name,
                                   to_status=offer.to_status))
        except DeliveryError as exc:  # recorded pending: a rerun finds the card moved
            return CardOutcome(card, "transition", "failed", f"moved through {offer.name!r}"
                               f"{to}, but {exc.message}; a rerun finds the card moved",
                               exit_status=1)
        return CardOutcome(card, "transition", "moved", done_line)

    def _recorded(self, card: str, action: str, pending: bool = False) -> JiraWrite | None:
        write = self.entry.jira_write(card, action) if self.entry else None
        if write is None or (write.state != "done" and not pending):
            return None
        return write

    def _record(self, write: JiraWrite) -> None:
        if self.dry_run or self.entry is None:
            return
        entry = with_jira_write(self.entry, write)
        try:
            write_ledger(self.config.data_dir, entry)
        except OSError as exc:
            path = ledger_path(self.config.data_dir, entry.week_end)
            raise DeliveryError(f"{path}: cannot record it ({exc.strerror})",
                                hint="check the free space and permissions of data_dir"
                                ) from None
        self.entry = entry

    def _shown(self, comment: CardComment) -> str:
        import json

        body = self.writer.body(comment)
        text = body if isinstance(body, str) else json.dumps(body, indent=2,
                                                             ensure_ascii=False)
        return self.writer.scrub(text)

    def _failed(self, card: str, action: str, exc: ReporterError) -> CardOutcome:
        what = ("the week's comment was not posted" if action == "comment"
                else "the transition was not made")
        why = exc.message if isinstance(exc, SourceError) or not exc.hint \
            else f"{exc.message} ({exc.hint})"
        return CardOutcome(card, action, "failed", f"{what}: {why}",
                           exit_status=max(1, exc.exit_status), retry=True)


def _wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
