"""`pull` and `preview` end to end through main(), against the local Jira server."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from reporter.cli import main
from tests.jira_helpers import NOW, TOKEN_ENV, adf
from tests.servers.jira import LocalJira, Reply

IN_WEEK = "2023-02-08T10:00:00.000+0900"
BEFORE_WEEK = "2023-01-20T10:00:00.000+0900"


@pytest.fixture
def jira() -> Iterator[LocalJira]:
    with LocalJira("Cloud") as server:
        yield server


def setup(tmp_path: Path, jira: LocalJira, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(TOKEN_ENV, "jira-test-token")
    doc = {
        "author": {"name": "AKASHI Takahiro", "email": "takahiro.akashi@linaro.org"},
        "timezone": "Asia/Tokyo",
        "data_dir": "data",
        "sections": [{"title": "Stratos", "projects": ["STR", "LBO"]},
                     {"title": "U-Boot support", "projects": ["TS"]}],
        "jira": {"server": jira.url, "user": "takahiro.akashi@linaro.org",
                 "token_env": TOKEN_ENV, "comments": "all", "attachments": False,
                 "timeout_s": 5, "deadline_s": 20},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    weeks = tmp_path / "data" / "weeks"
    weeks.mkdir(parents=True)
    (weeks / "2023-02-10.yaml").write_text(textwrap.dedent("""\
        sections:
          Stratos:
            cards:
              STR-68:
                - Measured again <https://example.org/results>
              STR-66: []
        """), encoding="utf-8")
    jira.add_issue("STR-68", "network latency behaviour with VMs")
    jira.add_issue("STR-99", "Jira-only card with a comment", comments=[
        jira.comment("20001", adf("Tried the FIFO priority on ksoftirqd; " + "spikes gone. " * 8),
                     created=IN_WEEK, mine=False),
        jira.comment("20002", adf("old comment"), created=BEFORE_WEEK, mine=False),
    ])
    return path


def test_pull_then_offline_preview(tmp_path: Path, jira: LocalJira,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    config = setup(tmp_path, jira, monkeypatch)
    assert main(["--config", str(config), "pull", "--week", "2023-02-10"], now=NOW) == 0
    assert (tmp_path / "data" / "snapshots" / "2023-02-10" / "jira.json").is_file()
    capsys.readouterr()
    requests_before = len(jira.seen())
    assert main(["--config", str(config), "preview", "--offline", "--week", "2023-02-10"],
                now=NOW) == 0
    assert len(jira.seen()) == requests_before  # --offline: no request
    out, err = capsys.readouterr()
    assert "[STR-68] (network latency behaviour with VMs)\n* Measured again [1]\n" in out
    assert "[STR-99] (Jira-only card with a comment)\n* Alex Bennée: Tried the FIFO" in out
    assert "old comment" not in out
    assert all(len(line) <= 80 for line in out.split("\n\n", 1)[1].splitlines())
    assert "STR-66: no summary" in err
    assert "jira-test-token" not in out + err


def test_preview_pulls_first_when_a_source_is_configured(
        tmp_path: Path, jira: LocalJira, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = setup(tmp_path, jira, monkeypatch)
    assert main(["--config", str(config), "preview", "--week", "2023-02-10"], now=NOW) == 0
    assert jira.seen("/search/jql")
    assert "[STR-99]" in capsys.readouterr().out


def test_a_failed_pull_exits_1_and_keeps_the_last_snapshot(
        tmp_path: Path, jira: LocalJira, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = setup(tmp_path, jira, monkeypatch)
    assert main(["--config", str(config), "pull", "--week", "2023-02-10"], now=NOW) == 0
    stored = tmp_path / "data" / "snapshots" / "2023-02-10" / "jira.json"
    before = stored.read_bytes()
    capsys.readouterr()
    jira.script("/search/jql", *[Reply(401, b'{"errorMessages": ["nope"]}')] * 5)
    assert main(["--config", str(config), "pull", "--week", "2023-02-10"], now=NOW) == 1
    err = capsys.readouterr().err
    assert "jira" in err and "401" in err
    assert len(err.strip().splitlines()) == 1
    assert stored.read_bytes() == before
    # preview still renders, from the last snapshot, and says the data is stale
    assert main(["--config", str(config), "preview", "--week", "2023-02-10"], now=NOW) == 1
    out = " ".join(capsys.readouterr().out.split())  # the line may wrap
    assert "The jira data in this report is stale as of 2023-02-13 09:30 +0900:" in out


def test_a_missing_token_is_a_configuration_problem(
        tmp_path: Path, jira: LocalJira, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = setup(tmp_path, jira, monkeypatch)
    monkeypatch.delenv(TOKEN_ENV)
    assert main(["--config", str(config), "pull", "--week", "2023-02-10"], now=NOW) == 2
    err = capsys.readouterr().err
    assert f"${TOKEN_ENV} is not set" in err and "~/.netrc" in err and "keyring" in err
