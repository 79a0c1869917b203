"""The tracker end to end: draft, note, a status change, preview, the next draft."""

from __future__ import annotations

import os
import sys
import textwrap

import yaml

from reporter.config import Section
from reporter.model.cards import JiraSnapshot
from reporter.model.notes import CardNotes, SectionNotes, WeekNotes
from reporter.store.notes import load_week_notes
from reporter.tracker.carry import Dropped, carry_forward
from tests.tracker_helpers import (
    W1,
    W2,
    W3,
    W4,
    card,
    during,
    make_setup,
    monday_after,
    run,
    write_jira,
    write_ledger,
)

SECTIONS = (Section("Stratos", ("STR", "LBO")), Section("U-Boot support", ("TS",)))


def test_carry_forward_keeps_open_cards_in_order_and_drops_closed_ones() -> None:
    previous = WeekNotes(W1, (
        SectionNotes("Stratos", note="A note", cards=(
            CardNotes("STR-9", notes=("done this week",)),
            CardNotes("STR-2", notes=("x",), links=("https://example.org/s",)),
            CardNotes("LBO-1"),
        ), misc=("misc of last week",)),
    ), issues=("an issue",))
    known = {"STR-9": card("STR-9", "In Progress"), "STR-2": card("STR-2", "Done")}
    current = JiraSnapshot(
        pulled_at="2023-02-13T09:00:00+09:00", server=None, jql=None,
        cards=(card("STR-9", "In Progress"), card("STR-10", "To Do"), card("TS-5", "Open"),
               card("STR-11", "Done"), card("XYZ-1", "Open")))
    draft = carry_forward(W2, SECTIONS, previous, known, current)
    assert [(s.title, s.note, [c.key for c in s.cards]) for s in draft.sections] == [
        ("Stratos", "A note", ["STR-9", "LBO-1", "STR-10"]),
        ("U-Boot support", None, ["TS-5"]),
    ]
    assert draft.dropped == (Dropped("STR-2", "Done"),)
    assert draft.added == ("STR-10", "TS-5")
    assert draft.issues == ("an issue",)
    assert draft.source_week == W1


def test_carry_forward_keeps_standing_links_and_cards_no_snapshot_knows() -> None:
    previous = WeekNotes(W1, (SectionNotes("Stratos", cards=(
        CardNotes("STR-2", links=("https://example.org/s",)),)),))
    draft = carry_forward(W2, SECTIONS, previous, {}, None)
    assert draft.sections[0].cards[0].links == ("https://example.org/s",)
    assert draft.dropped == () and draft.added == ()


