"""The `status` command: the tracked cards, the last pull of each source and the weeks sent."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporter.cli import Context
    from reporter.config import Config
    from reporter.model.cards import Card
    from reporter.model.notes import WeekNotes

SENT_SHOWN = 8  # the newest sent weeks listed by date; older ones are counted


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


@dataclass(frozen=True)
class CardLine:
    key: str
    status: str
    progress: str


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.store.notes import load_week_notes, note_weeks

    config = ctx.config
    this_week = ctx.week("this", "this")
    weeks_with_notes = note_weeks(config)
    current = [w for w in weeks_with_notes if w <= this_week]
    notes = load_week_notes(config, current[-1]) if current else None
    out = []
    out.extend(_tracked(config, this_week, notes, current))
    out.append("")
    out.extend(_pulls(config))
    out.append("")
    out.extend(_weeks(config, this_week, weeks_with_notes))
    archive = _archive(config)
    if archive:
        out.append("")
        out.append(archive)
    ctx.stdout.write("\n".join(out) + "\n")
    ctx.stdout.flush()
    return 0


def _tracked(config: Config, this_week: dt.date, notes: WeekNotes | None,
             weeks: list[dt.date]) -> list[str]:
    from reporter.report.compose import card_sort_key
    from reporter.store.tracked import jira_view
    from reporter.tracker.progress import progress_of

    keys = notes.card_keys() if notes else ()
    view = jira_view(config.data_dir, this_week, keys)
    progress = progress_of(keys, _newest_first(config, weeks, notes))
    if notes is None:
        head = "Tracked cards (no notes yet: `reporter draft` starts them):"
    elif notes.week_end == this_week:
        head = f"Tracked cards (notes of this week, ending {notes.week_end}):"
    else:
        head = f"Tracked cards (notes of the week ending {notes.week_end}; none this week yet):"
    named = set(keys)
    table: list[tuple[str, list[CardLine]]] = []
    for section in config.sections:
        listed = notes.section(section.title) if notes else None
        rows = [CardLine(c.key, _status(view.known.get(c.key)),
                         progress[c.key].describe(this_week))
                for c in (listed.cards if listed else ())]
        extra = sorted({c.key for c in (view.current.cards if view.current else ())
                        if c.project in section.projects and c.key not in named
                        and not c.is_done}, key=card_sort_key)
        rows.extend(CardLine(k, _status(view.known.get(k)), "not in the notes") for k in extra)
        table.append((section.title, rows))
    every = [row for _, rows in table for row in rows]
    key_w = max((len(r.key) for r in every), default=0)
    status_w = max((len(r.status) for r in every), default=0)
    lines = [head]
    for title, rows in table:
        lines.append(f"  {title}")
        if not rows:
            lines.append("    (no cards)")
        lines.extend(f"    {r.key:<{key_w}}  {r.status:<{status_w}}  {r.progress}"
                     for r in rows)
    return lines


def _status(card: Card | None) -> str:
    return card.status if card is not None and card.status else "-"


def _newest_first(config: Config, weeks: list[dt.date], newest: WeekNotes | None
                  ) -> Iterator[WeekNotes]:
    """The notes of `weeks`, newest first, loaded only as far as the walk goes."""
    from reporter.store.notes import load_week_notes

    for week in reversed(weeks):
        notes = newest if newest is not None and week == newest.week_end else \
            load_week_notes(config, week)
        if notes is not None:
            yield notes


def _pulls(config: Config) -> list[str]:
    from reporter.store.tracked import SOURCES, last_pull
    from reporter.timefmt import human_stamp

    configured = {
        "jira": config.jira is not None,
        "measurements": bool(config.measurements) or bool(config.jira and
                                                          config.jira.attachments),
        "patches": config.patches is not None,
    }
    lines = ["Last pull:"]
    width = max(len(s) for s in SOURCES)
    for source in SOURCES:
        found = last_pull(config.data_dir, source)
        if found is None:
            what = "never" if configured[source] else "not configured"
        else:
            week, when = found
            what = f"{human_stamp(when, config.tz) or 'time unknown'} (week ending {week})"
            if not configured[source]:
                what += ", not configured now"
        lines.append(f"  {source:<{width}}  {what}")
    return lines


def _weeks(config: Config, this_week: dt.date, weeks_with_notes: list[dt.date]) -> list[str]:
    from reporter.deliver.ledger import week_state
    from reporter.store.snapshot import weeks_with

    data_dir = config.data_dir
    ledgers = set()
    if (data_dir / "sent").is_dir():
        for path in (data_dir / "sent").glob("*.json"):
            try:
                ledgers.add(dt.date.fromisoformat(path.stem))
            except ValueError:
                continue
    sent: list[dt.date] = []
    pending: list[str] = []
    ambiguous: list[str] = []
    refused: list[str] = []
    last_week = this_week - dt.timedelta(days=7)
    for week in sorted(set(weeks_with_notes) | set(weeks_with(data_dir)) | ledgers):
        state = week_state(data_dir, week)
        if state == "sent":
            sent.append(week)
        elif state == "ambiguous":
            ambiguous.append(str(week))
        elif state == "refused":
            refused.append(str(week))
        elif state == "sending":
            pending.append(f"{week} (send interrupted)")
        else:
            pending.append(f"{week}{' (in progress)' if week > last_week else ''}")
    shown = [str(w) for w in sent[-SENT_SHOWN:]]
    if len(sent) > SENT_SHOWN:
        shown.insert(0, f"({len(sent) - SENT_SHOWN} earlier)")
    lines = [
        "Weeks:",
        f"  sent       {', '.join(shown) or 'none'}",
        f"  pending    {', '.join(pending) or 'none'}",
        f"  ambiguous  {', '.join(ambiguous) or 'none'}",
    ]
    if refused:
        lines.append(f"  refused    {', '.join(refused)}")
        lines.append("  (the mail server refused a refused week for good; fix the cause, then")
        lines.append("   `reporter send --force --week W` resends it, same Message-ID)")
    if ambiguous:
        lines.append("  (an ambiguous week may or may not have reached the mail server; check,")
        lines.append("   then `reporter send --force --week W` resends it, same Message-ID)")
    return lines


def _archive(config: Config) -> str | None:
    if config.archive != "git":
        return None
    from reporter.store.datarepo import archived_weeks

    archived = archived_weeks(config)
    if not archived:
        return f"Archive: git in {config.data_dir}, nothing archived yet"
    newest = max(archived)
    return (f"Archive: git in {config.data_dir}, {len(archived)} week"
            f"{'s' if len(archived) != 1 else ''} archived, newest {newest} "
            f"({archived[newest]})")
