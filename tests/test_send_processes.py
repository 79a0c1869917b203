"""`python -m reporter send` as real processes: two at once, and one killed at each step."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter.deliver.testhook import ENV_VAR, STEPS
from tests.deliver_helpers import WEEK, run_process, spawn_process, write_config
from tests.servers.smtp import LoopbackSMTP, Script


@pytest.fixture(autouse=True)
def no_user_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture
def server() -> Iterator[LoopbackSMTP]:
    # The server takes its time before confirming, so a second run is surely waiting.
    with LoopbackSMTP(Script(data_delay_s=1.0)) as smtp:
        yield smtp


def state_of(data: Path) -> str | None:
    path = data / "sent" / f"{WEEK}.json"
    return json.loads(path.read_text())["state"] if path.exists() else None


def test_two_sends_at_once_deliver_one_message(tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    first = spawn_process(config, "send")
    time.sleep(0.05)
    second = spawn_process(config, "send")
    results = [p.communicate(timeout=60) + (p.returncode,) for p in (first, second)]
    assert [code for _, _, code in results] == [0, 0], results
    assert len(server.received) == 1 and server.handler.transactions == 1
    outs = sorted(out for out, _, _ in results)
    assert outs[0] == ""  # the one that sent: silent without a terminal
    assert outs[1].startswith("week ending 2023-02-10 already sent on 2023-02-13 09:00 +0900")
    assert all(err == "" for _, err, _ in results)
    assert state_of(tmp_path / "data") == "sent"


# What a rerun must find after a SIGKILL at each step, and what it then does.
AFTER_KILL = {
    # step: (state left, messages the server has, rerun exit status, messages after it)
    "locked": (None, 0, 0, 1),
    "sending-written": ("sending", 0, 0, 1),
    "eml-written": ("sending", 0, 0, 1),
    "handover-written": ("ambiguous", 0, 1, 0),
    "accepted": ("ambiguous", 1, 1, 1),
    "sent-written": ("sent", 1, 0, 1),
}


@pytest.mark.parametrize("step", STEPS)
def test_killed_at_each_step_a_rerun_delivers_at_most_once_and_nothing_is_lost(
        tmp_path: Path, step: str) -> None:
    assert set(AFTER_KILL) == set(STEPS)
    left, had, rerun_status, after = AFTER_KILL[step]
    with LoopbackSMTP() as server:
        config = write_config(tmp_path, port=server.port)
        data = tmp_path / "data"
        notes = (data / "weeks" / f"{WEEK}.yaml").read_bytes()
        snapshot = (data / "snapshots" / f"{WEEK}" / "jira.json").read_bytes()

        killed = run_process(config, "send", env={ENV_VAR: step})
        assert killed.returncode == -9, killed.stderr
        time.sleep(0.1)  # let the server notice the dropped connection
        assert state_of(data) == left
        assert len(server.received) == had

        rerun = run_process(config, "send")
        assert rerun.returncode == rerun_status, rerun.stderr
        assert len(server.received) == after <= 1
        if rerun_status == 1:
            assert "is ambiguous" in rerun.stderr and "--force" in rerun.stderr
            assert len(rerun.stderr.strip().splitlines()) == 1
        elif step == "sent-written":
            assert "already sent" in rerun.stdout

        # nothing is lost: the notes and snapshot as they were, a readable ledger, and
        # the bytes of whatever reached the server kept in the .eml
        assert (data / "weeks" / f"{WEEK}.yaml").read_bytes() == notes
        assert (data / "snapshots" / f"{WEEK}" / "jira.json").read_bytes() == snapshot
        ledger = json.loads((data / "sent" / f"{WEEK}.json").read_text())
        ids = {str(r.message["Message-ID"]) for r in server.received}
        assert ids <= {ledger["message_id"]}
        for got in server.received:
            assert got.data == (data / "sent" / f"{WEEK}.eml").read_bytes().replace(
                b"\n", b"\r\n")
        assert not [p for p in (data / "sent").iterdir() if p.name.endswith(".tmp")]
