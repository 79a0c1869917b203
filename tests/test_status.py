"""`reporter status`: the tracked cards with their idle weeks, the last pulls, the weeks sent."""

from __future__ import annotations

import datetime as dt
import json
import textwrap

from reporter.model.notes import CardNotes, SectionNotes, WeekNotes
from reporter.store import snapshot
from reporter.tracker.progress import Progress, progress_of
from tests.tracker_helpers import (
    W1,
    W2,
    W3,
    W4,
    W5,
    card,
    during,
    make_setup,
    run,
    write_jira,
    write_ledger,
)


def notes(week: dt.date, **cards: tuple[str, ...]) -> WeekNotes:
    return WeekNotes(week, (SectionNotes("S", cards=tuple(
        CardNotes(key.replace("_", "-"), notes=bullets) for key, bullets in cards.items())),))


def test_progress_finds_the_last_week_with_bullets() -> None:
    weeks = [
        notes(W5, STR_1=(), STR_2=(), STR_3=("x",)),
        notes(W4, STR_1=(), STR_2=()),
        notes(W3, STR_1=("did",), STR_2=()),
        notes(W2, STR_1=("older",)),  # STR-2's run in the notes starts at W3
        notes(W1, STR_2=("from an earlier run",)),
    ]
    got = progress_of(["STR-1", "STR-2", "STR-3"], weeks)
    assert got == {"STR-1": Progress("STR-1", W3, W3), "STR-2": Progress("STR-2", None, W3),
                   "STR-3": Progress("STR-3", W5, W5)}
    this_week = W5 + dt.timedelta(days=7)  # Monday after W5: W5 is the last week ended
    assert got["STR-1"].describe(this_week) == "no progress for 2 weeks"
    assert got["STR-2"].describe(this_week) == "no progress for 3 weeks"
    assert got["STR-3"].describe(this_week) == "noted last week"
    assert got["STR-3"].describe(W5) == "noted this week"
    assert Progress("STR-4", None, W5).describe(W5) == "new this week"
    assert Progress("STR-4", W4, W4).describe(W5) == "noted last week"
    assert Progress("STR-4", W3, W3).describe(W5) == "no progress for 1 week"


def test_the_whole_status(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path, extra="jira: {server: 'https://jira.example.org', "
                                        "user: me@example.org, attachments: false}\n")
    weeks = {
        W1: "sections: {Stratos: {cards: {STR-1: [a], STR-2: [b], LBO-3: []}}}\n",
        W2: "sections: {Stratos: {cards: {STR-1: [], STR-2: [c], LBO-3: []}}}\n",
        W3: "sections: {Stratos: {cards: {STR-1: [], STR-2: [], LBO-3: []}},"
            " U-Boot support: {cards: {TS-9: []}}}\n",
    }
    for week, text in weeks.items():
        setup.notes(week).parent.mkdir(parents=True, exist_ok=True)
        setup.notes(week).write_text(text)
    write_jira(setup, W1, card("STR-1", "In Progress"), card("STR-2", "To Do"),
               card("LBO-3", "Done"), pulled_at=dt.datetime(2023, 2, 6, 9, 0, tzinfo=dt.UTC))
    write_jira(setup, W2, card("STR-1", "In Progress"), card("STR-2", "In Review"),
               card("STR-20", "To Do"), card("TS-10", "Done"),
               pulled_at=dt.datetime(2023, 2, 13, 0, 5, tzinfo=dt.UTC))
    write_ledger(setup, W1, "sent")
    write_ledger(setup, W2, "ambiguous")
    # A measurements part is stored for W1 although nothing configures it any more; status
    # reads its pulled_at without the measurement model.
    path = snapshot.part_path(setup.data, W1, "measurements")
    path.write_text(json.dumps({"format": 1, "source": "measurements", "week_end": str(W1),
                                "data": {"pulled_at": "2023-02-06T10:00:00.123456+09:00",
                                         "findings": []}}))
    r = run(capsys, setup, "status", now=during(W4))
    assert (r.status, r.err) == (0, "")
    assert r.out == textwrap.dedent("""\
        Tracked cards (notes of the week ending 2023-02-17; none this week yet):
          Stratos
            STR-1   In Progress  no progress for 2 weeks
            STR-2   In Review    no progress for 1 week
            LBO-3   Done         no progress for 3 weeks
            STR-20  To Do        not in the notes
          U-Boot support
            TS-9    -            no progress for 1 week

        Last pull:
          jira          2023-02-13 09:05 +0900 (week ending 2023-02-10)
          measurements  2023-02-06 10:00 +0900 (week ending 2023-02-03), not configured now
          patches       not configured

        Weeks:
          sent       2023-02-03
          pending    2023-02-17
          ambiguous  2023-02-10
          (an ambiguous week may or may not have reached the mail server; check,
           then `reporter send --force --week W` resends it, same Message-ID)
        """)


def test_status_from_nothing_and_with_many_sent_weeks(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path)
    r = run(capsys, setup, "status", now=during(W2))
    assert r.status == 0
    assert r.out == textwrap.dedent("""\
        Tracked cards (no notes yet: `reporter draft` starts them):
          Stratos
            (no cards)
          U-Boot support
            (no cards)

        Last pull:
          jira          not configured
          measurements  not configured
          patches       not configured

        Weeks:
          sent       none
          pending    none
          ambiguous  none
        """)
    first = dt.date(2022, 11, 4)
    for i in range(10):
        write_ledger(setup, first + dt.timedelta(days=7 * i), "sent")
    write_ledger(setup, W2, "sending")
    assert run(capsys, setup, "draft", now=during(W3)).status == 0
    r = run(capsys, setup, "status", now=during(W3))
    assert "  sent       (2 earlier), 2022-11-18, 2022-11-25, 2022-12-02, 2022-12-09, " \
           "2022-12-16, 2022-12-23, 2022-12-30, 2023-01-06\n" in r.out
    assert "  pending    2023-02-10 (send interrupted), 2023-02-17 (in progress)\n" in r.out
    assert "Tracked cards (notes of this week, ending 2023-02-17):" in r.out


def test_a_corrupt_ledger_stops_status(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path)
    (setup.data / "sent").mkdir()
    (setup.data / "sent" / "2023-02-10.json").write_text("")
    r = run(capsys, setup, "status", now=during(W3))
    assert (r.status, r.out) == (2, "")
    assert "2023-02-10.json: corrupt sent ledger" in r.err
