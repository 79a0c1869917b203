"""Comment bodies to plain text: wiki markup (REST v2) and ADF (REST v3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.sources.jira.text import adf_to_text, tidy, wiki_to_text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "jira"


def _clean(text: str) -> None:
    assert all(line == line.rstrip() for line in text.split("\n")), "trailing spaces"
    assert "\n\n\n" not in text
    assert not any(ord(c) < 32 and c != "\n" for c in text), "control characters"


def test_adf_document_becomes_the_expected_plain_text() -> None:
    doc = json.loads((FIXTURES / "adf-comment.json").read_text(encoding="utf-8"))
    expected = (FIXTURES / "adf-comment.txt").read_text(encoding="utf-8").rstrip("\n")
    assert adf_to_text(doc) == expected


def test_wiki_markup_becomes_the_expected_plain_text() -> None:
    markup = (FIXTURES / "wiki-comment.txt").read_text(encoding="utf-8")
    expected = (FIXTURES / "wiki-comment.expected.txt").read_text(encoding="utf-8")
    assert wiki_to_text(markup) == expected.rstrip("\n")


def test_wiki_links_take_the_form_the_notes_use() -> None:
    assert wiki_to_text("see [the log|https://x.org/a_b_c]") == "see the log <https://x.org/a_b_c>"
    assert wiki_to_text("[https://x.org/a]") == "https://x.org/a"
    assert wiki_to_text("mail [me|mailto:a@b.org]") == "mail me <a@b.org>"
    # Underscores and stars inside URLs are not emphasis.
    assert wiki_to_text("https://x.org/_a_/*b*") == "https://x.org/_a_/*b*"


def test_wiki_keeps_code_verbatim_and_unescapes() -> None:
    assert wiki_to_text("{noformat}*a*  _b_{noformat}") == "*a*  _b_"
    assert wiki_to_text(r"a \* b \[c\]") == "a * b [c]"


def test_adf_link_whose_text_is_the_url_is_shown_once() -> None:
    doc = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
        {"type": "text", "text": "https://x.org/", "marks": [
            {"type": "link", "attrs": {"href": "https://x.org/"}}]}]}]}
    assert adf_to_text(doc) == "https://x.org/"


def test_adf_of_an_unknown_shape_gives_no_text_rather_than_failing() -> None:
    assert adf_to_text("not a document") == ""
    assert adf_to_text({"type": "doc", "content": "oops"}) == ""
    assert adf_to_text({"type": "doc", "content": [{"type": "futureNode", "content": [
        {"type": "text", "text": "kept"}]}]}) == "kept"


def test_tidy_removes_controls_and_trailing_space_and_extra_blank_lines() -> None:
    assert tidy("a \t\r\n\n\n\nb\x1b[31m\u202e ") == "a\n\nb[31m"


_adf_node: st.SearchStrategy[Any] = st.recursive(
    st.fixed_dictionaries({"type": st.just("text"), "text": st.text(max_size=20)}),
    lambda children: st.fixed_dictionaries({
        "type": st.sampled_from(["paragraph", "bulletList", "orderedList", "listItem",
                                 "blockquote", "codeBlock", "table", "tableRow", "tableCell",
                                 "heading", "panel", "expand", "mention", "hardBreak",
                                 "emoji", "status", "date", "weird"]),
        "content": st.lists(children, max_size=4),
        "attrs": st.dictionaries(st.sampled_from(["text", "url", "timestamp", "order",
                                                  "title"]),
                                 st.one_of(st.text(max_size=10), st.integers(), st.none()),
                                 max_size=2),
    }),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_adf_node, max_size=5))
def test_any_adf_tree_gives_clean_text(content: list[Any]) -> None:
    _clean(adf_to_text({"type": "doc", "version": 1, "content": content}))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab _*-#|[]{}!\\\n\t:/h1.~^+?x")), max_size=120)
       | st.text(max_size=120))
def test_any_wiki_text_gives_clean_text(markup: str) -> None:
    _clean(wiki_to_text(markup))
