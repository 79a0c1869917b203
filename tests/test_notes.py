"""The notes file and events file: shape checks that name the file and the line."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.config import load_config
from reporter.errors import InputError
from reporter.store.events import load_events
from reporter.store.notes import load_week_notes, note_weeks
from tests.conftest import write_config

WEEK = dt.date(2023, 2, 10)
NOW = dt.datetime(2023, 2, 13, tzinfo=dt.UTC)


def write_notes(tmp_path: Path, text: str, week: str = "2023-02-10") -> Path:
    path = tmp_path / "data" / "weeks" / f"{week}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_both_card_forms_and_block_text(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    write_notes(tmp_path, """\
        sections:
          Stratos:
            cards:
              STR-1:
                - one line
              STR-2:
                links: [https://example.org/a]
                notes:
                  - |
                    two
                    lines
              STR-3: []
              STR-4:
          U-Boot support:
            note: quiet week
            misc: [a misc bullet]
        issues: [an issue]
        """)
    notes = load_week_notes(config, WEEK)
    assert notes is not None
    stratos = notes.section("Stratos")
    assert stratos is not None
    assert [c.key for c in stratos.cards] == ["STR-1", "STR-2", "STR-3", "STR-4"]
    assert stratos.cards[1].notes == ("two\nlines",)
    assert stratos.cards[1].links == ("https://example.org/a",)
    uboot = notes.section("U-Boot support")
    assert uboot is not None and uboot.note == "quiet week" and uboot.misc == ("a misc bullet",)
    assert notes.issues == ("an issue",)


def test_a_week_without_a_file_has_no_notes(tmp_path: Path) -> None:
    assert load_week_notes(load_config(write_config(tmp_path)), WEEK) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("sections:\n  Stratos:\n    cards:\n      STR-1: [ok\n",
     r"2023-02-10.yaml:\d+: malformed YAML"),
    ("sections:\n  Stratos:\n    cards:\n      str-1: []\n",
     r"2023-02-10.yaml:4: sections.Stratos.cards.str-1: 'str-1' is not a card key"),
    ("sections:\n  Stratos:\n    cards:\n      STR-1:\n        - 42\n",
     r"2023-02-10.yaml:5: sections.Stratos.cards.STR-1\[0\]: a bullet must be text, not int"),
    ("sections:\n  Stratos:\n    cards:\n      STR-1:\n        - {a: b}\n",
     r":5: .*a bullet must be text, not dict"),
    ("issues:\n  - fine\n  - yes\n", r"2023-02-10.yaml:3: issues\[1\]: a bullet must be text"),
    ("sections:\n  Nope: {}\n", r"2023-02-10.yaml:2: sections.Nope: section 'Nope' is not "
     "configured"),
    ("sections:\n  Stratos:\n    cards:\n      STR-1: []\n      STR-1: [again]\n",
     r"2023-02-10.yaml:5: duplicate key 'STR-1'"),
    ("sections:\n  Stratos:\n    cards: {STR-1: []}\n  U-Boot support:\n    cards: {STR-1: []}\n",
     r":5: .*card STR-1 is named twice"),
    ("sections:\n  Stratos:\n    cardz: {}\n", r":3: sections.Stratos.cardz: unknown key"),
    ("- just a list\n", r"2023-02-10.yaml:1: expected a mapping"),
])
def test_bad_notes_exit_2_with_file_and_line(tmp_path: Path, text: str, expected: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    config_path = write_config(tmp_path)
    path = write_notes(tmp_path, text)
    before = path.read_bytes()
    with pytest.raises(InputError, match=expected):
        load_week_notes(load_config(config_path), WEEK)
    assert main(["--config", str(config_path), "preview", "--week", "2023-02-10"], now=NOW) == 2
    assert "reporter: error:" in capsys.readouterr().err
    assert path.read_bytes() == before  # nothing rewritten


def test_a_week_file_off_the_week_end_is_refused(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    write_notes(tmp_path, "issues: []\n", week="2023-02-08")
    with pytest.raises(InputError, match="2023-02-08 is a Wednesday, not the last day"):
        note_weeks(config)


def test_events_single_days_and_ranges(tmp_path: Path) -> None:
    (tmp_path / "events.yaml").write_text(textwrap.dedent("""\
        - {date: 2023-02-24, text: My birthday}
        - {from: 2023-03-06, to: 2023-03-10, text: Linaro Connect}
        """), encoding="utf-8")
    events = load_events(tmp_path)
    assert [(e.first, e.last) for e in events] == [
        (dt.date(2023, 2, 24), dt.date(2023, 2, 24)),
        (dt.date(2023, 3, 6), dt.date(2023, 3, 10)),
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("- {date: someday, text: x}\n", r"events.yaml:1: \[0\].date: not a date"),
    ("- {from: 2023-03-06, text: x}\n", r"events.yaml:1: \[0\]: an event needs date"),
    ("- {date: 2023-03-06}\n", r"events.yaml:1: \[0\].text: text must be one line"),
    ("- {from: 2023-03-06, to: 2023-03-01, text: x}\n", r"\[0\].to: ends before it starts"),
    ("{date: 2023-03-06}\n", r"expected a list of events"),
])
def test_bad_events_name_the_line(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "events.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=expected):
        load_events(tmp_path)
