"""`send` over SMTP against a real aiosmtpd server on a loopback port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter.deliver.ledger import eml_path, read_ledger
from reporter.deliver.send import SendOptions, send_week
from tests.deliver_helpers import (
    SENDER,
    WEEK,
    ledger_json,
    make_context,
    make_tls,
    run_cli,
    write_config,
    write_jira_snapshot,
)
from tests.servers.smtp import LoopbackSMTP, Script

PASSWORD = "s3cr3t-Pa55word"  # noqa: S105 - a test password for the loopback server


@pytest.fixture(autouse=True)
def no_user_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)


@pytest.fixture
def server() -> Iterator[LoopbackSMTP]:
    with LoopbackSMTP() as smtp:
        yield smtp


def sent_bytes(config: Path) -> bytes:
    return eml_path(config.parent / "data", WEEK).read_bytes()


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def test_a_normal_send_delivers_the_exact_message_and_envelope(tmp_path: Path,
                                                                server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port)
    write_jira_snapshot(config)
    run = run_cli(config, "send")
    assert (run.status, run.out, run.err) == (0, "", "")  # under cron: silent
    [got] = server.received
    assert got.mail_from == SENDER
    assert got.rcpt_tos == ["team@example.org", "alex.bennee@example.org", SENDER]
    assert got.data == crlf(sent_bytes(config))
    msg = got.message
    assert msg.get_content() == (
        "Stratos\n=======\n[STR-76] (Break down the latency)\n"
        "* Still continued to investigate a big latency observed in a long run.\n\n\n"
        "=== Patch status ===\n\n"
        "=== Issues ===\n* I still need a PCIe card for SR-IOV testing.\n\n"
        "=== Travel&Holiday&Event ===\n")
    assert str(msg["Date"]) == "Mon, 13 Feb 2023 09:00:00 +0900"
    assert "Bcc" not in msg
    doc = ledger_json(config)
    assert doc["state"] == "sent" and doc["message_id"] == str(msg["Message-ID"])
    [attempt] = doc["attempts"]
    assert attempt["recipients"] == got.rcpt_tos and attempt["refused"] == []


@pytest.mark.parametrize("summary", [
    "Fix it\r\nBcc: x@evil.example",
    "Fix it\n",
    "Fix it =?utf-8?q?=0D=0ABcc=3A_x=40evil=2Eexample?=",
])
def test_a_card_summary_never_adds_a_header_or_recipient(tmp_path: Path, server: LoopbackSMTP,
                                                         summary: str) -> None:
    config = write_config(tmp_path, port=server.port)
    write_jira_snapshot(config, summary)
    assert run_cli(config, "send").status == 0
    [got] = server.received
    assert got.rcpt_tos == ["team@example.org", "alex.bennee@example.org", SENDER]
    head = got.data.split(b"\r\n\r\n", 1)[0]
    assert b"Bcc" not in head and b"evil" not in head
    assert "Bcc" not in got.message


def test_starttls_and_auth_with_the_password_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tls, cafile = make_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cafile))
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    with LoopbackSMTP(tls=tls, users={SENDER: PASSWORD}) as server:
        config = write_config(tmp_path, port=server.port, security="starttls",
                              smtp_extra=f", user: {SENDER}, password_env: SMTP_PASSWORD")
        run = run_cli(config, "send")
        assert (run.status, run.err) == (0, "")
        [got] = server.received
    assert got.tls and got.login == SENDER
    assert PASSWORD.encode() not in (tmp_path / "data" / "sent" / f"{WEEK}.json").read_bytes()


def test_auth_with_the_password_from_netrc_over_implicit_tls(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tls, cafile = make_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cafile))
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {SENDER} password {PASSWORD}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with LoopbackSMTP(tls=tls, implicit_tls=True, users={SENDER: PASSWORD}) as server:
        config = write_config(tmp_path, port=server.port, security="ssl")
        assert run_cli(config, "send").status == 0
        [got] = server.received
    assert got.tls and got.login == SENDER


def test_a_wrong_password_sends_nothing_and_never_shows_the_secret(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tls, cafile = make_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cafile))
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    with LoopbackSMTP(tls=tls, users={SENDER: "another"}) as server:
        config = write_config(tmp_path, port=server.port, security="starttls",
                              smtp_extra=f", user: {SENDER}, password_env: SMTP_PASSWORD")
        run = run_cli(config, "send")
        assert server.received == []
    assert run.status == 1
    assert "535" in run.err and "$SMTP_PASSWORD" in run.err
    assert len(run.err.strip().splitlines()) == 1
    every_file = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
    for text in (run.err, run.out, every_file.decode("utf-8", "replace")):
        assert PASSWORD not in text
    # the server refused the login for good: no run logs in again by itself
    assert ledger_json(config)["state"] == "refused"


def test_a_missing_password_stops_before_the_ledger_with_exit_2(tmp_path: Path,
                                                                 server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port, security="none",
                          smtp_extra=f", user: {SENDER}, password_env: SMTP_PASSWORD")
    run = run_cli(config, "send")
    assert run.status == 2 and "SMTP_PASSWORD is not set" in run.err
    assert not (tmp_path / "data" / "sent").exists()


def test_starttls_missing_on_the_server_sends_nothing_in_the_clear(
        tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port, security="starttls")
    run = run_cli(config, "send")
    assert run.status == 1 and "does not offer STARTTLS" in run.err
    assert server.received == [] and ledger_json(config)["state"] == "sending"


def test_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    tls, _cafile = make_tls(tmp_path)  # SSL_CERT_FILE not set: the system CAs only
    with LoopbackSMTP(tls=tls) as server:
        config = write_config(tmp_path, port=server.port, security="starttls")
        run = run_cli(config, "send")
        assert server.received == []
    assert run.status == 1 and "certificate not trusted" in run.err


@pytest.mark.parametrize("script", [
    Script(rcpt_replies=["451 4.3.0 try again later"]),
    Script(rcpt_replies=["421 4.4.5 too busy"] * 3),
    Script(data_replies=["451 4.3.0 local error"]),
    Script(data_replies=["421 4.3.2 shutting down"]),
], ids=["451-at-rcpt", "421-at-rcpt", "451-at-data", "421-at-data"])
def test_a_temporary_refusal_leaves_the_week_unsent_and_a_rerun_sends_once(
        tmp_path: Path, script: Script) -> None:
    with LoopbackSMTP(script) as server:
        config = write_config(tmp_path, port=server.port, retries=0)
        first = run_cli(config, "send")
        assert first.status == 1
        assert len(first.err.strip().splitlines()) == 1 and "nothing was sent" in first.err
        assert server.received == [] or script.rcpt_replies  # RCPT refused: partial at most
        doc = ledger_json(config)
        assert doc["state"] == "sending"
        message_id = doc["message_id"]
        second = run_cli(config, "send")
        third = run_cli(config, "send")
    assert (second.status, third.status) == (0, 0)
    assert "already sent" in third.out
    full = [r for r in server.received if len(r.rcpt_tos) == 3]
    assert len(full) == 1 and str(full[0].message["Message-ID"]) == message_id


def test_a_temporary_refusal_is_retried_within_the_run(tmp_path: Path) -> None:
    script = Script(data_replies=["451 4.3.0 try later", "421 4.3.2 busy"])
    with LoopbackSMTP(script) as server:
        config = write_config(tmp_path, port=server.port, retries=3)
        run = run_cli(config, "send")
        assert len(server.received) == 1 and server.handler.transactions == 3
    assert run.status == 0
    doc = ledger_json(config)
    assert [a["outcome"] for a in doc["attempts"]] == ["failed", "failed", "sent"]


def test_retries_are_bounded(tmp_path: Path) -> None:
    script = Script(data_replies=["451 4.3.0 try later"] * 10)
    with LoopbackSMTP(script) as server:
        config = write_config(tmp_path, port=server.port, retries=2)
        run = run_cli(config, "send")
        assert server.handler.transactions == 3 and server.received == []
    assert run.status == 1 and "after 3 tries" in run.err
    assert ledger_json(config)["state"] == "sending"


@pytest.mark.parametrize("script", [
    Script(data_replies=["550 5.7.1 message refused as spam"]),
    Script(refuse_rcpt={a: "550 5.1.1 no such user" for a in
                        ("team@example.org", "alex.bennee@example.org", SENDER)}),
], ids=["550-at-data", "550-at-every-rcpt"])
def test_a_permanent_refusal_is_recorded_refused_and_only_force_resends_it(
        tmp_path: Path, script: Script) -> None:
    with LoopbackSMTP(script) as server:
        config = write_config(tmp_path, port=server.port, retries=3)
        run = run_cli(config, "send")
        assert server.handler.transactions <= 1 and server.received == []
        assert run.status == 1 and "550" in run.err and "nothing was sent" in run.err
        assert "marked refused" in run.err and len(run.err.strip().splitlines()) == 1
        doc = ledger_json(config)
        assert doc["state"] == "refused" and len(doc["attempts"]) == 1
        [attempt] = doc["attempts"]
        assert attempt["outcome"] == "refused" and "550 5." in attempt["reason"]
        # the next cron run does not resubmit it: it says so and exits 1
        again = run_cli(config, "send")
        assert again.status == 1 and server.handler.transactions <= 1
        assert "refused by the mail server" in again.err and "550" in again.err
        assert "reporter send --week 2023-02-10 --force" in again.err
        assert len(again.err.strip().splitlines()) == 1
        assert len(ledger_json(config)["attempts"]) == 1
        # status names it refused, not pending
        status = run_cli(config, "status")
        assert "  refused    2023-02-10" in status.out, status.out
        assert "pending    none" in status.out
        # once the cause is fixed, --force sends it, with the same Message-ID
        script.refuse_rcpt.clear()
        script.data_replies.clear()
        forced = run_cli(config, "send", "--force")
        assert forced.status == 0, forced.err
        [got] = server.received
    after = ledger_json(config)
    assert after["state"] == "sent" and after["message_id"] == doc["message_id"]
    assert got.message["Message-ID"] == doc["message_id"]
    assert [a["outcome"] for a in after["attempts"]] == ["refused", "sent"]


def test_partial_recipient_refusal_is_reported(tmp_path: Path) -> None:
    script = Script(refuse_rcpt={"alex.bennee@example.org": "550 5.1.1 no such user"})
    with LoopbackSMTP(script) as server:
        config = write_config(tmp_path, port=server.port)
        run = run_cli(config, "send")
        [got] = server.received
        again = run_cli(config, "send")
    assert got.rcpt_tos == ["team@example.org", SENDER]
    assert run.status == 1
    assert "refused 1 recipient(s): alex.bennee@example.org (550 5.1.1 no such user)" in run.err
    assert len(run.err.strip().splitlines()) == 1
    doc = ledger_json(config)
    assert doc["state"] == "sent"
    assert doc["attempts"][-1]["refused"] == [
        {"recipient": "alex.bennee@example.org", "reply": "550 5.1.1 no such user"}]
    assert again.status == 0 and "already sent" in again.out and len(server.received) == 1


def test_a_connection_dropped_in_the_middle_of_data_leaves_the_week_unsent(
        tmp_path: Path) -> None:
    # The message is larger than the client's socket buffer can grow (the server's is
    # small), so the drop is seen while sending: the final dot never left, and the
    # server cannot have taken the message.
    lines = (2 * send_buffer_max() + (1 << 20)) // 32 + 1
    big = "".join(f"line {i:07d} of a long report.\n" for i in range(lines))
    with LoopbackSMTP(Script(drop_mid_data=1)) as server:
        config = write_config(tmp_path, port=server.port)
        ctx, _ = make_context(config)
        with pytest.raises(Exception) as err:
            send_week(ctx.config, WEEK, SendOptions(), now=ctx.now, render=lambda stale: big,
                      pull=lambda: ())
        assert "while sending the message" in str(err.value)
        assert "ambiguous" not in str(err.value)
        entry = read_ledger(tmp_path / "data", WEEK)
        assert entry is not None and entry.state == "sending"
        assert send_week(ctx.config, WEEK, SendOptions(), now=ctx.now, render=lambda stale: big,
                         pull=lambda: ()).outcome == "sent"
        [got] = server.received
    assert got.message.get_content() == big
    assert str(got.message["Message-ID"]) == entry.message_id


def send_buffer_max() -> int:
    """How far Linux lets a TCP send buffer grow by itself (net.ipv4.tcp_wmem, the max)."""
    try:
        return int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, IndexError, ValueError):
        return 4 << 20


def test_a_connection_dropped_after_the_final_dot_is_ambiguous(tmp_path: Path) -> None:
    with LoopbackSMTP(Script(data_replies=["drop-after-dot"])) as server:
        config = write_config(tmp_path, port=server.port, retries=3)
        first = run_cli(config, "send")
        assert len(server.received) == 1  # the server has it; the client never heard
        assert first.status == 1 and "ambiguous" in first.err
        assert ledger_json(config)["state"] == "ambiguous"
        second = run_cli(config, "send")
        assert second.status == 1 and "is ambiguous" in second.err and "--force" in second.err
        assert len(server.received) == 1  # not resent by itself
        forced = run_cli(config, "send", "--force")
        assert forced.status == 0 and len(server.received) == 2
    first_id, second_id = (str(r.message["Message-ID"]) for r in server.received)
    assert first_id == second_id == ledger_json(config)["message_id"]
    assert ledger_json(config)["state"] == "sent"


def test_no_answer_after_the_final_dot_times_out_as_ambiguous(tmp_path: Path) -> None:
    with LoopbackSMTP(Script(data_delay_s=3)) as server:
        config = write_config(tmp_path, port=server.port, timeout_s=0.5)
        run = run_cli(config, "send")
    assert run.status == 1 and "before the server confirmed" in run.err
    assert ledger_json(config)["state"] == "ambiguous"


def test_a_server_that_never_greets_times_out(tmp_path: Path) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        config = write_config(tmp_path, port=silent.getsockname()[1],
                              timeout_s=0.5)
        timer = threading.Timer(10, silent.close)
        timer.start()
        try:
            run = run_cli(config, "send")
        finally:
            timer.cancel()
    assert run.status == 1 and "timed out" in run.err and "nothing was sent" in run.err
    assert ledger_json(config)["state"] == "sending"


def test_a_refused_connection_fails_before_anything_is_handed_over(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    config = write_config(tmp_path, port=port, retries=1)
    run = run_cli(config, "send")
    assert run.status == 1 and "cannot talk to the server" in run.err
    doc = ledger_json(config)
    assert doc["state"] == "sending" and len(doc["attempts"]) == 2


def test_non_ascii_text_goes_as_8bitmime(tmp_path: Path, server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port, notes=(
        "sections:\n  Stratos:\n    misc:\n      - Réunion avec l'équipe 秋下\n"))
    assert run_cli(config, "send").status == 0
    [got] = server.received
    assert "BODY=8BITMIME" in got.mail_options
    assert got.message.get_content_charset() == "utf-8"
    assert "Réunion avec l'équipe 秋下" in got.message.get_content()


def test_a_line_with_a_lone_dot_survives_the_smtp_transparency(tmp_path: Path,
                                                               server: LoopbackSMTP) -> None:
    body = "first\n.\n..two dots\n.leading dot\n"
    config = write_config(tmp_path, port=server.port)
    ctx, _ = make_context(config)
    assert send_week(ctx.config, WEEK, SendOptions(), now=ctx.now, render=lambda stale: body,
                     pull=lambda: ()).outcome == "sent"
    [got] = server.received
    assert got.message.get_content() == body
    assert got.data == crlf(sent_bytes(config))
