"""A planted token appears in no comment, output, log record or file of the Jira write-back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.deliver_helpers import run_cli
from tests.jira_helpers import PLANTED, Records, forms
from tests.jira_write_helpers import NOTES, TOKEN_ENV, USER, configure, posts, servers
from tests.servers.jira import LocalJira, Reply, Seen


@pytest.fixture
def records() -> Iterator[Records]:
    """Every log record, ours (at DEBUG, with --debug) and the HTTP libraries'."""
    handler = Records()
    loggers = [logging.getLogger(n) for n in ("reporter", "urllib3", "requests")]
    saved = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield handler
    for lg, level in zip(loggers, saved, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, PLANTED)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


def echo_auth(seen: Seen) -> dict[str, object]:
    """A careless proxy that quotes the request's Authorization header in its error."""
    return {"errorMessages": [f"refused; you sent {seen.headers.get('Authorization')}"],
            "errors": {}}


def html_echo(seen: Seen) -> str:
    return f"<html><body>Log in. Debug: {seen.headers.get('Authorization')}</body></html>"


Setup = Callable[[LocalJira], None]

CASES: dict[str, tuple[Setup, int]] = {
    # name: (what the Jira does, the exit status of the send)
    "success": (lambda j: None, 0),
    "403 echoing the header": (lambda j: j.script(r"/STR-76/comment$", Reply(403, echo_auth)), 1),
    "500 echoing the header": (lambda j: j.script(r"/STR-68/comment$", Reply(500, echo_auth)), 1),
    "400 on the transition": (lambda j: j.script(r"/transitions$", Reply(400, echo_auth)), 1),
    "HTML on 200": (lambda j: j.script(r"/issue/STR-76$", Reply(200, html_echo, {
        "Content-Type": "text/html"})), 1),
    "timeout on the POST": (lambda j: j.script(r"/comment$", Reply(201, {}, delay_s=1.0)), 1),
    "unknown transition": (lambda j: j.workflow.update({"In Progress": []}), 1),
}


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
@pytest.mark.parametrize("case", list(CASES))
def test_the_token_never_shows_in_the_write_back(tmp_path: Path, records: Records,
                                                 deployment: str, case: str) -> None:
    setup, status = CASES[case]
    with servers(deployment) as (smtp, jira):
        jira.token = PLANTED
        config = configure(tmp_path, smtp, jira, timeout_s=0.5)
        dry = run_cli(config, "--debug", "send", "--dry-run")
        setup(jira)
        run = run_cli(config, "--debug", "send")
        dry_sync = run_cli(config, "--debug", "jira-sync", "--dry-run")
        again = run_cli(config, "--debug", "jira-sync")
        assert run.status == status, run.err
        # the server really saw the token (the test could fail) ...
        assert any(forms(USER)[2] in r.headers.get("Authorization", "") or
                   PLANTED in r.headers.get("Authorization", "") for r in jira.requests)
        assert posts(jira)  # ... and comments were posted
        texts = [str(comment["body"]) for c in jira.comments.values() for comment in c]
    texts += records.texts + [r.out + r.err for r in (dry, run, dry_sync, again)]
    texts += [p.read_bytes().decode("utf-8", "replace") for p in tmp_path.rglob("*")
              if p.is_file() and p.name != "config.yaml"]
    for text in texts:
        for form in forms(USER):
            assert form not in text, f"{case}: the token leaked into: {text[:300]!r}"


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_a_token_pasted_into_the_notes_is_posted_as_stars(tmp_path: Path,
                                                          deployment: str) -> None:
    notes = NOTES.replace("- Finished the write-up.", f"- Finished; token {PLANTED} oops")
    with servers(deployment) as (smtp, jira):
        jira.token = PLANTED
        config = configure(tmp_path, smtp, jira, notes=notes)
        dry = run_cli(config, "send", "--dry-run")
        assert run_cli(config, "send").status == 0
        [posted] = [str(c["body"]) for c in jira.comments["STR-68"]]
    assert "Finished; token *** oops" in posted and PLANTED not in posted
    _, _, shown = dry.out.partition("--- jira (dry run")
    assert "Finished; token *** oops" in shown and PLANTED not in shown
