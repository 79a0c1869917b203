"""`reporter send` and `preview` end to end: ledger, dry run, force, stale sources, preview."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter.deliver.ledger import eml_path, ledger_path, read_ledger
from reporter.deliver.send import SendOptions, send_week
from reporter.errors import SourceError
from reporter.model.sources import SourceFailure
from reporter.report.body import build_email_body
from tests.deliver_helpers import (
    MONDAY,
    NOTES,
    WEEK,
    ledger_json,
    make_context,
    run_cli,
    without_date,
    write_config,
)
from tests.servers.smtp import LoopbackSMTP


@pytest.fixture(autouse=True)
def no_user_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@pytest.fixture
def server() -> Iterator[LoopbackSMTP]:
    with LoopbackSMTP() as smtp:
        yield smtp


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_second_send_says_already_sent_with_date_and_message_id(
        tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    assert run_cli(config, "send").status == 0
    message_id = ledger_json(config)["message_id"]
    again = run_cli(config, "send")
    assert again.status == 0 and again.err == ""
    assert again.out == (f"week ending 2023-02-10 already sent on 2023-02-13 09:00 +0900 as "
                         f"{message_id}; nothing to do (`reporter send --force` resends it)\n")
    # any day of that week, and later Mondays asking for that week, say the same
    later = run_cli(config, "send", "--week", "2023-02-07", now=MONDAY + dt.timedelta(days=1))
    assert later.status == 0 and "already sent" in later.out
    assert len(server.received) == 1


def test_a_person_at_a_terminal_is_told_what_was_sent(tmp_path: Path,
                                                      server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    ctx, _ = make_context(config, interactive=True)
    result = send_week(ctx.config, WEEK, SendOptions(), now=ctx.now,
                       render=lambda stale: "body\n", pull=lambda: ())
    assert (result.outcome, result.text) == ("sent", (
        "sent the week ending 2023-02-10 to team@example.org, alex.bennee@example.org, "
        f"engineer@example.org as {ledger_json(config)['message_id']}"))


def test_dry_run_prints_message_and_envelope_and_touches_nothing(
        tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    before = files_under(tmp_path)
    run = run_cli(config, "send", "--dry-run")
    assert run.status == 0 and run.err == ""
    assert files_under(tmp_path) == before  # no ledger, no lock, no snapshot
    assert server.received == [] and server.handler.transactions == 0
    message, _, envelope = run.out.partition(
        "--- envelope (dry run: nothing sent, nothing written) ---\n")
    assert message.startswith("From: Test Engineer <engineer@example.org>\n")
    assert "\nDate: Mon, 13 Feb 2023 09:00:00 +0900\n" in message
    assert envelope.splitlines() == [
        "MAIL FROM:<engineer@example.org>", "RCPT TO:<team@example.org>",
        "RCPT TO:<alex.bennee@example.org>", "RCPT TO:<engineer@example.org>",
        f"via smtp 127.0.0.1:{server.port} (none)", "week ending 2023-02-10: not sent yet"]
    # and the real send hands over exactly that message
    assert run_cli(config, "send").status == 0
    assert eml_path(tmp_path / "data", WEEK).read_bytes() == message.encode()


def test_a_dry_run_writes_no_cache_either(tmp_path: Path, server: LoopbackSMTP) -> None:
    # The holiday registry and year tables and the compiled template are caches under
    # data_dir/cache: a dry run, which writes nothing, neither reads nor writes them.
    config = write_config(tmp_path, port=server.port, top_extra="calendar: {country: JP}\n")
    before = files_under(tmp_path)
    run = run_cli(config, "send", "--dry-run")
    assert run.status == 0 and run.err == ""
    assert files_under(tmp_path) == before
    dry = run.out.partition("--- envelope")[0]
    assert dry.endswith("=== Travel&Holiday&Event ===\nFeb 23: Emperor's Birthday "
                        "(public holiday)\n")
    assert run_cli(config, "send").status == 0  # a real send fills the caches
    cached = sorted(str(p.relative_to(tmp_path / "data" / "cache")).split("/")[0]
                    for p in (tmp_path / "data" / "cache").rglob("*.*"))
    assert set(cached) == {"holidays", "templates"}
    assert eml_path(tmp_path / "data", WEEK).read_bytes() == dry.encode()


def test_preview_prints_exactly_what_send_hands_over_but_the_date(
        tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port,
                          to=('"Bennée, Alex" <alex.bennee@example.org>',))
    preview = run_cli(config, "preview", "--offline")
    assert preview.status == 0
    assert run_cli(config, "send").status == 0
    sent = eml_path(tmp_path / "data", WEEK).read_bytes()
    assert preview.out.encode() == without_date(sent)
    assert sent.replace(b"\n", b"\r\n") == server.received[0].data
    assert b"\nDate: " in sent and "\nDate: " not in preview.out


def test_a_corrupt_ledger_stops_the_send_with_exit_2(tmp_path: Path,
                                                     server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    path = ledger_path(tmp_path / "data", WEEK)
    path.parent.mkdir(parents=True)
    for content in (b"", b'{"state": "sent", "message_id": '):
        path.write_bytes(content)
        run = run_cli(config, "send")
        assert run.status == 2 and "corrupt sent ledger" in run.err
        assert "never read as 'nothing was sent'" in run.err
        assert path.read_bytes() == content
    assert server.received == []


def test_force_resends_a_sent_week_with_the_same_message_id(tmp_path: Path,
                                                            server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    assert run_cli(config, "send").status == 0
    assert run_cli(config, "send", "--force").status == 0
    first, second = server.received
    assert first.message["Message-ID"] == second.message["Message-ID"]
    doc = ledger_json(config)
    assert doc["state"] == "sent"
    assert [a["outcome"] for a in doc["attempts"]] == ["sent", "sent"]


def test_without_a_mail_section_send_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("author: {name: T, email: t@example.org}\n"
                      "sections: [{title: Stratos, projects: [STR]}]\n")
    run = run_cli(config, "send")
    assert run.status == 2 and "no mail: section" in run.err


def test_a_failed_source_sends_nothing(tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    ctx, _ = make_context(config)
    failure = SourceFailure("jira", "jira: HTTP 503 from http://jira.example (try later)")
    with pytest.raises(SourceError, match=r"2023-02-10: jira: HTTP 503 .*; nothing was sent"
                       ) as err:
        send_week(ctx.config, WEEK, SendOptions(), now=ctx.now, render=lambda stale: "body\n",
                  pull=lambda: (failure,))
    assert err.value.exit_status == 1 and "--allow-stale" in str(err.value)
    assert server.received == [] and not (tmp_path / "data" / "sent").exists()


def test_allow_stale_sends_the_last_snapshot_and_says_so(tmp_path: Path,
                                                         server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    ctx, _ = make_context(config)
    assert send_week(ctx.config, WEEK, SendOptions(allow_stale=True), now=ctx.now,
                     render=lambda stale: build_email_body(ctx.config, WEEK, stale=stale),
                     pull=lambda: (SourceFailure("jira", "jira: down"),)).outcome == "sent"
    [got] = server.received
    text = got.message.get_content()
    assert "[STR-76] (Break down the latency)" in text  # from the stored snapshot
    assert "The jira data in this report is stale as of 2023-02-13" in text


def test_preview_diff_compares_with_the_last_sent_week(tmp_path: Path,
                                                       server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    assert run_cli(config, "send").status == 0
    next_week = WEEK + dt.timedelta(days=7)
    (tmp_path / "data" / "weeks" / f"{next_week}.yaml").write_text(
        "sections:\n  Stratos:\n    misc:\n      - Wrote the summary slides.\n")
    run = run_cli(config, "preview", "--offline", "--week", str(next_week), "--diff")
    assert run.status == 0
    lines = run.out.splitlines()
    assert lines[:2] == ["--- sent/2023-02-10.eml", "+++ preview/2023-02-17"]
    assert "-Subject: [Weekly] Week ending 2023-02-10" in lines
    assert "+Subject: [Weekly] Week ending 2023-02-17" in lines
    assert "+* Wrote the summary slides." in lines
    assert not any(line[1:].startswith("Date:") for line in lines)


def test_preview_diff_without_a_sent_week_shows_the_email(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    run = run_cli(config, "preview", "--offline", "--diff")
    assert run.status == 0 and run.out.startswith("From: ")
    assert "nothing to compare with" in run.err


def test_preview_edit_opens_the_editor_on_the_notes_then_shows_the_email(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path)
    editor = tmp_path / "editor"
    editor.write_text(f"#!{sys.executable}\nimport sys\n"
                      "with open(sys.argv[-1], 'a') as f:\n"
                      "    f.write('    misc:\\n      - Added in the editor.\\n')\n")
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{editor} --wait")
    notes = tmp_path / "data" / "weeks" / f"{WEEK}.yaml"
    notes.write_text("sections:\n  Stratos:\n")
    run = run_cli(config, "preview", "--offline", "--edit")
    assert run.status == 0, run.err
    assert "* Added in the editor." in run.out
    assert notes.read_text().endswith("- Added in the editor.\n")


def test_preview_edit_with_a_failing_editor_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "false")
    run = run_cli(config, "preview", "--offline", "--edit")
    assert run.status == 2 and "exited with status 1" in run.err


def test_archive_git_commits_the_week_after_the_send(
        tmp_path: Path, server: LoopbackSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    config = write_config(tmp_path, port=server.port, top_extra="archive: git\n")
    assert run_cli(config, "send").status == 0
    data = tmp_path / "data"
    log = subprocess.run(["git", "-C", str(data), "log", "--format=%B"],
                         capture_output=True, text=True, check=True).stdout
    assert log.startswith("Week ending 2023-02-10: sent\n")
    assert f"Message-ID: {ledger_json(config)['message_id']}" in log
    tracked = subprocess.run(["git", "-C", str(data), "ls-files"], capture_output=True,
                             text=True, check=True).stdout.split()
    assert "sent/2023-02-10.json" in tracked and "sent/2023-02-10.eml" in tracked
    assert ".lock" not in tracked
    entry = read_ledger(data, WEEK)
    assert entry is not None and entry.state == "sent"


def test_an_unwritable_eml_stops_the_send_before_the_data_leaves(
        tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    eml_path(tmp_path / "data", WEEK).mkdir(parents=True)  # a folder where the file goes
    run = run_cli(config, "send")
    assert run.status == 2 and "2023-02-10.eml: cannot write" in run.err  # a local file
    assert "nothing was sent" in run.err and len(run.err.strip().splitlines()) == 1
    assert server.received == []
    assert ledger_json(config)["state"] == "sending"


def jira_config(tmp_path: Path, smtp: LoopbackSMTP, jira_url: str) -> Path:
    return write_config(tmp_path, port=smtp.port, top_extra=(
        f"jira: {{server: '{jira_url}', user: engineer@example.org, token_env: JIRA_TEST_TOKEN,"
        " comments: 'off', attachments: false, timeout_s: 5, deadline_s: 20}\n"))


def test_cron_monday_pulls_jira_then_sends_once(
        tmp_path: Path, server: LoopbackSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.servers.jira import LocalJira

    monkeypatch.setenv("JIRA_TEST_TOKEN", "jira-test-token")
    with LocalJira("Cloud", user="engineer@example.org") as jira:
        jira.add_issue("STR-76", "Break down the latency, as Jira says now")
        config = jira_config(tmp_path, server, jira.url)
        run = run_cli(config, "send")
        again = run_cli(config, "send")
        searches = len(jira.seen("search"))
    assert (run.status, run.out, run.err) == (0, "", "")
    assert "[STR-76] (Break down the latency, as Jira says now)" in \
        server.received[0].message.get_content()
    assert again.status == 0 and "already sent" in again.out
    assert searches == 1  # the second run saw the ledger and pulled nothing
    assert len(server.received) == 1


def test_a_failing_jira_sends_nothing_unless_allow_stale(
        tmp_path: Path, server: LoopbackSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.servers.jira import LocalJira

    monkeypatch.setenv("JIRA_TEST_TOKEN", "a-revoked-token")
    with LocalJira("Cloud", user="engineer@example.org") as jira:
        config = jira_config(tmp_path, server, jira.url)
        snapshot = (tmp_path / "data" / "snapshots" / f"{WEEK}" / "jira.json").read_bytes()
        run = run_cli(config, "send")
        assert run.status == 1 and "401" in run.err
        assert "nothing was sent" in run.err and "--allow-stale" in run.err
        assert len(run.err.strip().splitlines()) == 1  # one line for cron's mail
        assert server.received == [] and not (tmp_path / "data" / "sent").exists()
        stale = run_cli(config, "send", "--allow-stale")
    assert stale.status == 0 and stale.out == ""
    assert (tmp_path / "data" / "snapshots" / f"{WEEK}" / "jira.json").read_bytes() == snapshot
    text = server.received[0].message.get_content()
    assert "[STR-76] (Break down the latency)" in text  # the last snapshot's summary
    assert "The jira data in this report is stale as of 2023-02-13 08:59 +0900" in text


def test_under_cron_a_successful_send_prints_nothing_even_with_warnings(
        tmp_path: Path, server: LoopbackSMTP) -> None:
    notes = NOTES.replace("\nissues:", "\n      STR-999: []\nissues:")
    assert "STR-999" in notes
    config = write_config(tmp_path, port=server.port, notes=notes)
    preview = run_cli(config, "preview", "--offline")
    assert "STR-999: no summary" in preview.err  # a person previewing is told
    run = run_cli(config, "send")  # not a terminal: cron
    assert (run.status, run.out, run.err) == (0, "", "")
    assert "[STR-999]\n* No progress" in server.received[0].message.get_content()
