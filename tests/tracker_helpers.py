"""Helpers for the tracker tests: a configuration in tmp_path, Jira snapshots, runs of main()."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from reporter.cli import main
from reporter.model.cards import Card, JiraSnapshot
from reporter.store import snapshot

TZ = ZoneInfo("Asia/Tokyo")

CONFIG = """\
author: {name: Test Engineer, email: test.engineer@example.org}
timezone: Asia/Tokyo
week_ends_on: friday
data_dir: data
archive: ARCHIVE
sections:
  - {title: Stratos, projects: [STR, LBO]}
  - {title: U-Boot support, projects: [TS]}
"""

# Fridays: the weeks of the scenario.
W1 = dt.date(2023, 2, 3)
W2 = dt.date(2023, 2, 10)
W3 = dt.date(2023, 2, 17)
W4 = dt.date(2023, 2, 24)
W5 = dt.date(2023, 3, 3)


def monday_after(week_end: dt.date) -> dt.datetime:
    """9:00 in Tokyo on the Monday after the week: `this` is the next week then."""
    day = week_end + dt.timedelta(days=3)
    return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=TZ)


def during(week_end: dt.date) -> dt.datetime:
    """10:00 in Tokyo on the Tuesday of the week ending `week_end`."""
    day = week_end - dt.timedelta(days=3)
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ)


@dataclass(frozen=True)
class Setup:
    root: Path
    config: Path
    data: Path

    def notes(self, week_end: dt.date) -> Path:
        return self.data / "weeks" / f"{week_end.isoformat()}.yaml"


def make_setup(tmp_path: Path, archive: str = "none", extra: str = "") -> Setup:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.replace("ARCHIVE", archive) + extra, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    return Setup(tmp_path, config, data)


@dataclass(frozen=True)
class Result:
    status: int
    out: str
    err: str


def run(capsys, setup: Setup, *argv: str, now: dt.datetime) -> Result:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    status = main(["--config", str(setup.config), *argv], now=now)
    captured = capsys.readouterr()
    return Result(status, captured.out, captured.err)


def card(key: str, status: str, summary: str | None = None, category: str | None = None) -> Card:
    if category is None:
        category = {"Done": "Done", "Closed": "Done", "Resolved": "Done",
                    "To Do": "To Do", "Open": "To Do"}.get(status, "In Progress")
    return Card(key=key, summary=summary or f"summary of {key}", status=status,
                status_category=category)


def write_jira(setup: Setup, week_end: dt.date, *cards: Card,
               pulled_at: dt.datetime | None = None) -> Path:
    when = pulled_at or monday_after(week_end)
    snap = JiraSnapshot(pulled_at=when.isoformat(), server="https://jira.example.org", jql=None,
                        cards=tuple(cards))
    return snapshot.write_part(setup.data, week_end, "jira", snap)


def write_ledger(setup: Setup, week_end: dt.date, state: str, message_id: str = "") -> Path:
    """A sent-ledger entry in the send command's full shape (data/sent/<week>.json):
    format, week, state, Message-ID and the attempts, the last one ending in `state`."""
    path = setup.data / "sent" / f"{week_end.isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    started = monday_after(week_end)
    attempts = [] if state == "sending" else [{
        "number": 1, "started_at": started.isoformat(), "transport": "smtp",
        "outcome": state, "reason": None if state == "sent" else "connection lost after DATA",
        "date": "Mon, 13 Feb 2023 09:00:00 +0900", "sha256": "0" * 64,
        "envelope_from": "test.engineer@example.org", "recipients": ["team@example.org"],
        "refused": [], "finished_at": (started + dt.timedelta(seconds=2)).isoformat(),
    }]
    doc = {"week_end": week_end.isoformat(), "state": state,
           "message_id": message_id or f"<weekly-{week_end}@example.org>",
           "attempts": attempts, "format": 1}
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (but .git) and its bytes: to show nothing was rewritten."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(folder).parts}
