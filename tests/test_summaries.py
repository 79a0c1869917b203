"""A card's title from the notes (`summary:`) when Jira is not configured or does not return it;
one warning per run for the cards that have none, saying why; draft keeps the title."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from reporter.config import Section, load_config
from reporter.errors import InputError
from reporter.model.cards import Card, JiraSnapshot
from reporter.model.notes import CardNotes, SectionNotes, WeekNotes
from reporter.report.compose import Inputs, compose
from reporter.report.render import render_body
from reporter.store.notes import load_week_notes
from tests.conftest import MONDAY_AFTER_GOLDEN, write_config
from tests.tracker_helpers import W1, W2, card, during, make_setup, run, write_jira

WEEK = W2
SECTIONS = (Section("Stratos", ("STR",)),)
NOTES = textwrap.dedent("""\
    sections:
      Stratos:
        cards:
          STR-1:
            summary: Break down the latency
            notes:
              - Found the spike.
          STR-2: [Measured again]
          STR-3: []
    issues: []
    """)


def notes(*cards: CardNotes) -> WeekNotes:
    return WeekNotes(WEEK, (SectionNotes("Stratos", cards=cards),))


def composed(week: WeekNotes, **kwargs: object) -> tuple[str, tuple[str, ...]]:
    result = compose(Inputs(week_end=WEEK, sections=SECTIONS, notes=week,
                            **kwargs))  # type: ignore[arg-type]
    return render_body(result.view), result.warnings


def test_the_notes_summary_is_read_in_the_dict_form(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    (tmp_path / "data" / "weeks" / f"{WEEK}.yaml").write_text(NOTES, encoding="utf-8")
    week = load_week_notes(config, WEEK)
    assert week is not None
    first, second, _ = week.sections[0].cards
    assert first == CardNotes("STR-1", notes=("Found the spike.",),
                              summary="Break down the latency")
    assert second.summary is None


@pytest.mark.parametrize("value", ["42", "''", "[a, b]", "{x: 1}"])
def test_a_summary_that_is_not_one_line_of_text_names_the_line(tmp_path: Path,
                                                               value: str) -> None:
    config = load_config(write_config(tmp_path))
    path = tmp_path / "data" / "weeks" / f"{WEEK}.yaml"
    path.write_text(NOTES.replace("summary: Break down the latency", f"summary: {value}"),
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_week_notes(config, WEEK)
    assert f"{path}:5: sections.Stratos.cards.STR-1.summary: a summary is the card's " \
           "title" in str(err.value)


def test_jira_first_then_the_notes_then_an_older_snapshot() -> None:
    cards = (CardNotes("STR-1", summary="From the notes"),
             CardNotes("STR-2", summary="From the notes too"),
             CardNotes("STR-3"))
    jira = JiraSnapshot("2023-02-13T09:00:00+09:00", None, None,
                        (Card("STR-1", "From Jira", "In Progress", "In Progress"),))
    body, warnings = composed(notes(*cards), jira=jira,
                              known_summaries={"STR-2": "Cached", "STR-3": "Cached three"})
    assert "[STR-1] (From Jira)" in body
    assert "[STR-2] (From the notes too)" in body
    assert "[STR-3] (Cached three)" in body
    assert warnings == ()


@pytest.mark.parametrize(("kwargs", "why"), [
    ({"jira_configured": False}, "no Jira is configured"),
    ({"jira_configured": True}, "no Jira pull is stored for the week and no earlier snapshot "
                                "has them"),
    ({"jira": JiraSnapshot("2023-02-13T09:00:00+09:00", None, None, ())},
     "Jira did not return the cards and no earlier snapshot has them"),
])
def test_one_warning_for_every_card_without_a_summary_says_why(kwargs: dict[str, object],
                                                               why: str) -> None:
    body, warnings = composed(notes(CardNotes("STR-2"), CardNotes("STR-1", summary="Titled"),
                                    CardNotes("STR-3")), **kwargs)
    assert "[STR-2]\n" in body and "[STR-3]\n" in body and "[STR-1] (Titled)" in body
    assert warnings == (f"STR-2, STR-3: no summary ({why}); the headers show the keys alone; "
                        "a card's title can be given in the notes: KEY: {summary: TITLE, "
                        "notes: [...]}",)
    _, one = composed(notes(CardNotes("STR-2")), **kwargs)
    assert one[0].startswith("STR-2: no summary (") and "the header shows the key alone" in one[0]


def test_preview_without_jira_uses_the_notes_summary_and_warns_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from reporter.cli import main

    config = write_config(tmp_path)
    (tmp_path / "data" / "weeks" / f"{WEEK}.yaml").write_text(NOTES, encoding="utf-8")
    assert main(["--config", str(config), "preview", "--week", str(WEEK)],
                now=MONDAY_AFTER_GOLDEN) == 0
    out, err = capsys.readouterr()
    assert "[STR-1] (Break down the latency)\n* Found the spike.\n" in out
    assert "[STR-2]\n* Measured again\n" in out
    assert err.splitlines() == [
        "reporter: warning: STR-2, STR-3: no summary (no Jira is configured); the headers show "
        "the keys alone; a card's title can be given in the notes: KEY: {summary: TITLE, "
        "notes: [...]}"]


def test_draft_keeps_a_title_from_the_notes_and_names_its_sources(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path)
    setup.notes(W1).parent.mkdir(parents=True)
    setup.notes(W1).write_text(NOTES.replace("Found the spike.", "Spike"), encoding="utf-8")
    r = run(capsys, setup, "draft", now=during(W2))
    assert r.status == 0
    text = setup.notes(W2).read_text()
    assert "# carried forward from the week ending 2023-02-03 by `reporter draft`.\n" in text
    assert "Jira" not in text.split("\n#\n")[0]  # no Jira pull was there to use
    assert yaml.safe_load(text)["sections"]["Stratos"]["cards"] == {
        "STR-1": {"summary": "Break down the latency", "notes": []}, "STR-2": [], "STR-3": []}
    assert run(capsys, setup, "note", "STR-1", "Again", now=during(W2)).status == 0
    assert yaml.safe_load(setup.notes(W2).read_text())["sections"]["Stratos"]["cards"][
        "STR-1"] == {"summary": "Break down the latency", "notes": ["Again"]}


def test_a_fresh_draft_says_which_jira_pull_it_used(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path)
    fresh = run(capsys, setup, "draft", now=during(W1))
    assert "# started by `reporter draft` from the configuration.\n" in \
        setup.notes(W1).read_text()
    assert fresh.status == 0
    write_jira(setup, W1, card("STR-1", "In Progress"))
    assert run(capsys, setup, "draft", now=during(W2)).status == 0
    assert ("# carried forward from the week ending 2023-02-03 by `reporter draft` and the "
            "Jira pull of the week ending 2023-02-03.\n") in setup.notes(W2).read_text()
