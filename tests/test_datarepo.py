"""reporter.store.datarepo: the data folder as a git repository, one commit per sent week."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from reporter.config import load_config
from reporter.store.datarepo import ArchiveError, archived_weeks, commit_week
from tests.tracker_helpers import (
    W2,
    W3,
    card,
    during,
    make_setup,
    monday_after,
    run,
    write_jira,
    write_ledger,
)


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """No user-level git configuration; fixed dates so the runs are repeatable."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{role}_NAME", raising=False)
        monkeypatch.delenv(f"GIT_{role}_EMAIL", raising=False)
        monkeypatch.setenv(f"GIT_{role}_DATE", "2023-02-13T09:00:00+09:00")


def git(cwd, *args: str) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def sent_week(capsys, setup, week):  # type: ignore[no-untyped-def]
    """What a send leaves behind: notes, a snapshot, the sent email and its ledger entry."""
    assert run(capsys, setup, "draft", "--week", str(week), now=during(week)).status == 0
    assert run(capsys, setup, "note", "--week", str(week), "STR-1", f"work of {week}",
               now=during(week)).status == 0
    write_jira(setup, week, card("STR-1", "In Progress"))
    (setup.data / "sent").mkdir(exist_ok=True)
    (setup.data / "sent" / f"{week}.eml").write_bytes(
        f"Subject: [Weekly] Week ending {week}\r\n\r\nbody\r\n".encode())
    write_ledger(setup, week, "sent", f"<weekly-{week}@example.org>")


def test_each_send_commits_the_weeks_files(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path, archive="git")
    (setup.data / "events.yaml").write_text("- {date: 2023-02-24, text: Birthday}\n")
    config = load_config(setup.config)
    sent_week(capsys, setup, W2)
    (setup.data / ".lock").write_text("")
    first = commit_week(config, W2, "<weekly-2023-02-10@example.org>")
    assert first is not None and len(first) == 40
    assert git(setup.data, "rev-parse", "HEAD").strip() == first
    assert git(setup.data, "log", "--format=%an <%ae>%n%s%n%n%b").strip() == textwrap.dedent("""\
        Test Engineer <test.engineer@example.org>
        Week ending 2023-02-10: sent

        Message-ID: <weekly-2023-02-10@example.org>""")
    assert git(setup.data, "show", "--name-only", "--format=", "HEAD").split() == [
        ".gitignore", "events.yaml", "sent/2023-02-10.eml", "sent/2023-02-10.json",
        "snapshots/2023-02-10/jira.json", "weeks/2023-02-10.yaml",
    ]
    assert git(setup.data, "status", "--porcelain") == ""  # .lock is ignored

    # The next week: only its own files; a file of another week edited by hand stays out.
    sent_week(capsys, setup, W3)
    with setup.notes(W2).open("a") as fh:
        fh.write("# edited later\n")
    second = commit_week(config, W3, "<weekly-2023-02-17@example.org>")
    assert second is not None and second != first
    assert git(setup.data, "show", "--name-only", "--format=", "HEAD").split() == [
        "sent/2023-02-17.eml", "sent/2023-02-17.json", "snapshots/2023-02-17/jira.json",
        "weeks/2023-02-17.yaml",
    ]
    assert git(setup.data, "status", "--porcelain") == " M weeks/2023-02-10.yaml\n"
    assert archived_weeks(config) == {W2: first[:7], W3: second[:7]}


def test_committing_again_is_harmless(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path, archive="git")
    config = load_config(setup.config)
    sent_week(capsys, setup, W2)
    first = commit_week(config, W2, "<a@example.org>")
    assert commit_week(config, W2, "<a@example.org>") is None
    write_ledger(setup, W2, "sent", "<resent@example.org>")  # send --force rewrote it
    again = commit_week(config, W2, "<resent@example.org>")
    assert again is not None and again != first
    assert git(setup.data, "log", "-1", "--format=%b").strip() == "Message-ID: <resent@example.org>"


def test_without_the_archive_nothing_happens(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path, archive="none")
    config = load_config(setup.config)
    sent_week(capsys, setup, W2)
    assert commit_week(config, W2, "<a@example.org>") is None
    assert not (setup.data / ".git").exists()
    assert archived_weeks(config) == {}


def test_the_data_folder_gets_its_own_repository_inside_another(tmp_path, capsys) -> None:
    git(tmp_path, "init", "-q")
    setup = make_setup(tmp_path, archive="git")
    config = load_config(setup.config)
    sent_week(capsys, setup, W2)
    commit = commit_week(config, W2, "<a@example.org>")
    assert commit is not None
    assert git(setup.data, "rev-parse", "--show-toplevel").strip() == str(setup.data)
    assert git(tmp_path, "log", "--oneline", "--all") == ""  # the outer repository is untouched


def test_the_configured_author_signs_unless_git_env_says_otherwise(tmp_path, capsys,
                                                                   monkeypatch) -> None:
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Cron Robot")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "cron@example.org")
    setup = make_setup(tmp_path, archive="git")
    sent_week(capsys, setup, W2)
    commit_week(load_config(setup.config), W2, "<a@example.org>")
    assert git(setup.data, "log", "--format=%an|%cn <%ce>").strip() == \
        "Test Engineer|Cron Robot <cron@example.org>"


def test_a_broken_repository_is_an_archive_error(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path, archive="git")
    sent_week(capsys, setup, W2)
    (setup.data / ".git").write_text("gitdir: /nonexistent/elsewhere\n")
    with pytest.raises(ArchiveError) as info:
        commit_week(load_config(setup.config), W2, "<a@example.org>")
    assert info.value.exit_status == 1
    assert str(setup.data) in str(info.value)


def test_history_and_status_work_in_an_archived_data_folder(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path, archive="git")
    config = load_config(setup.config)
    sent_week(capsys, setup, W2)
    commit = commit_week(config, W2, "<a@example.org>")
    assert commit is not None
    r = run(capsys, setup, "history", "STR-1", now=monday_after(W2))
    assert f"Week ending 2023-02-10: In Progress; sent, archived {commit[:7]}\n* work of " \
           "2023-02-10\n" in r.out
    r = run(capsys, setup, "status", now=monday_after(W2))
    assert r.status == 0
    assert r.out.endswith(f"Archive: git in {setup.data}, 1 week archived, newest 2023-02-10 "
                          f"({commit[:7]})\n")


def test_archived_weeks_reads_a_parent_repository(tmp_path) -> None:
    """data_dir committed into the repository around it."""
    setup = make_setup(tmp_path, archive="git")
    git(tmp_path, "init", "-q")
    (setup.data / "weeks").mkdir()
    setup.notes(W2).write_text("issues: [x]\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m",
        "Week ending 2023-02-10: sent\n\nMessage-ID: <a@example.org>")
    (tmp_path / "unrelated.txt").write_text("x")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m",
        "Week ending 2023-02-17: sent")  # right words, but data_dir is not in it
    short = git(tmp_path, "log", "-1", "--format=%h", "HEAD~1").strip()
    assert archived_weeks(load_config(setup.config)) == {W2: short}
