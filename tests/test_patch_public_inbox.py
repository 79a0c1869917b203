"""lore's own software: a real public-inbox serves the thread that the lore source reads."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from reporter.sources.lore import fetch_thread, thread_facts
from reporter.sources.patch_http import Deadline, make_session
from tests.patch_helpers import S1, S1_COVER, SUBMITTER, Scenario, build_repos, s1_thread
from tests.servers.lore import Archive, ArchiveServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("public-inbox-httpd") is None,
                       reason="Debian's public-inbox is not installed "
                       "(apt-get install public-inbox)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_repos(tmp_path_factory.mktemp("repos"))


@pytest.fixture(scope="module")
def inbox(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The S1 thread delivered to a v2 inbox and served by public-inbox-httpd on loopback."""
    home = tmp_path_factory.mktemp("public-inbox")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "PI_CONFIG": str(home / "pi_config"), "LC_ALL": "C",
           "ORIGINAL_RECIPIENT": "u-boot@lists.denx.de"}

    def run(*args: str, stdin: bytes | None = None) -> None:
        subprocess.run(args, input=stdin, env=env, check=True, capture_output=True)

    run("public-inbox-init", "-V2", "u-boot", str(home / "inbox"), "http://127.0.0.1/u-boot",
        "u-boot@lists.denx.de")
    run("git", "config", "-f", env["PI_CONFIG"], "publicinboxmda.spamcheck", "none")
    for raw in s1_thread(scenario).values():
        run("public-inbox-mda", stdin=raw)
    run("public-inbox-index", str(home / "inbox"))
    port = _free_port()
    httpd = subprocess.Popen(["public-inbox-httpd", "-l", f"http://127.0.0.1:{port}"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/u-boot"
    finally:
        httpd.terminate()
        httpd.wait(timeout=10)


def test_a_real_inbox_gives_the_same_facts_as_the_fixture_server(inbox: str,
                                                                  scenario: Scenario) -> None:
    session = make_session(retries=0)
    real = fetch_thread(session, inbox, S1[1], timeout_s=10, deadline=Deadline(60))
    assert real is not None
    assert {m.msgid for m in real} == set(s1_thread(scenario))
    archive = Archive()
    archive.add_thread(s1_thread(scenario))
    with ArchiveServer(archive) as server:
        ours = fetch_thread(session, server.lore, S1[1], timeout_s=10, deadline=Deadline(60))
    assert ours is not None
    targets = [S1_COVER, *S1]
    real_facts = thread_facts(real, targets, [SUBMITTER[1]])
    our_facts = thread_facts(ours, targets, [SUBMITTER[1]])
    assert real_facts.tags == our_facts.tags and len(real_facts.tags) == 5
    assert real_facts.applied == our_facts.applied
    # The patch mails come back byte for byte in their body (mboxrd quoting undone).
    for msgid in S1:
        assert real_facts.patch_texts[msgid] == our_facts.patch_texts[msgid]


def test_an_unknown_message_is_not_in_the_real_inbox(inbox: str) -> None:
    assert fetch_thread(make_session(retries=0), inbox, "nobody@example.org", timeout_s=10,
                        deadline=Deadline(60)) is None
