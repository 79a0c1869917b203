"""The Monday send's rules: no empty report, missed weeks named, input checked before work,
control characters replaced, private folders."""

from __future__ import annotations

import datetime as dt
import json
import stat
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter.errors import no_notes_line
from tests.deliver_helpers import NOTES, WEEK, ledger_json, run_cli, write_config
from tests.jira_helpers import TOKEN_ENV
from tests.servers.jira import LocalJira
from tests.servers.smtp import LoopbackSMTP

EARLIER = dt.date(2023, 2, 3)
EARLIEST = dt.date(2023, 1, 27)


@pytest.fixture
def server() -> Iterator[LoopbackSMTP]:
    with LoopbackSMTP() as smtp:
        yield smtp


def notes_file(config: Path, week: dt.date) -> Path:
    return config.parent / "data" / "weeks" / f"{week}.yaml"


# -- no empty report -----------------------------------------------------------------


def test_a_week_without_notes_is_not_sent(tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port, notes=None)
    run = run_cli(config, "send")
    assert run.status == 1 and run.out == "" and server.received == []
    line = no_notes_line(notes_file(config, WEEK), WEEK)
    assert run.err == f"reporter: error: {line}; nothing was sent\n"
    assert "`reporter draft --week 2023-02-10`" in line and "--allow-empty" in line
    assert not (tmp_path / "data" / "sent").exists()


def test_allow_empty_sends_the_harvested_draft(tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port, notes=None)
    run = run_cli(config, "send", "--allow-empty")
    assert run.status == 0 and run.err == ""
    [got] = server.received
    assert "[STR-76] (Break down the latency)" in got.message.get_content()
    assert ledger_json(config)["state"] == "sent"
    # once sent, later runs say so and exit 0, notes or not
    again = run_cli(config, "send")
    assert again.status == 0 and "already sent" in again.out and again.err == ""


def test_preview_gives_the_same_line_as_its_first_warning(tmp_path: Path) -> None:
    config = write_config(tmp_path, notes=None)
    run = run_cli(config, "preview")
    assert run.status == 0
    first = run.err.splitlines()[0]
    assert first == f"reporter: warning: {no_notes_line(notes_file(config, WEEK), WEEK)}"
    assert run.err.count("no notes for the week") == 1


def test_a_dry_run_says_the_week_would_not_be_sent(tmp_path: Path) -> None:
    config = write_config(tmp_path, notes=None)
    run = run_cli(config, "send", "--dry-run")
    assert run.status == 0
    assert run.out.splitlines()[-1].startswith("not sent by `send`: no notes for the week")


# -- missed weeks --------------------------------------------------------------------


