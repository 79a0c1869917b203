"""No network read outlives its source's deadline: trickling servers and long Retry-After.

Each server here sends one byte a second, under a per-read timeout (2 s) that such a
server never trips; only the wall-clock deadline can end the read. The bounds are
generous (deadline + 3 s): they catch a hang, they are not a benchmark.
"""

from __future__ import annotations

import datetime as dt
import logging
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter.errors import SourceError
from reporter.sources.lore import fetch_thread
from reporter.sources.patch_http import Deadline, make_session
from reporter.sources.pipermail import resolve
from tests.deliver_helpers import run_cli, write_config
from tests.jira_helpers import TOKEN_ENV
from tests.patch_helpers import S1, S1_COVER, archive_for, build_repos, patchwork_data
from tests.servers.jira import LocalJira
from tests.servers.lore import ArchiveServer
from tests.servers.patchwork import Behaviour, PatchworkServer
from tests.servers.smtp import LoopbackSMTP

DEADLINE_S = 4.0
MARGIN_S = 3.0
IN_WEEK = "2023-02-08T10:00:00.000+0900"


@pytest.fixture
def smtp() -> Iterator[LoopbackSMTP]:
    with LoopbackSMTP() as server:
        yield server


def jira_yaml(url: str, *, attachments: bool = False) -> str:
    return textwrap.dedent(f"""\
        jira: {{server: '{url}', auth: token, user: takahiro.akashi@linaro.org,
               token_env: {TOKEN_ENV}, timeout_s: 2, deadline_s: {DEADLINE_S:g},
               attachments: {str(attachments).lower()}}}
        """)


def patches_yaml(patchwork: str) -> str:
    return textwrap.dedent(f"""\
        patches:
          submitter: takahiro.akashi@linaro.org
          patchwork: {{url: '{patchwork}', project: uboot}}
          timeout_s: 2
          deadline_s: {DEADLINE_S:g}
        """)


def timed_send(config: Path) -> tuple[float, int, list[str]]:
    started = time.monotonic()
    run = run_cli(config, "send")
    return time.monotonic() - started, run.status, run.err.strip().splitlines()


def test_a_trickling_jira_search_ends_the_send_by_the_deadline(
        tmp_path: Path, smtp: LoopbackSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "jira-test-token")
    with LocalJira("Cloud") as jira:
        jira.add_issue("STR-76", "Break down the latency")
        jira.trickle["/search"] = 1.0  # status line, headers and body: a byte a second
        config = write_config(tmp_path, port=smtp.port, top_extra=jira_yaml(jira.url))
        elapsed, status, err = timed_send(config)
        assert jira.seen("/serverInfo") and jira.seen("/search")
    assert status == 1 and smtp.received == []
    assert elapsed < DEADLINE_S + MARGIN_S
    [line] = err
    assert line.startswith("reporter: error: week 2023-02-10: jira: the pull took longer "
                           f"than {DEADLINE_S:g} s (timed out while reading http://127.0.0.1:")
    assert "/search" in line and "nothing was sent" in line


def test_a_jira_attachment_that_stalls_mid_body_ends_by_the_deadline(
        tmp_path: Path, smtp: LoopbackSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "jira-test-token")
    with LocalJira("Cloud") as jira:
        data = b"".join(b"%d\n" % (100 + i % 50) for i in range(20000))
        jira.add_issue("STR-76", "Break down the latency", attachments=[
            jira.attachment("10400", "latency-0208.csv", data, created=IN_WEEK)])
        # the headers and the first bytes at once, then a byte a second
        jira.trickle["/attachment/content/"] = (1.0, 600)
        config = write_config(tmp_path, port=smtp.port,
                              top_extra=jira_yaml(jira.url, attachments=True))
        elapsed, status, err = timed_send(config)
        assert jira.seen("/attachment/content/10400")
    assert status == 1 and smtp.received == []
    assert elapsed < DEADLINE_S + MARGIN_S
    [line] = err
    assert f"jira: the pull took longer than {DEADLINE_S:g} s (timed out while reading" in line
    assert "/attachment/content/10400" in line
    folder = tmp_path / "data" / "attachments"
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def test_a_trickling_patchwork_list_ends_the_send_by_the_deadline(
        tmp_path: Path, smtp: LoopbackSMTP) -> None:
    with PatchworkServer(patchwork_data()) as pw:
        pw.trickle["/api/1.3/patches/"] = 1.0
        config = write_config(tmp_path, port=smtp.port, top_extra=patches_yaml(pw.url))
        elapsed, status, err = timed_send(config)
        assert any("/patches/" in r for r in pw.requests)
    assert status == 1 and smtp.received == []
    assert elapsed < DEADLINE_S + MARGIN_S
    [line] = err
    assert (f"patchwork: timed out: the pull's deadline of {DEADLINE_S:g} s passed while "
            f"reading {pw.url}/api/1.3/patches/") in line
    assert "nothing was sent" in line


def test_a_retry_after_of_an_hour_fails_at_once(tmp_path: Path, smtp: LoopbackSMTP) -> None:
    with PatchworkServer(patchwork_data(), Behaviour(status=429, retry_after="3600")) as pw:
        config = write_config(tmp_path, port=smtp.port, top_extra=patches_yaml(pw.url))
        elapsed, status, err = timed_send(config)
        assert len(pw.requests) == 1  # no sleep, no second try: the wait is past the deadline
    assert status == 1 and elapsed < MARGIN_S
    [line] = err
    assert "patchwork: timed out: HTTP 429 from " in line
    assert f"asks to wait 3600 s before trying again, past the pull's deadline of " \
           f"{DEADLINE_S:g} s" in line