def test_the_weeks_go_round(tmp_path, capsys) -> None:
    """draft -> note -> a snapshot with a status change -> preview -> the next draft."""
    setup = make_setup(tmp_path)
    write_jira(setup, W1, card("STR-1", "In Progress", "Break down the latency"),
               card("STR-2", "In Progress", "Network latency with VMs"),
               card("TS-7", "To Do", "Device path for USB"))

    # Week 2 starts from nothing but the configuration and the Jira snapshot.
    r = run(capsys, setup, "draft", now=during(W2))
    assert (r.status, r.out, r.err) == (0, f"{setup.notes(W2)}\n", "")
    first = setup.notes(W2).read_text()
    assert first.startswith("# Notes for the week ending 2023-02-10 (Sat Feb 4 to Fri Feb 10),")
    assert yaml.safe_load(first) == {
        "sections": {"Stratos": {"cards": {"STR-1": [], "STR-2": []}, "misc": []},
                     "U-Boot support": {"cards": {"TS-7": []}, "misc": []}},
        "issues": [],
    }

    # Notes during the week, each command editing the file in place.
    assert run(capsys, setup, "note", "STR-1", "Found the spike <https://example.org/trace>",
               now=during(W2)).status == 0
    assert run(capsys, setup, "note", "STR-2", "Measured again", now=during(W2)).status == 0
    assert run(capsys, setup, "note", "--issue", "Need a PCIe card", now=during(W2)).status == 0
    assert run(capsys, setup, "note", "--misc", "U-Boot support", "Reviewed a series",
               now=during(W2)).status == 0
    notes = load_week_notes(_config(setup), W2)
    assert notes is not None
    assert notes.section("Stratos").cards[0].notes == (  # type: ignore[union-attr]
        "Found the spike <https://example.org/trace>",)
    assert notes.issues == ("Need a PCIe card",)
    assert notes.section("U-Boot support").misc == ("Reviewed a series",)  # type: ignore[union-attr]

    # Jira closes STR-2 during week 2; a pull stores the change.
    write_jira(setup, W2, card("STR-1", "In Progress", "Break down the latency"),
               card("STR-2", "Done", "Network latency with VMs"),
               card("TS-7", "To Do", "Device path for USB"),
               card("LBO-9", "To Do", "Write the blog post"))
    r = run(capsys, setup, "preview", "--offline", "--week", str(W2), now=monday_after(W2))
    assert r.status == 0, r.err
    assert textwrap.dedent("""\
        [STR-2] (Network latency with VMs)
        * Status: In Progress -> Done
        * Measured again
        """) in r.out
    assert "[STR-1] (Break down the latency)\n* Found the spike [1]\n" in r.out
    assert "[LBO-9] (Write the blog post)\n* No progress\n" in r.out
    write_ledger(setup, W2, "sent")

    # Week 3: STR-2 is dropped, LBO-9 joins, the issue stays, the bullets go.
    r = run(capsys, setup, "draft", now=monday_after(W2))
    assert (r.status, r.out) == (0, f"{setup.notes(W3)}\n")
    assert yaml.safe_load(setup.notes(W3).read_text()) == {
        "sections": {"Stratos": {"cards": {"STR-1": [], "LBO-9": []}, "misc": []},
                     "U-Boot support": {"cards": {"TS-7": []}, "misc": []}},
        "issues": ["Need a PCIe card"],
    }
    assert "# Closed in Jira and dropped: STR-2 (Done).\n# New in Jira: LBO-9.\n" in \
        setup.notes(W3).read_text()

    # Week 3's pull no longer returns STR-2 (Jira's query drops closed cards): the email
    # showed the change once and STR-2 is gone now.
    write_jira(setup, W3, card("STR-1", "Done", "Break down the latency"),
               card("TS-7", "To Do", "Device path for USB"),
               card("LBO-9", "In Progress", "Write the blog post"))
    r = run(capsys, setup, "preview", "--offline", "--week", str(W3), now=monday_after(W3))
    assert r.status == 0, r.err
    assert "STR-2" not in r.out
    assert "[STR-1] (Break down the latency)\n* Status: In Progress -> Done\n\n" in r.out
    assert "[LBO-9] (Write the blog post)\n* Status: To Do -> In Progress\n" in r.out
    assert "=== Issues ===\n* Need a PCIe card\n" in r.out

    # Week 4 carries on from week 3 and drops STR-1, closed in week 3.
    r = run(capsys, setup, "draft", now=monday_after(W3))
    assert r.status == 0
    assert list(yaml.safe_load(setup.notes(W4).read_text())["sections"]["Stratos"]["cards"]) \
        == ["LBO-9"]


def test_draft_keeps_section_notes_links_and_skips_weeks_without_notes(tmp_path, capsys
                                                                      ) -> None:
    setup = make_setup(tmp_path)
    setup.notes(W1).parent.mkdir(parents=True)
    setup.notes(W1).write_text(textwrap.dedent("""\
        sections:
          U-Boot support:
            note: |
              No progress,
              see below
            cards:
              TS-219:
                links: [https://lists.denx.de/pipermail/u-boot/2022-May/483962.html]
                notes: [one]
            misc: [a misc bullet]
        issues:
          - |
            An issue
            of two lines
        """))
    # No notes for W2 (a holiday): W3 is drafted from W1.
    r = run(capsys, setup, "draft", "--week", str(W3), now=monday_after(W2))
    assert r.status == 0
    text = setup.notes(W3).read_text()
    assert "# carried forward from the week ending 2023-02-03 by `reporter draft`." in text
    assert text.endswith(textwrap.dedent("""\
        sections:
          Stratos:
            cards: {}
            misc: []
          U-Boot support:
            note: |
              No progress,
              see below
            cards:
              TS-219:
                links:
                  - https://lists.denx.de/pipermail/u-boot/2022-May/483962.html
                notes: []
            misc: []
        issues:
          - |
            An issue
            of two lines
        """))
    notes = load_week_notes(_config(setup), W3)
    assert notes is not None and notes.issues == ("An issue\nof two lines",)


