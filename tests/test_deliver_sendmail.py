"""`send` through the sendmail transport: a real child process, its argv and its stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from reporter.deliver.message import Envelope
from reporter.deliver.sendmail import sendmail_argv
from tests.deliver_helpers import SENDER, WEEK, ledger_json, run_cli, write_config

FAKE = Path(__file__).resolve().parent / "fixtures" / "deliver" / "fake_sendmail.py"


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "sendmail-calls"
    folder.mkdir()
    monkeypatch.setenv("FAKE_SENDMAIL_DIR", str(folder))
    return folder


def config_for(tmp_path: Path, *, extra_args: str = "", retries: int = 0,
               to: tuple[str, ...] | None = None) -> Path:
    return write_config(tmp_path, transport="sendmail", retries=retries, to=to,
                        mail_extra=f"sendmail: [{sys.executable}, {FAKE}{extra_args}]\n")


def recorded(folder: Path) -> list[dict[str, object]]:
    return [json.loads((folder / f"call-{n}.json").read_text())
            for n in range(1, len(list(folder.glob("call-*.json"))) + 1)]


def test_the_message_goes_on_stdin_and_the_recipients_after_dashdash(
        tmp_path: Path, calls: Path) -> None:
    config = config_for(tmp_path, extra_args=", -t, -oi")
    run = run_cli(config, "send")
    assert (run.status, run.out, run.err) == (0, "", "")
    [call] = recorded(calls)
    # -t is dropped: Sendmail would then ignore the recipients given as arguments
    assert call["argv"] == ["-oi", "-i", "--", "team@example.org", "alex.bennee@example.org",
                            SENDER]
    eml = (tmp_path / "data" / "sent" / f"{WEEK}.eml").read_bytes()
    assert bytes.fromhex(str(call["stdin_hex"])) == eml
    assert b"\r\n" not in eml  # local line ends for a local command
    assert ledger_json(config)["state"] == "sent"


def test_an_address_that_looks_like_an_option_stays_an_address(tmp_path: Path,
                                                               calls: Path) -> None:
    config = config_for(tmp_path, to=("-oQ/tmp/x@example.org",))
    assert run_cli(config, "send").status == 0
    [call] = recorded(calls)
    argv = call["argv"]
    assert isinstance(argv, list)
    assert argv[argv.index("--") + 1:] == ["-oQ/tmp/x@example.org", SENDER]


def test_exit_75_is_temporary_and_the_next_run_sends_once(tmp_path: Path, calls: Path) -> None:
    (calls / "exits.txt").write_text("75\n")
    config = config_for(tmp_path)
    first = run_cli(config, "send")
    assert first.status == 1 and "exited 75 (temporary failure)" in first.err
    assert "451 4.3.0 try later" in first.err and len(first.err.strip().splitlines()) == 1
    assert ledger_json(config)["state"] == "sending"
    assert run_cli(config, "send").status == 0
    assert "already sent" in run_cli(config, "send").out
    assert len(recorded(calls)) == 2  # the refused one and the one that went


def test_exit_75_is_retried_within_the_run(tmp_path: Path, calls: Path) -> None:
    (calls / "exits.txt").write_text("75\n75\n")
    config = config_for(tmp_path, retries=2)
    assert run_cli(config, "send").status == 0
    assert len(recorded(calls)) == 3
    outcomes = [a["outcome"] for a in ledger_json(config)["attempts"]]
    assert outcomes == ["failed", "failed", "sent"]


def test_another_exit_status_is_a_failure_that_is_not_retried(tmp_path: Path,
                                                              calls: Path) -> None:
    (calls / "exits.txt").write_text("1\n")
    config = config_for(tmp_path, retries=3)
    run = run_cli(config, "send")
    assert run.status == 1 and "exited 1: sendmail: fatal: exit 1" in run.err
    assert len(recorded(calls)) == 1
    assert ledger_json(config)["state"] == "refused"
    # not resubmitted by the next run; --force hands it over again
    again = run_cli(config, "send")
    assert again.status == 1 and "refused" in again.err and len(recorded(calls)) == 1
    assert run_cli(config, "send", "--force").status == 0
    assert len(recorded(calls)) == 2 and ledger_json(config)["state"] == "sent"


def test_killed_after_reading_the_message_is_ambiguous(tmp_path: Path, calls: Path) -> None:
    (calls / "exits.txt").write_text("-9\n")
    config = config_for(tmp_path)
    run = run_cli(config, "send")
    assert run.status == 1 and "killed by signal 9" in run.err
    assert ledger_json(config)["state"] == "ambiguous"
    again = run_cli(config, "send")
    assert again.status == 1 and "is ambiguous" in again.err
    assert len(recorded(calls)) == 1


def test_a_missing_program_is_reported_and_nothing_is_sent(tmp_path: Path) -> None:
    config = write_config(tmp_path, transport="sendmail",
                          mail_extra=f"sendmail: [{tmp_path / 'no-such-sendmail'}]\n")
    run = run_cli(config, "send")
    assert run.status == 1 and "no such program" in run.err
    assert ledger_json(config)["state"] == "sending"


def test_argv_is_built_without_a_shell() -> None:
    env = Envelope("a@example.org", ("b@example.org", "$(rm -rf ~)@example.org"))
    assert sendmail_argv(("~/bin/msmtp", "-t", "--read-recipients", "-a", "work"), env)[1:] == [
        "-a", "work", "-i", "--", "b@example.org", "$(rm -rf ~)@example.org"]