def test_earlier_weeks_with_notes_never_sent_are_named(tmp_path: Path,
                                                       server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    for week in (EARLIER, EARLIEST):
        notes_file(config, week).write_text(NOTES, encoding="utf-8")
    # the earliest one was refused by the server for good
    sent = tmp_path / "data" / "sent"
    sent.mkdir()
    (sent / f"{EARLIEST}.json").write_text(json.dumps({
        "format": 1, "week_end": str(EARLIEST), "state": "refused",
        "message_id": "<weekly-2023-01-27@example.org>", "attempts": []}))
    run = run_cli(config, "send")
    assert run.status == 0 and len(server.received) == 1  # the due week went, as before
    assert server.received[0].message["Subject"] == "[Weekly] Week ending 2023-02-10"
    assert run.err.splitlines() == [
        "reporter: warning: the week ending 2023-01-27 has notes but the mail server refused "
        "it; once the cause is fixed: reporter send --week 2023-01-27 --force",
        "reporter: warning: the week ending 2023-02-03 has notes but was never sent; to send "
        "it: reporter send --week 2023-02-03",
    ]
    # the command it names sends the missed week
    missed = run_cli(config, "send", "--week", str(EARLIER))
    assert missed.status == 0 and len(server.received) == 2
    assert server.received[1].message["Subject"] == "[Weekly] Week ending 2023-02-03"
    # a run that has nothing to send (already sent) does not repeat the warnings
    assert run_cli(config, "send").err == ""


# -- validate before work --------------------------------------------------------------


@pytest.mark.parametrize(("where", "text", "message"), [
    ("weeks/2023-02-10.yaml", "sections:\n  Stratos:\n    cards:\n      STR-76: [x\n",
     "2023-02-10.yaml:5: malformed YAML"),
    ("weeks/2023-02-10.yaml", "issues:\n  - 2026-02-30\n",
     "2023-02-10.yaml:2: not a real date '2026-02-30'"),
    ("events.yaml", "- {date: 2023-02-20, text: ok}\n- {date: 2026-02-30, text: bad}\n",
     "events.yaml:2: not a real date '2026-02-30'"),
], ids=["malformed-notes", "impossible-date-in-notes", "impossible-date-in-events"])
def test_bad_input_stops_the_send_before_any_pull_or_write(
        tmp_path: Path, server: LoopbackSMTP, monkeypatch: pytest.MonkeyPatch,
        where: str, text: str, message: str) -> None:
    monkeypatch.setenv(TOKEN_ENV, "jira-test-token")
    with LocalJira("Cloud") as jira:
        jira.add_issue("STR-76", "Break down the latency")
        config = write_config(tmp_path, port=server.port, summary=None, top_extra=(
            f"jira: {{server: '{jira.url}', user: takahiro.akashi@linaro.org, "
            f"token_env: {TOKEN_ENV}}}\n"))
        (tmp_path / "data" / where).write_text(text, encoding="utf-8")
        before = sorted(p for p in (tmp_path / "data").rglob("*"))
        run = run_cli(config, "send")
        assert jira.seen() == []  # not one request
    assert run.status == 2 and message in run.err
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err
    assert sorted(p for p in (tmp_path / "data").rglob("*")) == before  # no snapshot, lock
    assert server.received == []


# -- control characters --------------------------------------------------------------


def test_control_characters_from_notes_and_jira_are_replaced(tmp_path: Path,
                                                            server: LoopbackSMTP) -> None:
    notes = textwrap.dedent("""\
        sections:
          Stratos:
            cards:
              STR-76:
                - "colour \\e[31mred\\e[0m, a bell\\a, a NUL\\0 and\\ta tab"
        """)
    config = write_config(tmp_path, port=server.port, notes=notes,
                          summary="Break\x00down\x1b[2J the\x7f latency\x9b")
    preview = run_cli(config, "preview")
    assert run_cli(config, "send").status == 0
    [got] = server.received
    body = got.message.get_content()
    assert "* colour \ufffd[31mred\ufffd[0m, a bell\ufffd, a NUL\ufffd and\ta tab" in body
    assert "[STR-76] (Break\ufffddown\ufffd[2J the\ufffd latency\ufffd)" in body
    for text in (body, preview.out):
        assert not [c for c in text if (ord(c) < 32 and c not in "\t\n") or
                    0x7f <= ord(c) <= 0x9f]
    assert "\ufffd[31mred" in preview.out


# -- permissions ---------------------------------------------------------------------


def test_data_folders_are_created_private(tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port, notes=None, summary=None,
                          top_extra="measurements:\n  - {card: STR-76, files: 'm/*.csv'}\n")
    (tmp_path / "data" / "weeks").rmdir()
    (tmp_path / "data").rmdir()
    assert run_cli(config, "note", "--week", str(WEEK), "STR-76", "did it").status == 0
    assert run_cli(config, "send").status == 0
    folders = [tmp_path / "data", *(p for p in (tmp_path / "data").rglob("*") if p.is_dir())]
    assert {p.relative_to(tmp_path).as_posix() for p in folders} >= {
        "data", "data/weeks", "data/sent", "data/snapshots", "data/snapshots/2023-02-10"}
    assert {p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode)
            for p in folders} == {p.relative_to(tmp_path).as_posix(): 0o700 for p in folders}
