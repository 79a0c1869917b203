"""Rendering rules that must hold for any input (SPEC section 2)."""

from __future__ import annotations

import datetime as dt

from reporter.config import CalendarConfig, Section
from reporter.model.cards import Card, Comment, JiraSnapshot, RemoteLink
from reporter.model.notes import CardNotes, Event, SectionNotes, WeekNotes
from reporter.report.calendar import calendar_lines, window
from reporter.report.compose import Inputs, Stale, compose
from reporter.report.layout import card_header, display_width, wrap_generated
from reporter.report.render import render_body

WEEK = dt.date(2023, 2, 10)
SECTIONS = (Section("Stratos", ("STR", "LBO")), Section("U-Boot support", ("TS",)))


def render(notes: WeekNotes | None = None, **kwargs: object) -> str:
    inputs = Inputs(week_end=WEEK, sections=kwargs.pop("sections", SECTIONS),  # type: ignore[arg-type]
                    notes=notes, **kwargs)  # type: ignore[arg-type]
    return render_body(compose(inputs).view)


def week(*sections: SectionNotes, issues: tuple[str, ...] = ()) -> WeekNotes:
    return WeekNotes(WEEK, sections, issues)


def snap(*cards: Card) -> JiraSnapshot:
    return JiraSnapshot("2023-02-13T09:00:00+09:00", None, None, cards)


def test_a_long_summary_is_cut_at_a_word_with_dots() -> None:
    header = card_header("LBO-293", "Talk about the Stratos work on characterising the impact "
                         "of VMs on network latency")
    assert header == ("[LBO-293] (Talk about the Stratos work on characterising the impact of "
                      "VMs ...)")
    assert card_header("STR-1", "short") == "[STR-1] (short)"
    assert card_header("STR-1", None) == "[STR-1]"
    exact = "x" * (80 - len("[STR-1] ()"))
    assert card_header("STR-1", exact) == f"[STR-1] ({exact})"
    assert display_width(card_header("STR-1", exact + "y")) <= 80
    one_long_word = card_header("STR-1", "y" * 200)
    assert display_width(one_long_word) == 80 and one_long_word.endswith(" ...)")


def test_wide_characters_count_two_columns() -> None:
    header = card_header("STR-1", "日本語のタイトル " * 10)
    assert display_width(header) <= 80 and header.endswith(" ...)")


def test_a_summary_with_line_breaks_stays_on_one_line() -> None:
    assert card_header("STR-1", "evil\r\nBcc: x@evil\n") == "[STR-1] (evil Bcc: x@evil)"


def test_bullets_indentation_and_tight_lists() -> None:
    body = render(week(SectionNotes("Stratos", cards=(CardNotes("STR-1", notes=(
        "first\n  kept indent\nthird", "second bullet")),))))
    assert "[STR-1]\n* first\n    kept indent\n  third\n* second bullet\n" in body


def test_a_blank_line_in_any_bullet_makes_the_list_loose() -> None:
    body = render(week(SectionNotes("Stratos", cards=(CardNotes("STR-1", notes=(
        "para one\n\npara two", "second")),))))
    assert "* para one\n\n  para two\n\n* second\n" in body


def test_no_line_ends_in_a_space() -> None:
    body = render(week(SectionNotes("Stratos", note="note  ", cards=(CardNotes("STR-1", notes=(
        "trailing   \n   \nmore ",)),))))
    assert all(line == line.rstrip() for line in body.split("\n"))


def test_references_are_numbered_across_sections_and_shared() -> None:
    notes = week(
        SectionNotes("Stratos", cards=(
            CardNotes("STR-1", notes=("see<https://a.example/1>.", "and https://b.example/2")),
            CardNotes("STR-2", notes=("again <https://a.example/1>",),
                      links=("https://c.example/standing",)),
        )),
        SectionNotes("U-Boot support", misc=("misc https://d.example/4, then "
                                             "<https://b.example/2>",)),
    )
    body = render(notes)
    assert "* see[1].\n* and [2]\n" in body
    assert "* again [1]\n" in body
    assert "https://c.example/standing" not in body.split("  [1]")[0]
    assert ("  [1] https://a.example/1\n  [2] https://b.example/2\n"
            "  [3] https://c.example/standing\n") in body
    assert "(MISC)\n* misc [4], then [2]\n\n  [4] https://d.example/4\n" in body
    assert body.count("https://b.example/2") == 1


def test_misc_and_section_note_layout() -> None:
    body = render(week(SectionNotes("U-Boot support", note="No progress",
                                    cards=(CardNotes("TS-1", notes=("x",)),),
                                    misc=("m1", "m2"))))
    assert ("U-Boot support\n==============\nNo progress\n\n[TS-1]\n* x\n\n(MISC)\n* m1\n* m2\n"
            in body)


def test_no_notes_means_no_progress_and_jira_cards_follow_by_key() -> None:
    jira = snap(Card("STR-10", "ten", "To Do"), Card("STR-9", "nine", "To Do"),
                Card("STR-1", "one", "To Do"), Card("TS-5", "five", "Done"))
    body = render(week(SectionNotes("Stratos", cards=(CardNotes("STR-10"),))), jira=jira)
    assert body.startswith("Stratos\n=======\n[STR-10] (ten)\n* No progress\n\n[STR-1] (one)\n"
                           "* No progress\n\n[STR-9] (nine)\n* No progress\n\nU-Boot support\n"
                           "==============\n[TS-5] (five)\n* No progress\n")


