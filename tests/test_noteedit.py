"""reporter.store.noteedit: one bullet in, every other byte of the engineer's file kept."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.store.noteedit import EditError, append_bullet

# A file written by hand: comments everywhere, mixed quoting, flow and block styles, a
# literal block, blank lines, a long line and an indentless list.
HAND_WRITTEN = """\
# My notes -- do not reformat me!
sections:
  Stratos:   # the big one
    cards:
      # first the card I care about
      STR-68:
        - 'No update on results <https://docs.google.com/presentation/d/10iN/edit?usp=sharing>'
        - "double \\"quoted\\" bullet"   # trailing comment
      STR-76:
        links: [https://example.org/a, 'https://example.org/b']
        notes:
          - |
            Still continued to investigate a big latency observed  in a long-run
              with indentation kept

          - >-
            folded text
            over lines

      LBO-293: []     # nothing yet
      STR-41:
      STR-66: {links: [https://example.org/c]}

  U-Boot support:
    note: "No progress"
    cards: {TS-219: [one, two]}
issues:
- indentless item
# a comment at the end
"""


def inserted(old: str, new: str) -> str:
    """The text inserted, asserting that `new` is `old` with one run of text added."""
    prefix = 0
    while prefix < len(old) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < len(old) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    assert prefix + suffix == len(old), "more than one insertion, or something removed"
    return new[prefix:len(new) - suffix]


def test_appends_under_a_block_list_at_its_indentation() -> None:
    new = append_bullet(HAND_WRITTEN, ("sections", "Stratos", "cards", "STR-68"), "third")
    anchor = '        - "double \\"quoted\\" bullet"   # trailing comment\n'
    assert new == HAND_WRITTEN.replace(anchor, anchor + "        - third\n")
    assert yaml.safe_load(new)["sections"]["Stratos"]["cards"]["STR-68"][-1] == "third"


def test_appends_to_a_cards_notes_after_blank_lines_and_folded_text() -> None:
    new = append_bullet(HAND_WRITTEN, ("sections", "Stratos", "cards", "STR-76"),
                        "line one\n  indented two")
    anchor = "            over lines\n\n"
    assert new == HAND_WRITTEN.replace(anchor, anchor + "          - |\n            line one\n"
                                       "              indented two\n")
    notes = yaml.safe_load(new)["sections"]["Stratos"]["cards"]["STR-76"]["notes"]
    assert notes[-1] == "line one\n  indented two\n"
    assert notes[1] == "folded text over lines"


def test_an_empty_flow_list_becomes_a_block_and_its_comment_stays() -> None:
    new = append_bullet(HAND_WRITTEN, ("sections", "Stratos", "cards", "LBO-293"), "started")
    assert "      LBO-293:     # nothing yet\n        - started\n      STR-41:\n" in new
    assert new.replace("LBO-293:     # nothing yet\n        - started\n",
                       "LBO-293: []     # nothing yet\n") == HAND_WRITTEN


def test_a_bare_key_gets_its_list() -> None:
    new = append_bullet(HAND_WRITTEN, ("sections", "Stratos", "cards", "STR-41"), "x: y")
    assert inserted(HAND_WRITTEN, new).strip() == "- 'x: y'"
    assert yaml.safe_load(new)["sections"]["Stratos"]["cards"]["STR-41"] == ["x: y"]


def test_a_flow_mapping_card_gets_notes_inside_its_braces() -> None:
    new = append_bullet(HAND_WRITTEN, ("sections", "Stratos", "cards", "STR-66"), "n1")
    assert inserted(HAND_WRITTEN, new) == ", notes: [n1]"


def test_a_flow_list_gets_the_bullet_before_its_bracket() -> None:
    new = append_bullet(HAND_WRITTEN, ("sections", "U-Boot support", "cards", "TS-219"),
                        "three, with a comma")
    assert inserted(HAND_WRITTEN, new) == ", 'three, with a comma'"


def test_a_card_new_to_a_flow_mapping() -> None:
    new = append_bullet(HAND_WRITTEN, ("sections", "U-Boot support", "cards", "TS-300"), "n")
    assert inserted(HAND_WRITTEN, new) == ", TS-300: [n]"


def test_a_new_card_goes_after_the_last_card_before_the_blank_line() -> None:
    new = append_bullet(HAND_WRITTEN, ("sections", "Stratos", "cards", "STR-99"), "new card")
    assert inserted(HAND_WRITTEN, new) == "      STR-99:\n        - new card\n"
    cards = list(yaml.safe_load(new)["sections"]["Stratos"]["cards"])
    assert cards[-1] == "STR-99"


def test_a_missing_misc_list_is_added_to_its_section() -> None:
    new = append_bullet(HAND_WRITTEN, ("sections", "U-Boot support", "misc"), "misc")
    assert inserted(HAND_WRITTEN, new) == "    misc:\n      - misc\n"


def test_indentless_lists_stay_indentless() -> None:
    new = append_bullet(HAND_WRITTEN, ("issues",), "#not a comment")
    assert inserted(HAND_WRITTEN, new) == "- '#not a comment'\n"


def test_a_section_missing_from_the_file_is_added() -> None:
    text = "sections:\n  Stratos:\n    cards:\n      STR-1: [a]\n"
    new = append_bullet(text, ("sections", "U-Boot support", "cards", "TS-1"), "b")
    assert inserted(text, new) == "  U-Boot support:\n    cards:\n      TS-1:\n        - b\n"


def test_an_empty_file_and_a_file_without_final_newline() -> None:
    assert append_bullet("", ("issues",), "x") == "issues:\n  - x\n"
    assert append_bullet("# c\n", ("issues",), "x") == "# c\nissues:\n  - x\n"
    assert append_bullet("issues:\n- a", ("issues",), "b") == "issues:\n- a\n- b\n"


def test_windows_line_ends_are_kept() -> None:
    text = "issues:\r\n  - a\r\n"
    new = append_bullet(text, ("issues",), "b\nc")
    assert new == "issues:\r\n  - a\r\n  - |\r\n    b\r\n    c\r\n"
    assert yaml.safe_load(new) == {"issues": ["a", "b\nc\n"]}


def test_text_yaml_would_read_as_something_else_is_quoted() -> None:
    for text in ("yes", "123", "null", "- dash", "[x]", "a: b", "{x}", "@at", "it's", " lead"):
        new = append_bullet("issues: []\n", ("issues",), text)
        assert yaml.safe_load(new) == {"issues": [text]}, new


def test_a_scalar_where_a_list_belongs_is_refused() -> None:
    with pytest.raises(EditError):
        append_bullet("sections:\n  S:\n    cards:\n      STR-1: text\n",
                      ("sections", "S", "cards", "STR-1"), "x")
    with pytest.raises(EditError):
        append_bullet("- a list\n", ("issues",), "x")


# Any text a user may type, over several lines, with YAML's special characters.
bullet_text = st.text(
    alphabet=st.sampled_from(list("ab yz09:#-'\"[]{},&*!|>%@`?\\\t") + ["\n", "é", "日"]),
    min_size=1, max_size=40,
).map(lambda s: "\n".join(line.rstrip() for line in s.split("\n")).strip("\n")).filter(
    lambda s: s.strip() != "")

TARGETS = [
    ("sections", "Stratos", "cards", "STR-68"),
    ("sections", "Stratos", "cards", "STR-76"),
    ("sections", "Stratos", "cards", "LBO-293"),
    ("sections", "Stratos", "cards", "STR-66"),
    ("sections", "Stratos", "cards", "STR-500"),
    ("sections", "U-Boot support", "cards", "TS-219"),
    ("sections", "U-Boot support", "misc"),
    ("issues",),
]


@settings(max_examples=150, deadline=None)
@given(text=bullet_text, target=st.sampled_from(TARGETS))
def test_any_text_reads_back_and_the_rest_is_unchanged(text: str, target: tuple[str, ...]
                                                       ) -> None:
    new = append_bullet(HAND_WRITTEN, target, text)
    data = yaml.safe_load(new)
    node = data
    for key in target:
        node = node[key]
    if isinstance(node, dict):
        node = node["notes"]
    assert node[-1].rstrip("\n") == text
    # Everything else is byte for byte: only LBO-293's `[]` may go (it becomes a block).
    if target[-1] == "LBO-293":
        new = new.replace("LBO-293:     #", "LBO-293: []     #", 1)
    inserted(HAND_WRITTEN, new)
