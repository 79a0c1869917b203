"""`send` and `jira-sync` write the sent week back to the local Jira, Cloud and Server, once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reporter.deliver.testhook import ENV_VAR, JIRA_STEPS
from tests.deliver_helpers import WEEK, run_cli, run_process
from tests.jira_write_helpers import (
    MARKER,
    NOTES,
    TOKEN_ENV,
    bodies,
    configure,
    ledger,
    posts,
    records,
    servers,
    status_of,
)
from tests.servers.jira import Reply

DEPLOYMENTS = ["Cloud", "Server"]

WIKI_STR_76 = (
    f"{MARKER}\n"
    "\n"
    "* Still continued to investigate a big latency [https://lore.example/msg1].\n"
    "Second line with \\*stars\\* and \\{braces\\}.\n"
    "* Another bullet, see [https://docs.example/slides].")


def link(url: str) -> dict[str, object]:
    return {"type": "text", "text": url, "marks": [{"type": "link", "attrs": {"href": url}}]}


def text(value: str) -> dict[str, object]:
    return {"type": "text", "text": value}


ADF_STR_76 = {"type": "doc", "version": 1, "content": [
    {"type": "paragraph", "content": [text(MARKER)]},
    {"type": "bulletList", "content": [
        {"type": "listItem", "content": [{"type": "paragraph", "content": [
            text("Still continued to investigate a big latency "),
            link("https://lore.example/msg1"), text("."), {"type": "hardBreak"},
            text("Second line with *stars* and {braces}.")]}]},
        {"type": "listItem", "content": [{"type": "paragraph", "content": [
            text("Another bullet, see "), link("https://docs.example/slides"),
            text(".")]}]}]}]}


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "jira-test-token")
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_a_send_posts_one_comment_on_each_card_with_bullets_and_takes_the_transition(
        tmp_path: Path, deployment: str) -> None:
    with servers(deployment) as (smtp, jira):
        config = configure(tmp_path, smtp, jira)
        run = run_cli(config, "send")
        assert (run.status, run.out, run.err) == (0, "", "")  # cron: silent on success
        assert len(smtp.received) == 1
        email = smtp.received[0].message.get_content()
        assert "Checked the board again." in email  # STR-90's text came from Jira ...
        assert posts(jira) == ["STR-76", "STR-68"]  # ... so it gets no comment, nor STR-41
        expected = ADF_STR_76 if deployment == "Cloud" else WIKI_STR_76
        assert bodies(jira, "STR-76") == [expected]
        [str_68] = bodies(jira, "STR-68")
        assert (str_68 if deployment == "Server" else
                str_68["content"][1]["content"][0]["content"][0]["content"][0]["text"]) == (
            f"{MARKER}\n\n* Finished the write-up." if deployment == "Server"
            else "Finished the write-up.")
        api = "3" if deployment == "Cloud" else "2"
        assert {r.path for r in jira.requests if r.method == "POST"} == {
            f"/rest/api/{api}/issue/STR-76/comment", f"/rest/api/{api}/issue/STR-68/comment",
            f"/rest/api/{api}/issue/STR-68/transitions"}
        assert status_of(jira, "STR-68") == "Done" and status_of(jira, "STR-76") == "In Progress"
    doc = ledger(tmp_path)
    assert doc["state"] == "sent"
    got = records(tmp_path)
    assert set(got) == {("STR-76", "comment"), ("STR-68", "comment"), ("STR-68", "transition")}
    assert got[("STR-76", "comment")]["comment_id"] == jira.comments["STR-76"][-1]["id"]
    assert got[("STR-68", "transition")]["state"] == "done"
    assert got[("STR-68", "transition")]["to_status"] == "Done"


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_a_rerun_and_a_forced_resend_post_nothing_more(tmp_path: Path, deployment: str) -> None:
    with servers(deployment) as (smtp, jira):
        config = configure(tmp_path, smtp, jira)
        assert run_cli(config, "send").status == 0
        requests_after_send = len(jira.requests)
        again = run_cli(config, "send")
        assert again.status == 0 and "already sent" in again.out and again.err == ""
        # everything is recorded: the rerun does not even connect to Jira
        assert len(jira.requests) == requests_after_send
        forced = run_cli(config, "send", "--force")
        assert forced.status == 0 and forced.err == ""
        synced = run_cli(config, "jira-sync", "--week", str(WEEK))
        assert synced.status == 0
        assert len(smtp.received) == 2  # the email went out again ...
        assert posts(jira) == ["STR-76", "STR-68"]  # ... its comments did not
        assert posts(jira, "transitions") == ["STR-68"]
        assert [len(bodies(jira, k)) for k in ("STR-76", "STR-68")] == [1, 1]
    assert synced.out.splitlines() == [
        f"STR-76: the week's comment is posted ({jira.comments['STR-76'][-1]['id']})",
        f"STR-68: the week's comment is posted ({jira.comments['STR-68'][-1]['id']})",
        "STR-68: moved through 'Done' after the send"]
    assert [a["outcome"] for a in ledger(tmp_path)["attempts"]] == ["sent", "sent"]


@pytest.mark.parametrize("step", JIRA_STEPS)
@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_killed_between_the_jira_write_and_its_record_a_rerun_writes_nothing_twice(
        tmp_path: Path, deployment: str, step: str) -> None:
    with servers(deployment) as (smtp, jira):
        config = configure(tmp_path, smtp, jira)
        killed = run_process(config, "send", env={ENV_VAR: step, TOKEN_ENV: "jira-test-token"})
        assert killed.returncode == -9, killed.stderr
        assert ledger(tmp_path)["state"] == "sent"  # the email came first
        if step == "jira-comment-posted":
            assert posts(jira) == ["STR-76"] and ("STR-76", "comment") not in records(tmp_path)
        else:
            assert posts(jira, "transitions") == ["STR-68"]
            assert records(tmp_path)[("STR-68", "transition")]["state"] == "pending"
            assert status_of(jira, "STR-68") == "Done"
        rerun = run_process(config, "send", env={TOKEN_ENV: "jira-test-token"})
        assert rerun.returncode == 0, rerun.stderr
        assert "already sent" in rerun.stdout and rerun.stderr == ""
        assert posts(jira) == ["STR-76", "STR-68"]  # each card's comment once
        assert posts(jira, "transitions") == ["STR-68"]  # and the move once
        assert [len(bodies(jira, k)) for k in ("STR-76", "STR-68")] == [1, 1]
        assert len(smtp.received) == 1
    got = records(tmp_path)
    assert got[("STR-68", "transition")]["state"] == "done"
    if step == "jira-comment-posted":
        assert got[("STR-76", "comment")]["note"] == "found on the card"
        assert got[("STR-76", "comment")]["comment_id"] == jira.comments["STR-76"][-1]["id"]
    else:
        assert got[("STR-68", "transition")]["note"] == "found in Done"


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_a_403_on_one_card_is_one_line_exit_1_and_jira_sync_retries_only_it(
        tmp_path: Path, deployment: str) -> None:
    with servers(deployment) as (smtp, jira):
        config = configure(tmp_path, smtp, jira)
        jira.script(r"/issue/STR-76/comment$", Reply(403, {
            "errorMessages": ["You do not have the permission to comment on this issue."],
            "errors": {}}))
        run = run_cli(config, "send")
        assert run.status == 1 and run.out == ""
        [line] = run.err.splitlines()
        assert line.startswith("reporter: error: jira: STR-76: the week's comment was not "
                               "posted: jira: HTTP 403")
        assert line.endswith("`reporter jira-sync --week 2023-02-10` or the next "
                             "`reporter send` tries again")
        assert len(smtp.received) == 1 and ledger(tmp_path)["state"] == "sent"
        assert posts(jira) == ["STR-76", "STR-68"]  # the other card is still done
        assert status_of(jira, "STR-68") == "Done"
        dry = run_cli(config, "jira-sync", "--dry-run")
        assert dry.status == 0 and dry.err == ""
        lines = dry.out.splitlines()
        assert lines[:2] == [
            "--- jira (dry run: nothing posted, nothing moved, nothing written) ---",
            "STR-76: would post this comment ("
            + ("ADF, REST API v3" if deployment == "Cloud" else "wiki markup, REST API v2")
            + "):"]
        assert MARKER in dry.out
        assert lines[-2:] == [
            f"STR-68: the week's comment is posted ({jira.comments['STR-68'][-1]['id']})",
            "STR-68: moved through 'Done' after the send"]
        assert posts(jira) == ["STR-76", "STR-68"]  # the dry run posted nothing
        synced = run_cli(config, "jira-sync", "--week", "2023-02-10")
        assert synced.status == 0 and synced.err == ""
        assert posts(jira) == ["STR-76", "STR-68", "STR-76"]
        assert [len(bodies(jira, k)) for k in ("STR-76", "STR-68")] == [1, 1]
        assert posts(jira, "transitions") == ["STR-68"]
    assert synced.out.splitlines()[0].startswith("STR-76: posted the week's comment (")


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_a_transition_the_workflow_does_not_offer_is_one_line_naming_the_offers(
        tmp_path: Path, deployment: str) -> None:
    with servers(deployment) as (smtp, jira):
        config = configure(tmp_path, smtp, jira, notes=NOTES.replace("status: Done",
                                                                     "status: Close"))
        run = run_cli(config, "send")
        assert run.status == 1
        assert run.err.splitlines() == [
            "reporter: error: jira: STR-68: its workflow offers no transition 'Close' from "
            "In Progress; it offers: 'Stop Progress', 'Done', 'Resolve Issue' (fix `status:` "
            "in the week's notes)"]
        assert posts(jira) == ["STR-76", "STR-68"] and posts(jira, "transitions") == []
        assert status_of(jira, "STR-68") == "In Progress"


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_send_dry_run_shows_exactly_what_would_be_posted_and_writes_nothing(
        tmp_path: Path, deployment: str) -> None:
    with servers(deployment) as (smtp, jira):
        config = configure(tmp_path, smtp, jira)
        run = run_cli(config, "send", "--dry-run")
        assert run.status == 0 and run.err == ""
        assert not (tmp_path / "data" / "sent").exists()
        assert [r for r in jira.requests if r.method == "POST"] == []
        assert smtp.received == []
    _, _, block = run.out.partition(
        "--- jira (dry run: nothing posted, nothing moved, nothing written) ---\n")
    lines = block.splitlines()
    if deployment == "Server":
        shown = lines[1:1 + len(WIKI_STR_76.splitlines())]
        assert [s.removeprefix("    ") for s in shown] == WIKI_STR_76.splitlines()
    else:
        end = lines.index("    }", 1)
        assert json.loads("\n".join(s.removeprefix("    ") for s in lines[1:end + 1])) \
            == ADF_STR_76
    assert lines[-1] == "STR-68: would move through 'Done' (to Done)"


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_a_502_or_a_timeout_on_the_post_is_never_retried_by_itself(
        tmp_path: Path, deployment: str) -> None:
    with servers(deployment) as (smtp, jira):
        config = configure(tmp_path, smtp, jira, timeout_s=0.5)
        jira.script(r"/issue/STR-76/comment$", Reply(502, b"Bad Gateway"))
        jira.script(r"/issue/STR-68/comment$", Reply(201, {}, delay_s=1.5))
        run = run_cli(config, "send")
        assert run.status == 1
        lines = run.err.splitlines()
        assert len(lines) == 2
        assert "STR-76: the week's comment was not posted: jira: HTTP 502" in lines[0]
        assert "STR-68: the week's comment was not posted: jira: no answer from" in lines[1]
        assert posts(jira) == ["STR-76", "STR-68"]  # one POST each: a write is not replayed
        assert status_of(jira, "STR-68") == "Done"  # the transition is its own write
        assert run_cli(config, "jira-sync").status == 0
        assert [len(bodies(jira, k)) for k in ("STR-76", "STR-68")] == [1, 1]


def test_jira_sync_needs_a_sent_week_and_post_comments(tmp_path: Path) -> None:
    with servers("Cloud") as (smtp, jira):
        config = configure(tmp_path, smtp, jira)
        unsent = run_cli(config, "jira-sync", "--week", "2023-02-10")
        assert unsent.status == 1 and jira.requests == []
        assert "week ending 2023-02-10 is not sent: Jira is written only after the week is " \
            "sent" in unsent.err
        off = configure(tmp_path, smtp, jira, post_comments=False)
        refused = run_cli(off, "jira-sync")
        assert refused.status == 2 and "jira.post_comments is not true" in refused.err


def test_without_post_comments_nothing_is_written_and_status_is_said_unused(
        tmp_path: Path) -> None:
    with servers("Server") as (smtp, jira):
        config = configure(tmp_path, smtp, jira, post_comments=False)
        run = run_cli(config, "send")
        assert run.status == 0 and len(smtp.received) == 1
        assert [r for r in jira.requests if r.method == "POST"] == []
        assert run.err.splitlines() == [
            "reporter: warning: STR-68: `status: Done` in the notes is not applied: reporter "
            "writes to Jira only with jira.post_comments: true"]
    assert "jira" not in ledger(tmp_path) or ledger(tmp_path)["jira"] == []


def test_a_person_at_a_terminal_is_told_what_was_written(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    import io
    import sys

    from reporter.cli import main

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    with servers("Cloud") as (smtp, jira):
        config = configure(tmp_path, smtp, jira)
        out, err = io.StringIO(), Tty()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        from tests.deliver_helpers import MONDAY

        assert main(["--config", str(config), "send"], now=MONDAY) == 0
    lines = out.getvalue().splitlines()
    ids = [jira.comments[k][-1]["id"] for k in ("STR-76", "STR-68")]
    assert lines[1:] == [f"STR-76: posted the week's comment ({ids[0]})",
                         f"STR-68: posted the week's comment ({ids[1]})",
                         "STR-68: moved through 'Done' (to Done)"]


def test_next_weeks_pull_does_not_harvest_the_comment_it_posted(tmp_path: Path) -> None:
    import datetime as dt

    from tests.deliver_helpers import MONDAY

    with servers("Cloud") as (smtp, jira):
        config = configure(tmp_path, smtp, jira)
        assert run_cli(config, "send").status == 0
        assert jira.comments["STR-76"][-1]["created"].startswith("2023-02-13")  # next week
        (tmp_path / "data" / "weeks" / "2023-02-17.yaml").write_text(
            "sections:\n  Stratos:\n    cards:\n      STR-76: []\n")
        preview = run_cli(config, "preview", "--week", "2023-02-17",
                          now=MONDAY + dt.timedelta(days=7))
    assert preview.status == 0, preview.err
    assert "[STR-76] (The card STR-76)\n* No progress\n" in preview.out
    assert "Weekly report" not in preview.out


def test_a_ledger_without_jira_records_finds_the_comments_on_the_cards(tmp_path: Path) -> None:
    """A ledger written before post_comments was turned on, or one restored from a backup
    taken before the write-back: the markers on the cards stop a second comment."""
    with servers("Server") as (smtp, jira):
        config = configure(tmp_path, smtp, jira)
        assert run_cli(config, "send").status == 0
        path = tmp_path / "data" / "sent" / f"{WEEK}.json"
        doc = json.loads(path.read_text())
        del doc["jira"]
        path.write_text(json.dumps(doc))
        synced = run_cli(config, "jira-sync")
        assert synced.status == 0, synced.err
        assert posts(jira) == ["STR-76", "STR-68"] and posts(jira, "transitions") == ["STR-68"]
    assert synced.out.splitlines() == [
        f"STR-76: the week's comment is already on the card ({jira.comments['STR-76'][-1]['id']})",
        f"STR-68: the week's comment is already on the card ({jira.comments['STR-68'][-1]['id']})",
        "STR-68: already Done"]
    assert {w["note"] for w in ledger(tmp_path)["jira"]} == {"found on the card", "already Done"}


def test_the_marker_is_found_past_the_first_page_of_comments(tmp_path: Path) -> None:
    with servers("Cloud") as (smtp, jira):
        jira.inline_comments = 1  # the issue embeds one comment; the rest is paged
        old = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
            {"type": "text", "text": "An older comment"}]}]}
        jira.comments["STR-76"] = [jira.comment(str(10600 + i), old,
                                                created="2023-01-10T10:00:00.000+0900")
                                   for i in range(3)]
        config = configure(tmp_path, smtp, jira)
        killed = run_process(config, "send", env={ENV_VAR: "jira-comment-posted",
                                                  TOKEN_ENV: "jira-test-token"})
        assert killed.returncode == -9 and posts(jira) == ["STR-76"]
        assert run_cli(config, "send").status == 0
        assert posts(jira) == ["STR-76", "STR-68"]
        assert jira.seen(r"/issue/STR-76/comment$")[-1].method == "GET"
    assert records(tmp_path)[("STR-76", "comment")]["comment_id"] == \
        jira.comments["STR-76"][-1]["id"]


def test_a_full_disk_after_the_post_is_one_line_and_a_rerun_posts_nothing_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that fills up cannot be made on demand here (the tests run as root): the
    ledger's write is the one thing replaced, by one that fails as a full disk does."""
    import errno

    import reporter.deliver.jira_sync as jira_sync

    real = jira_sync.write_ledger

    def full(data_dir: Path, entry: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with servers("Server") as (smtp, jira):
        config = configure(tmp_path, smtp, jira, notes=NOTES.replace("status: Done", "links: []"))
        monkeypatch.setattr(jira_sync, "write_ledger", full)
        run = run_cli(config, "send")
        assert run.status == 1 and len(smtp.received) == 1
        lines = run.err.splitlines()
        assert len(lines) == 2 and all(
            "posted the week's comment (" in line and "cannot record it (No space left on "
            "device); a rerun finds it on the card" in line for line in lines)
        monkeypatch.setattr(jira_sync, "write_ledger", real)
        assert run_cli(config, "send").status == 0
        assert posts(jira) == ["STR-76", "STR-68"]
    assert {w["note"] for w in ledger(tmp_path)["jira"]} == {"found on the card"}


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_jira_down_after_the_send_is_one_line_per_card(tmp_path: Path, deployment: str) -> None:
    with servers(deployment) as (smtp, jira):
        config = configure(tmp_path, smtp, jira, deadline_s=0.5)  # no long backoff
        jira.stop()  # `send --offline` renders from the stored snapshot, then writes back
        run = run_cli(config, "send", "--offline")
        assert run.status == 1 and len(smtp.received) == 1
    assert ledger(tmp_path)["state"] == "sent" and "jira" in ledger(tmp_path)
    lines = run.err.splitlines()
    assert [line.split(": ")[3] for line in lines] == ["STR-76", "STR-68"]
    why = f"connection failed at {jira.url}/rest/api/2/serverInfo"
    assert lines[1].startswith("reporter: error: jira: STR-68: the week's comment was not "
                               "posted: jira: ")
    assert lines[1].count(why) == 2 and "; the transition was not made: jira: " in lines[1]
    assert lines[1].endswith("; `reporter jira-sync --week 2023-02-10` or the next "
                             "`reporter send` tries again")
    assert ledger(tmp_path)["jira"] == []