def test_a_status_change_is_the_first_bullet() -> None:
    before = snap(Card("STR-1", "one", "In Progress"))
    now = snap(Card("STR-1", "one", "Done", "Done"))
    body = render(week(SectionNotes("Stratos", cards=(CardNotes("STR-1", notes=("did it",)),))),
                  jira=now, previous_jira=before)
    assert "[STR-1] (one)\n* Status: In Progress -> Done\n* did it\n" in body
    same = render(week(SectionNotes("Stratos", cards=(CardNotes("STR-1"),))), jira=now,
                  previous_jira=now)
    assert "Status:" not in same and "* No progress" in same


def test_comments_are_harvested_only_without_notes_and_wrapped() -> None:
    long = "word " * 40
    card = Card("STR-1", "one", "In Progress", comments=(
        Comment("1", "Me", "me", "2023-02-07T10:00:00+09:00", long.strip(), mine=True),
        Comment("2", "Alex", "alex", "2023-02-08T10:00:00+09:00", "looks good", mine=False),
    ))
    body = render(week(SectionNotes("Stratos", cards=(CardNotes("STR-1"),))), jira=snap(card))
    lines = body.split("\n")
    first = lines.index("[STR-1] (one)") + 1
    assert lines[first].startswith("* word word") and len(lines[first]) <= 80
    assert all(len(line) <= 80 for line in lines)
    assert "* Alex: looks good" in body
    with_notes = render(week(SectionNotes("Stratos", cards=(CardNotes("STR-1", ("mine",)),))),
                        jira=snap(card))
    assert "looks good" not in with_notes and "* mine\n" in with_notes


def test_remote_links_are_standing_links_when_configured() -> None:
    card = Card("STR-1", "one", remote_links=(RemoteLink("https://wiki.example/page", "Page"),))
    notes = week(SectionNotes("Stratos", cards=(CardNotes("STR-1", ("x <https://a.example>",)),)))
    assert "  [2] https://wiki.example/page" in render(notes, jira=snap(card),
                                                        standing_remote_links=True)
    assert "wiki.example" not in render(notes, jira=snap(card))


def test_an_earlier_summary_is_used_for_a_card_jira_dropped() -> None:
    compose_result = compose(Inputs(WEEK, SECTIONS, week(SectionNotes("Stratos", cards=(
        CardNotes("STR-7"), CardNotes("STR-8")))), known_summaries={"STR-7": "seven"}))
    body = render_body(compose_result.view)
    assert "[STR-7] (seven)\n" in body and "[STR-8]\n" in body
    assert len(compose_result.warnings) == 1 and "STR-8" in compose_result.warnings[0]


def test_trailer_sections_and_two_blank_lines() -> None:
    body = render(week(SectionNotes("Stratos", cards=(CardNotes("STR-1", ("x",)),)),
                       issues=("need hardware <https://shop.example/card>",)),
                  patch_entries=("[PATCH v2 0/3] efi: fix <https://lore.example/msg>",),
                  calendar=("Feb 23: Holiday (public holiday)",))
    assert "[STR-1]\n* x\n\nU-Boot support\n==============\n\n\n=== Patch status ===\n" in body
    assert ("=== Patch status ===\n* [PATCH v2 0/3] efi: fix [1]\n\n  [1] https://lore.example/msg"
            "\n\n=== Issues ===\n* need hardware [2]\n\n  [2] https://shop.example/card\n\n"
            "=== Travel&Holiday&Event ===\nFeb 23: Holiday (public holiday)\n") in body


def test_stale_sources_are_said_in_the_issues() -> None:
    body = render(week(), stale=(Stale("jira", "2023-02-06T09:00:00+09:00"),))
    assert "* The jira data in this report is stale as of 2023-02-06T09:00:00+09:00" in body


def test_calendar_weekday_holidays_and_event_ranges() -> None:
    events = (Event(dt.date(2023, 2, 24), dt.date(2023, 2, 24), "My birthday"),
              Event(dt.date(2023, 2, 20), dt.date(2023, 3, 3), "Trip"),
              Event(dt.date(2023, 3, 6), dt.date(2023, 3, 10), "Too late"),
              Event(dt.date(2023, 2, 1), dt.date(2023, 2, 12), "Already over"))
    lines = calendar_lines(CalendarConfig("JP", None, 14), WEEK, events)
    assert lines == ("Feb 20-Mar 3: Trip", "Feb 23: Emperor's Birthday (public holiday)",
                     "Feb 24: My birthday")
    assert window(WEEK, 14) == (dt.date(2023, 2, 13), dt.date(2023, 2, 26))
    # Weekend holidays are left out: New Year's Day 2023 was a Sunday.
    new_year = calendar_lines(CalendarConfig("JP", None, 14), dt.date(2022, 12, 23), ())
    assert all(not line.startswith("Jan 1:") for line in new_year)
    assert "Jan 2: " in "\n".join(new_year)  # the substitute holiday, a Monday
    assert calendar_lines(CalendarConfig(None, None, 14), WEEK, ()) == ()
    assert calendar_lines(CalendarConfig(None, None, 30), WEEK, events)[-1] == "Mar 6-10: Too late"


def test_generated_text_wraps_under_the_bullet() -> None:
    text = wrap_generated("alpha " * 30 + "https://x.example/" + "y" * 100)
    assert all(len(line) <= 78 or "https://" in line for line in text.split("\n"))