def test_retry_after_is_honoured_while_the_deadline_leaves_room() -> None:
    from reporter.config import PatchworkConfig
    from reporter.sources.patchwork import PatchworkClient

    with PatchworkServer(patchwork_data(), Behaviour(status=503, retry_after="1")) as pw:
        client = PatchworkClient(PatchworkConfig(pw.url, "uboot", "1.3"),
                                 make_session(retries=5), timeout_s=2,
                                 deadline=Deadline(2.5), max_pages=10)
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            client.series("takahiro.akashi@linaro.org", None)
        elapsed = time.monotonic() - started
        tries = len(pw.requests)
    # Waited 1 s twice; the third wait would have passed the deadline, so it stopped.
    assert tries == 3 and 2.0 <= elapsed < 2.5 + MARGIN_S
    assert "HTTP 503" in caught.value.message and "past the pull's deadline" in \
        caught.value.message


@pytest.fixture(scope="module")
def archive_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArchiveServer]:
    from tests.patch_helpers import pipermail_pages

    scenario = build_repos(tmp_path_factory.mktemp("repos"))
    with ArchiveServer(pipermail_pages(archive_for(scenario))) as server:
        yield server


def test_a_trickling_lore_thread_ends_by_the_deadline(archive_server: ArchiveServer) -> None:
    archive_server.trickle["/t.mbox.gz$"] = 1.0
    try:
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            fetch_thread(make_session(retries=2), archive_server.lore, S1[0], timeout_s=2,
                         deadline=Deadline(DEADLINE_S))
        elapsed = time.monotonic() - started
    finally:
        archive_server.trickle.clear()
    assert elapsed < DEADLINE_S + MARGIN_S
    assert caught.value.message.startswith(
        f"lore: timed out: the pull's deadline of {DEADLINE_S:g} s passed while reading "
        f"{archive_server.lore}/")
    assert "patches.deadline_s" in (caught.value.hint or "")


def test_a_trickling_pipermail_page_ends_by_the_deadline_and_links_lore(
        archive_server: ArchiveServer, caplog: pytest.LogCaptureFixture) -> None:
    archive_server.trickle["/pipermail/"] = 1.0
    try:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="reporter"):
            found = resolve(make_session(retries=2), archive_server.pipermail, S1_COVER,
                            dt.datetime(2023, 2, 7, 2, 15, tzinfo=dt.UTC),
                            "[PATCH v2 0/3] efi_loader: capsule: fix the update order",
                            timeout_s=2, deadline=Deadline(DEADLINE_S))
        elapsed = time.monotonic() - started
    finally:
        archive_server.trickle.clear()
    assert found is None  # the caller links lore instead
    assert elapsed < DEADLINE_S + MARGIN_S
    assert any(r.getMessage().startswith("pipermail: timed out: the pull's deadline of 4 s "
                                         "passed while reading ") for r in caplog.records)


def test_a_trickling_tls_server_ends_by_the_deadline_too(tmp_path: Path) -> None:
    from reporter.sources.patch_http import bind_deadline
    from tests.deliver_helpers import make_tls

    context, cafile = make_tls(tmp_path)
    with PatchworkServer(patchwork_data()) as pw:
        pw.httpd.socket = context.wrap_socket(pw.httpd.socket, server_side=True)
        url = pw.url.replace("http://", "https://") + "/api/1.3/series/301/"
        session = make_session(retries=0)
        bind_deadline(session, Deadline(30), "patchwork", url)
        # (verify= per request: REQUESTS_CA_BUNDLE in the environment beats session.verify)
        assert session.get(url, timeout=2, verify=str(cafile)).json()["id"] == 301
        pw.trickle["/series/"] = 1.0
        bind_deadline(session, Deadline(DEADLINE_S), "patchwork", url)
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            session.get(url, timeout=2, verify=str(cafile))
        elapsed = time.monotonic() - started
    assert elapsed < DEADLINE_S + MARGIN_S
    assert caught.value.message.startswith("patchwork: timed out: the pull's deadline of 4 s "
                                           "passed while reading https://127.0.0.1:")


def test_a_tls_handshake_that_trickles_ends_by_the_deadline() -> None:
    """A server that answers the ClientHello one byte a second: the handshake itself,
    before any HTTP, is cut off by the deadline. (CPython bounds a whole handshake by the
    socket's timeout; a timeout longer than the deadline shows the deadline acting.)"""
    import socket
    import threading

    from reporter.sources.patch_http import bind_deadline

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(4096)  # the ClientHello
            conn.sendall(b"\x16\x03\x03\x40\x00")  # a handshake record of 16 KiB ...
            while not stop.is_set():  # ... that comes a byte a second
                try:
                    conn.sendall(b"\x02")
                except OSError:
                    return
                stop.wait(1.0)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}/api/1.3/series/"
    session = make_session(retries=0)
    bind_deadline(session, Deadline(DEADLINE_S), "patchwork", url)
    started = time.monotonic()
    try:
        with pytest.raises(SourceError) as caught:
            session.get(url, timeout=30)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        listener.close()
        thread.join(5)
    assert elapsed < DEADLINE_S + MARGIN_S
    assert caught.value.message.startswith("patchwork: timed out: the pull's deadline of 4 s")