def test_draft_never_overwrites_and_still_prints_the_path(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path)
    assert run(capsys, setup, "draft", now=during(W2)).status == 0
    assert run(capsys, setup, "note", "STR-1", "precious", now=during(W2)).status == 0
    before = setup.notes(W2).read_bytes()
    r = run(capsys, setup, "draft", now=during(W2))
    assert (r.status, r.out) == (0, f"{setup.notes(W2)}\n")
    assert setup.notes(W2).read_bytes() == before


def test_draft_edit_runs_the_editor_without_a_shell(tmp_path, capsys, monkeypatch) -> None:
    setup = make_setup(tmp_path)
    editor = tmp_path / "my editor.py"
    editor.write_text(textwrap.dedent("""\
        import sys
        with open(sys.argv[-1], "a", encoding="utf-8") as fh:
            fh.write("# edited with " + sys.argv[1] + "\\n")
        """))
    monkeypatch.setenv("EDITOR", f"{sys.executable} '{editor}' 'two words'")
    r = run(capsys, setup, "draft", "--edit", now=during(W2))
    assert r.status == 0
    assert setup.notes(W2).read_text().endswith("issues: []\n# edited with two words\n")
    # On an existing file too: `draft --edit` is "open this week's notes".
    r = run(capsys, setup, "draft", "--edit", now=during(W2))
    assert r.status == 0
    assert setup.notes(W2).read_text().count("# edited with two words") == 2


def test_draft_edit_reports_a_broken_edit_and_a_failing_editor(tmp_path, capsys,
                                                              monkeypatch) -> None:
    setup = make_setup(tmp_path)
    breaker = tmp_path / "breaker.py"
    breaker.write_text("import sys\nopen(sys.argv[-1], 'a').write('Nope: {}\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {breaker}")
    r = run(capsys, setup, "draft", "--edit", now=during(W2))
    assert r.status == 2
    assert f"{setup.notes(W2)}:" in r.err and "unknown key" in r.err
    assert setup.notes(W2).read_text().endswith("Nope: {}\n")  # the user's edit is kept

    monkeypatch.setenv("EDITOR", f"{sys.executable} -c 'raise SystemExit(3)'")
    r = run(capsys, setup, "draft", "--week", str(W1), "--edit", now=during(W2))
    assert r.status == 2 and "exited with status 3" in r.err
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    r = run(capsys, setup, "draft", "--week", str(W1), "--edit", now=during(W2))
    assert r.status == 2 and "cannot run" in r.err
    # Neither $VISUAL nor $EDITOR: vi, as git does; $VISUAL wins over $EDITOR.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("vi", "visual-editor"):
        script = bin_dir / name
        script.write_text(f"#!{sys.executable}\nimport sys\n"
                          f"open(sys.argv[-1], 'a').write('# {name}\\n')\n")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("EDITOR")
    monkeypatch.delenv("VISUAL", raising=False)
    r = run(capsys, setup, "draft", "--week", str(W1), "--edit", now=during(W2))
    assert r.status == 0 and setup.notes(W1).read_text().endswith("# vi\n")
    monkeypatch.setenv("VISUAL", "visual-editor")
    monkeypatch.setenv("EDITOR", "false")
    r = run(capsys, setup, "draft", "--week", str(W1), "--edit", now=during(W2))
    assert r.status == 0 and setup.notes(W1).read_text().endswith("# vi\n# visual-editor\n")


def _config(setup):  # type: ignore[no-untyped-def]
    from reporter.config import load_config

    return load_config(setup.config)
