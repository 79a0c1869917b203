"""The week's comment on a card: which cards get one, its wording, and its wiki and ADF forms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.config import Section
from reporter.model.cards import Card, Comment, JiraSnapshot
from reporter.model.jira_writes import (
    CardComment,
    CardTransition,
    CommentBullet,
    Span,
    marked_week,
    marker,
)
from reporter.model.notes import CardNotes, SectionNotes, WeekNotes
from reporter.report.compose import Inputs
from reporter.report.jira_comment import plan_writes
from reporter.report.refs import split_urls
from reporter.sources.jira.markup import adf_body, wiki_body
from reporter.sources.jira.text import adf_to_text, wiki_to_text

WEEK = dt.date(2023, 2, 17)
SECTIONS = (Section("Stratos", ("STR", "LBO")), Section("U-Boot support", ("TS",)))
FINDING = ("Latency, long run (latency-0216.csv, 300000 samples, 5 min):",
           "min 41 / avg 118 / p99 402 / p99.9 1204 / max 3412 usecs",
           "5 spikes > 3000 usecs (last week: 11)")


def inputs(*cards: CardNotes, jira: tuple[Card, ...] = (),
           findings: dict[str, tuple[tuple[str, ...], ...]] | None = None) -> Inputs:
    notes = WeekNotes(WEEK, (SectionNotes("Stratos", cards=cards),))
    return Inputs(week_end=WEEK, sections=SECTIONS, notes=notes,
                  jira=JiraSnapshot("2023-02-20T09:00:00+09:00", None, None, jira),
                  findings=findings or {})


def test_the_marker_is_the_first_line_and_names_the_week() -> None:
    assert marker(WEEK) == "Weekly report, week ending 2023-02-17:"
    assert marked_week("\n  Weekly report, week ending 2023-02-17:\n\n* x") == WEEK
    assert marked_week("Weekly report, week ending 2023-02-17: and more") is None
    assert marked_week("As said: Weekly report, week ending 2023-02-17:") is None
    assert marked_week("Weekly report, week ending 2023-02-30:") is None


def test_only_the_engineers_bullets_and_findings_are_written_back() -> None:
    harvested = Card("STR-90", "x", comments=(Comment("1", "Me", "me", "2023-02-14T10:00:00+09:00",
                                                      "From Jira itself", mine=True),))
    plan = plan_writes(inputs(
        CardNotes("STR-76", notes=("Bullet one", "Bullet <https://a.example/x>")),
        CardNotes("STR-41"),  # No progress
        CardNotes("STR-68", status="Done"),  # a move, no comment
        jira=(harvested, Card("STR-91", "findings only"), Card("TS-1", "other section")),
        findings={"STR-76": (FINDING,), "STR-91": (FINDING,), "STR-99": (FINDING,)}))
    assert [c.card for c in plan.comments] == ["STR-76", "STR-91"]
    assert plan.transitions == (CardTransition("STR-68", "Done"),)
    assert plan.cards() == ("STR-76", "STR-68", "STR-91")  # the email's order
    str_76 = plan.comments[0]
    assert str_76.plain_text() == (
        "Weekly report, week ending 2023-02-17:\n\n"
        "* Latency, long run (latency-0216.csv, 300000 samples, 5 min):\n"
        "  min 41 / avg 118 / p99 402 / p99.9 1204 / max 3412 usecs\n"
        "  5 spikes > 3000 usecs (last week: 11)\n"
        "* Bullet one\n"
        "* Bullet https://a.example/x")
    # the card harvested from Jira gets nothing back, even as findings alone would
    assert "From Jira itself" not in "".join(c.plain_text() for c in plan.comments)


def test_references_are_urls_with_the_spacing_a_reader_needs() -> None:
    plan = plan_writes(inputs(CardNotes("STR-76", notes=(
        "The follow-up patch<https://lists.example/483962.html>",
        "one<https://a.example/1>.",
        "see https://b.example/2, and (https://c.example/3)",
        "<https://d.example/4>then"),)))
    assert plan.comments[0].plain_text().split("\n")[2:] == [
        "* The follow-up patch https://lists.example/483962.html",
        "* one https://a.example/1.",
        "* see https://b.example/2, and (https://c.example/3)",
        "* https://d.example/4 then"]
    assert "[1]" not in plan.comments[0].plain_text()


def test_split_urls_finds_what_cite_numbers() -> None:
    from reporter.report.refs import Numbering

    for text in ("a <https://x.example/a b> c https://y.example/z.", "(https://q.example/(x))",
                 "no url here", "bare http:// alone", "<https://a.example/1>, https://a.example/1"):
        refs = Numbering()
        refs.cite(text)
        assert [url for _, url in split_urls(text) if url] == \
            [ref.url for ref in refs.take_new()] + \
            [url for url in ["https://a.example/1"] if text.count("https://a.example/1") == 2]
        assert "".join(piece for piece, _ in split_urls(text)).replace("<", "").replace(
            ">", "") == text.replace("<", "").replace(">", "")
    assert split_urls("x<https://x.example/a>y") == [
        ("x", None), ("https://x.example/a", "https://x.example/a"), ("y", None)]
    assert split_urls("") == []


def comment(*bullets: str) -> CardComment:
    plan = plan_writes(inputs(CardNotes("STR-1", notes=bullets)))
    return plan.comments[0]


def test_wiki_markup_escapes_what_jira_would_format_and_links_urls() -> None:
    body = wiki_body(comment(
        "Fixed *bold* _it_ -strike- +u+ ^s^ ~b~ ??c?? {code} [WIP] a|b !img! \\ x",
        "STR-76 and a follow-up stay as typed",
        "first\n# not a list\n- not a list\n\nafter a blank line",
        "link https://x.example/a_b-c?d=1|2"))
    assert body.split("\n") == [
        "Weekly report, week ending 2023-02-17:",
        "",
        "* Fixed \\*bold\\* \\_it\\_ \\-strike\\- \\+u\\+ \\^s\\^ \\~b\\~ \\?\\?c\\?\\? "
        "\\{code\\} \\[WIP\\] a\\|b \\!img\\! &#92; x",
        "* STR-76 and a follow-up stay as typed",
        "* first",
        "\\# not a list",
        "\\- not a list",
        "\\\\",
        "after a blank line",
        "* link [https://x.example/a_b-c?d=1%7C2]"]


def test_adf_is_a_document_of_paragraphs_lists_hard_breaks_and_link_marks() -> None:
    doc = adf_body(comment("one <https://x.example/1>\nsecond line\n\nnew paragraph"))
    assert doc == {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [
            {"type": "text", "text": "Weekly report, week ending 2023-02-17:"}]},
        {"type": "bulletList", "content": [{"type": "listItem", "content": [
            {"type": "paragraph", "content": [
                {"type": "text", "text": "one "},
                {"type": "text", "text": "https://x.example/1",
                 "marks": [{"type": "link", "attrs": {"href": "https://x.example/1"}}]},
                {"type": "hardBreak"},
                {"type": "text", "text": "second line"}]},
            {"type": "paragraph", "content": [{"type": "text", "text": "new paragraph"}]},
        ]}]}]}


def test_a_comment_reads_back_with_its_marker_first_from_both_forms() -> None:
    c = comment("Still *investigating* <https://x.example/a>", "second {bullet}")
    for text in (wiki_to_text(wiki_body(c)), adf_to_text(adf_body(c))):
        assert marked_week(text) == WEEK
        assert "investigating" in text and "https://x.example/a" in text
        assert "second {bullet}" in text


bullet_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                      min_size=1, max_size=60).filter(lambda t: t.strip() != "")


@settings(max_examples=200, deadline=None)
@given(st.lists(bullet_text, min_size=1, max_size=4))
def test_any_bullets_read_back_from_wiki_markup_with_their_words(bullets: list[str]) -> None:
    c = CardComment("STR-1", WEEK, tuple(CommentBullet(((Span(b.strip()),),)) for b in bullets))
    text = wiki_to_text(wiki_body(c)).replace("&#92;", "\\")  # Jira shows it as a backslash
    assert marked_week(text) == WEEK
    for b in bullets:  # every word survives: nothing was read as markup and dropped
        for word in b.split():
            assert word.lstrip("*#-") in text


def test_status_in_the_notes_is_one_line_naming_a_transition(tmp_path: Path) -> None:
    from reporter.config import load_config
    from reporter.errors import InputError
    from reporter.store.notes import load_week_notes
    from tests.conftest import write_config

    config = load_config(write_config(tmp_path))
    path = tmp_path / "data" / "weeks" / "2023-02-17.yaml"
    path.write_text("sections:\n  Stratos:\n    cards:\n      STR-68:\n"
                    "        status: '  Resolve Issue '\n        notes: [done]\n")
    notes = load_week_notes(config, WEEK)
    assert notes is not None
    assert notes.sections[0].cards == (CardNotes("STR-68", notes=("done",),
                                                 status="Resolve Issue"),)
    for bad in ("[Done]", "''", "3", "|\n          two\n          lines"):
        path.write_text("sections:\n  Stratos:\n    cards:\n      STR-68:\n"
                        f"        status: {bad}\n")
        with pytest.raises(InputError) as err:
            load_week_notes(config, WEEK)
        assert str(err.value).startswith(f"{path}:5: sections.Stratos.cards.STR-68.status: "
                                         "status is the name of a workflow transition")
