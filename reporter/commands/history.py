"""The `history` command: one card's status, bullets, findings and references, newest first."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from reporter.errors import UsageError

if TYPE_CHECKING:
    from reporter.cli import Context
    from reporter.config import Config
    from reporter.tracker.history import CardHistory, CardWeek, WeekInputs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("key", metavar="KEY", help="the card, e.g. STR-76")
    parser.add_argument("--since", metavar="DATE",
                        help="only the weeks that end on or after DATE (YYYY-MM-DD)")


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.store.notes import CARD_KEY_RE
    from reporter.tracker.history import card_history

    key = args.key.upper()
    if not CARD_KEY_RE.match(key):
        raise UsageError(f"history: {args.key!r} is not a card key shaped like STR-76")
    since = _since(args.since)
    history = card_history(key, _week_inputs(ctx.config, key, since), since)
    if not history.weeks:
        where = f" since {since}" if since else ""
        ctx.stderr.write(f"reporter: no stored week mentions {key}{where}\n")
        return 0
    ctx.stdout.write(format_history(history))
    ctx.stdout.flush()
    return 0


def _since(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"history: --since {text!r} is not a date",
                         hint="use YYYY-MM-DD") from None


def _week_inputs(config: Config, key: str, since: dt.date | None) -> list[WeekInputs]:
    from reporter.deliver.ledger import week_state
    from reporter.model.cards import JiraSnapshot
    from reporter.report.inputs import findings_by_card
    from reporter.store import snapshot
    from reporter.store.datarepo import archived_weeks
    from reporter.store.notes import load_week_notes, note_weeks
    from reporter.store.snapshot import weeks_with
    from reporter.tracker.history import WeekInputs

    data_dir = config.data_dir
    with_notes = set(note_weeks(config))
    weeks = sorted(with_notes | set(weeks_with(data_dir)))
    if since is not None:  # keep one earlier week: its status shows a change at `since`
        earlier = [w for w in weeks if w < since]
        weeks = earlier[-1:] + [w for w in weeks if w >= since]
    archived = archived_weeks(config)
    out = []
    for week in weeks:
        jira = snapshot.read_part(data_dir, week, "jira", JiraSnapshot)
        out.append(WeekInputs(
            week_end=week,
            notes=load_week_notes(config, week) if week in with_notes else None,
            card=jira.card(key) if jira else None,
            findings=findings_by_card(data_dir, week).get(key, ()),
            ledger=week_state(data_dir, week),
            archived=archived.get(week),
        ))
    return out


def format_history(history: CardHistory) -> str:
    from reporter.report.layout import card_header

    blocks = [card_header(history.key, history.summary)]
    blocks.extend(_week_block(week) for week in history.weeks)
    return "\n\n".join(blocks) + "\n"


def _week_block(week: CardWeek) -> str:
    from reporter.report.layout import bullet_list, is_loose, wrap_generated

    status = week.status or "no Jira pull"
    if week.previous_status:
        status = f"{week.previous_status} -> {status}"
    sent = {"sent": "sent", "ambiguous": "sending ambiguous", "sending": "send interrupted",
            None: "not sent"}.get(week.ledger, week.ledger or "not sent")
    if week.archived:
        sent += f", archived {week.archived}"
    lines = [f"Week ending {week.week_end}: {status}; {sent}"]
    bullets = [wrap_generated("\n".join(f)) for f in week.findings] + list(week.bullets)
    if bullets:
        lines.append(bullet_list(bullets, is_loose(bullets)))
    if week.section is None:
        lines.append("(not in the notes)")
    elif not week.bullets:
        lines.append("(no notes)")
    if week.refs:
        lines.append("")
        lines.extend(f"  [{ref.number}] {ref.url}" for ref in week.refs)
    return "\n".join(lines)
