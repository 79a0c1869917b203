"""Properties of the rendered email that must hold for any notes (hypothesis)."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.config import Section
from reporter.model.cards import Card, JiraSnapshot
from reporter.model.notes import CardNotes, SectionNotes, WeekNotes
from reporter.report.compose import Inputs, compose
from reporter.report.layout import bullet, display_width
from reporter.report.render import render_body

WEEK = dt.date(2023, 2, 10)
SECTIONS = (Section("Stratos", ("STR", "LBO")), Section("U-Boot support", ("TS",)))

urls = st.builds(lambda host, path: f"https://{host}.example/{path}",
                 st.sampled_from(["a", "b", "c", "docs", "lore"]),
                 st.text("abcxyz0123/-_.?=", min_size=0, max_size=12).map(
                     lambda p: p.rstrip(".?")))
words = st.text("abcdefgh ijk,;()*-!'\"#é日", min_size=1, max_size=12)
pieces = st.one_of(words, urls.map(lambda u: f"<{u}>"), st.just("\n"), st.just("\n\n"),
                   st.just("   "), st.just("  \n"))
bullet_text = st.lists(pieces, min_size=1, max_size=12).map("".join).filter(
    lambda t: t.strip() != "")
summaries = st.one_of(st.none(), st.text("abc defghij klmnop 日本語-", min_size=1, max_size=120))


@st.composite
def week_notes(draw: st.DrawFn) -> tuple[WeekNotes, JiraSnapshot]:
    sections = []
    cards = []
    used: set[str] = set()
    for section in SECTIONS:
        card_notes = []
        for _ in range(draw(st.integers(0, 3))):
            key = f"{draw(st.sampled_from(section.projects))}-{draw(st.integers(1, 999))}"
            if key in used:
                continue
            used.add(key)
            card_notes.append(CardNotes(key, tuple(draw(st.lists(bullet_text, max_size=3))),
                                        tuple(draw(st.lists(urls, max_size=2)))))
            cards.append(Card(key, draw(summaries), "In Progress"))
        sections.append(SectionNotes(section.title,
                                     draw(st.one_of(st.none(), bullet_text)),
                                     tuple(card_notes),
                                     tuple(draw(st.lists(bullet_text, max_size=2)))))
    issues = tuple(draw(st.lists(bullet_text, max_size=2)))
    return WeekNotes(WEEK, tuple(sections), issues), JiraSnapshot("now", None, None,
                                                                   tuple(cards))


def render(notes: WeekNotes, jira: JiraSnapshot) -> str:
    return render_body(compose(Inputs(WEEK, SECTIONS, notes, jira=jira)).view)


@settings(max_examples=150, deadline=None)
@given(week_notes())
def test_no_line_ends_in_white_space(data: tuple[WeekNotes, JiraSnapshot]) -> None:
    body = render(*data)
    assert all(line == line.rstrip() for line in body.split("\n"))
    assert body.endswith("\n")


@settings(max_examples=150, deadline=None)
@given(week_notes())
def test_references_are_1_to_n_in_order_and_listed_once(
        data: tuple[WeekNotes, JiraSnapshot]) -> None:
    body = render(*data)
    listed = [int(n) for n in re.findall(r"^  \[(\d+)\] https?://\S+$", body, flags=re.M)]
    assert listed == list(range(1, len(listed) + 1))
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", re.sub(r"^  \[\d+\] https?://\S+$", "", body,
                                                                flags=re.M))]
    assert set(cited) <= set(listed)
    notes, _ = data
    standing = {url for s in notes.sections for c in s.cards for url in c.links}
    numbers = {int(n): url for n, url in re.findall(r"^  \[(\d+)\] (\S+)$", body, flags=re.M)}
    first_seen = [n for n in dict.fromkeys(cited) if numbers[n] not in standing]
    # Cited numbers first appear in increasing order (standing links fill gaps).
    assert first_seen == sorted(first_seen)


@settings(max_examples=150, deadline=None)
@given(week_notes())
def test_card_headers_fit_80_columns(data: tuple[WeekNotes, JiraSnapshot]) -> None:
    body = render(*data)
    for line in body.split("\n"):
        if re.match(r"^\[[A-Z]+-\d+\]( \(|$)", line):
            assert display_width(line) <= 80, line


@settings(max_examples=150, deadline=None)
@given(week_notes())
def test_the_engineers_text_survives_verbatim(data: tuple[WeekNotes, JiraSnapshot]) -> None:
    notes, jira = data
    body = render(notes, jira)
    numbers = {url: n for n, url in re.findall(r"^  \[(\d+)\] (\S+)$", body, flags=re.M)}

    def expected(text: str) -> str:
        return re.sub(r"<(https?://[^\s<>]+)>", lambda m: f"[{numbers[m.group(1)]}]", text)

    for section in notes.sections:
        for text in [*(t for c in section.cards for t in c.notes), *section.misc]:
            assert bullet(expected(text)) in body
        if section.note is not None:
            rendered = "\n".join(line.rstrip() for line in expected(section.note).split("\n"))
            assert rendered in body
