"""`reporter note`: one bullet added, the rest of the engineer's file kept byte for byte."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap

import pytest

from tests.tracker_helpers import (
    W2,
    W3,
    card,
    during,
    make_setup,
    run,
    tree_bytes,
    write_jira,
    write_ledger,
)

# Comments, blank lines, quoting and flow style as an engineer may leave them.
NOTES = """\
# Week 6 -- written by hand
sections:
  Stratos:
    cards:
      STR-68:   # the VM card
        - "No update on results <https://docs.google.com/presentation/d/10iN/edit>"

      STR-76:
        links: [https://docs.google.com/presentation/d/1UFV/edit]
        notes:
          - |
            Still continued to investigate a big latency observed  in a long-run
            (currently 5 minutes) measurement.
      STR-41: []  # todo
  U-Boot support:
    note: No progress
    cards:
      TS-219:
      - 'The follow-up patch<https://lists.denx.de/pipermail/u-boot/2022-May/483962.html>'
issues: [I still need a PCIE card]   # flow style
"""


@pytest.fixture
def week(tmp_path):  # type: ignore[no-untyped-def]
    setup = make_setup(tmp_path)
    setup.notes(W2).parent.mkdir(parents=True)
    setup.notes(W2).write_bytes(NOTES.encode())
    return setup


def note(capsys, setup, *argv: str):  # type: ignore[no-untyped-def]
    return run(capsys, setup, "note", *argv, now=during(W2))


def test_a_bullet_goes_under_the_card_and_nothing_else_moves(week, capsys) -> None:
    r = note(capsys, week, "STR-76", "Tried SCHED_FIFO for ksoftirqd: the spikes are gone.")
    assert (r.status, r.err) == (0, "")
    assert r.out == f"{week.notes(W2)}: added a bullet to STR-76 (Stratos)\n"
    anchor = "            (currently 5 minutes) measurement.\n"
    assert week.notes(W2).read_bytes() == NOTES.replace(anchor, anchor + (
        "          - 'Tried SCHED_FIFO for ksoftirqd: the spikes are gone.'\n")).encode()


def test_each_kind_of_target_keeps_the_rest_byte_for_byte(week, capsys) -> None:
    steps = [
        (("STR-68", "second"), ('/10iN/edit>"\n', '/10iN/edit>"\n        - second\n')),
        (("str-41", "lower-case key"), ("      STR-41: []  # todo\n",
                                        "      STR-41:  # todo\n        - lower-case key\n")),
        (("TS-219", "indentless"), ("483962.html>'\n", "483962.html>'\n      - indentless\n")),
        (("TS-300", "a new card"), ("483962.html>'\n      - indentless\n",
                                    "483962.html>'\n      - indentless\n      TS-300:\n"
                                    "        - a new card\n")),  # the file's usual indent
        (("--misc", "Stratos", "a misc", "bullet"), ("      STR-41:  # todo\n"
                                                     "        - lower-case key\n",
                                                     "      STR-41:  # todo\n"
                                                     "        - lower-case key\n"
                                                     "    misc:\n      - a misc bullet\n")),
        (("--issue", "Another issue"), ("[I still need a PCIE card]",
                                         "[I still need a PCIE card, Another issue]")),
    ]
    expected = NOTES
    for argv, (old, new) in steps:
        assert old in expected
        expected = expected.replace(old, new, 1)
        r = note(capsys, week, *argv)
        assert r.status == 0, r.err
        assert week.notes(W2).read_text() == expected, argv


def test_text_from_stdin_keeps_its_lines(week, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("First line   \n  indented\n\nlast\n\n"))
    assert note(capsys, week, "STR-41", "-").status == 0
    assert "      STR-41:  # todo\n        - |\n          First line\n            indented\n" \
           "\n          last\n  U-Boot support:\n" in week.notes(W2).read_text()


def test_a_missing_week_file_is_drafted_first(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path)
    write_jira(setup, W2, card("STR-5", "In Progress"))
    r = run(capsys, setup, "note", "--week", str(W3), "STR-5", "hello", now=during(W2))
    assert r.status == 0
    text = setup.notes(W3).read_text()
    assert text.startswith("# Notes for the week ending 2023-02-17")
    assert "    cards:\n      STR-5:\n        - hello\n    misc: []\n" in text


@pytest.mark.parametrize(("argv", "message"), [
    (("XYZ-1", "text"), "XYZ-1 fits no configured section (projects: STR, LBO, TS)"),
    (("not-a-key", "text"), "'NOT-A-KEY' is not a card key"),
    (("--misc", "Nowhere", "text"), "section 'Nowhere' is not configured"),
    (("STR-1",), "no text to add"),
    (("STR-1", "   "), "no text to add"),
    (("--issue", "--misc", "Stratos", "x"), "--issue and --misc go separately"),
    ((), "which card?"),
])
def test_bad_usage_exits_2_and_changes_nothing(week, capsys, argv, message) -> None:
    before = tree_bytes(week.root)
    r = note(capsys, week, *argv)
    assert r.status == 2 and r.out == ""
    assert message in r.err
    assert tree_bytes(week.root) == before


BAD_FILES = {
    "a card named twice": (textwrap.dedent("""\
        sections:
          Stratos:
            cards:
              STR-1: [a]
          U-Boot support:
            cards:
              STR-1: [b]
        """), ":7: sections.U-Boot support.cards.STR-1: card STR-1 is named twice"),
    "a section not configured": ("sections:\n  Xen:\n    cards: {}\n",
                                 ":2: sections.Xen: section 'Xen' is not configured"),
    "malformed YAML": ("sections:\n  Stratos: [\n", "malformed YAML"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
@pytest.mark.parametrize("argv", [
    ("note", "STR-1", "x"), ("note", "--issue", "x"), ("draft",), ("draft", "--week", str(W3)),
    ("history", "STR-1"), ("status",),
])
def test_a_bad_notes_file_stops_every_command(tmp_path, capsys, case, argv) -> None:
    setup = make_setup(tmp_path)
    text, message = BAD_FILES[case]
    setup.notes(W2).parent.mkdir(parents=True)
    setup.notes(W2).write_text(text)
    before = tree_bytes(setup.root)
    r = run(capsys, setup, *argv, now=during(W2))
    assert r.status == 2, r
    assert r.out == ""
    assert f"{setup.notes(W2)}" in r.err and message in r.err
    assert r.err.count("\n") == 1  # one clear message
    assert tree_bytes(setup.root) == before


@pytest.mark.parametrize("argv", [
    ("note", "STR-1", "x"), ("draft",), ("history", "STR-1"), ("status",),
])
def test_a_week_file_dated_off_a_week_end_stops_every_command(tmp_path, capsys, argv) -> None:
    setup = make_setup(tmp_path)
    wednesday = setup.data / "weeks" / "2023-02-08.yaml"
    wednesday.parent.mkdir(parents=True)
    wednesday.write_text("issues: [x]\n")
    before = tree_bytes(setup.root)
    r = run(capsys, setup, *argv, now=during(W3))
    assert r.status == 2 and r.out == ""
    assert "2023-02-08.yaml: 2023-02-08 is a Wednesday, not the last day of a week" in r.err
    assert tree_bytes(setup.root) == before


def test_the_files_mode_is_kept_and_a_bom_too(week, capsys) -> None:
    week.notes(W2).chmod(0o640)
    week.notes(W2).write_bytes(b"\xef\xbb\xbf" + NOTES.encode())
    assert note(capsys, week, "--issue", "x").status == 0
    assert week.notes(W2).stat().st_mode & 0o777 == 0o640
    assert week.notes(W2).read_bytes() == b"\xef\xbb\xbf" + NOTES.replace(
        "[I still need a PCIE card]", "[I still need a PCIE card, x]").encode()


def test_a_note_for_a_week_already_sent_says_so(week, capsys) -> None:
    write_ledger(week, W2, "sent")
    r = note(capsys, week, "STR-68", "late")
    assert r.status == 0
    assert "the week ending 2023-02-10 was already sent" in r.err


def test_a_symlinked_notes_file_gets_the_bullet_in_its_target(week, capsys) -> None:
    # The engineer keeps the real file elsewhere (a dotfiles repository) and links it.
    real = week.root / "elsewhere" / "week6.yaml"
    real.parent.mkdir()
    week.notes(W2).rename(real)
    real.chmod(0o640)
    week.notes(W2).symlink_to(real)
    assert note(capsys, week, "--issue", "via the link").status == 0
    assert week.notes(W2).is_symlink() and week.notes(W2).resolve() == real
    assert "I still need a PCIE card, via the link" in real.read_text()
    assert real.stat().st_mode & 0o777 == 0o640
    # the new text was written beside the target, and nothing is left behind
    assert sorted(p.name for p in real.parent.iterdir()) == ["week6.yaml"]
    assert sorted(p.name for p in week.notes(W2).parent.iterdir()) == ["2023-02-10.yaml"]


def test_a_hardlinked_notes_file_keeps_every_link(week, capsys) -> None:
    other = week.root / "copy-in-my-repo.yaml"
    other.hardlink_to(week.notes(W2))
    assert note(capsys, week, "--issue", "seen by both").status == 0
    assert week.notes(W2).stat().st_ino == other.stat().st_ino
    assert other.stat().st_nlink == 2
    assert "seen by both" in other.read_text() and other.read_text() == \
        week.notes(W2).read_text()
    assert not [p for p in week.notes(W2).parent.iterdir() if p.name.startswith(".")]


def test_a_link_to_a_missing_file_is_not_replaced(week, capsys) -> None:
    week.notes(W2).unlink()
    week.notes(W2).symlink_to(week.root / "gone.yaml")
    r = note(capsys, week, "--issue", "x")
    assert r.status == 2 and "a symbolic link to" in r.err and "does not exist" in r.err
    assert week.notes(W2).is_symlink() and not (week.root / "gone.yaml").exists()


@pytest.mark.parametrize("drafted", [True, False], ids=["file-exists", "no-file-yet"])
def test_twenty_notes_at_once_keep_twenty_bullets(week, drafted: bool) -> None:
    from tests.deliver_helpers import ROOT

    if not drafted:
        week.notes(W2).unlink()
    env = {"PYTHONPATH": str(ROOT), "REPORTER_NOW": during(W2).isoformat(),
           "HOME": str(week.root), "PATH": "/usr/bin:/bin"}
    procs = [subprocess.Popen([sys.executable, "-m", "reporter", "--config", str(week.config),
                               "note", "--misc", "Stratos", f"bullet number {i}"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
             for i in range(20)]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    for proc in procs:
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert [status for status, _ in results] == [0] * 20, results
    text = week.notes(W2).read_text()
    assert sorted(int(n) for n in re.findall(r"bullet number (\d+)", text)) == list(range(20))
