"""A planted token appears in no output, log record, file or exception, on any failure path."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reporter.errors import ReporterError
from reporter.sources.jira import pull_jira
from tests.jira_helpers import (
    FAST,
    NOW,
    PLANTED,
    TOKEN_ENV,
    USER,
    WEEK_END,
    Records,
    forms,
    make_config,
)
from tests.servers.jira import LocalJira, MediaHost, Reply, Seen, fixture

IN_WEEK = "2023-02-08T10:15:00.000+0900"


@pytest.fixture
def records() -> Iterator[Records]:
    """Every log record at DEBUG, from our loggers and the libraries' (requests, urllib3)."""
    handler = Records()
    names = ["", "reporter", "reporter.sources.jira", "urllib3", "requests", "jira"]
    loggers = [logging.getLogger(n) for n in names]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False
        if lg.name != "jira":  # jira's level is the library's own choice (CRITICAL)
            lg.setLevel(logging.DEBUG)
    yield handler
    for lg, (level, propagate) in zip(loggers, saved, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)
        lg.propagate = propagate


@pytest.fixture(autouse=True)
def no_user_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


def echo_auth(seen: Seen) -> dict[str, object]:
    """A careless proxy that quotes the request's Authorization header in its error."""
    return {"errorMessages": [f"bad request; you sent {seen.headers.get('Authorization')}"],
            "errors": {}}


def html_echo(seen: Seen) -> str:
    return f"<html><body>Log in. Debug: {seen.headers.get('Authorization')}</body></html>"


Setup = Callable[[LocalJira, MediaHost], dict[str, object]]


def _wrong_token(j: LocalJira, m: MediaHost) -> dict[str, object]:
    j.token = "another-token"
    return {}


def _script(path: str, *replies: Reply, **keys: object) -> Setup:
    def setup(j: LocalJira, m: MediaHost) -> dict[str, object]:
        j.script(path, *replies)
        return dict(keys)
    return setup


def _claims_server(j: LocalJira, m: MediaHost) -> dict[str, object]:
    j.script("/serverInfo", Reply(200, fixture("serverinfo-server.json")))
    return {}


def _stopped(j: LocalJira, m: MediaHost) -> dict[str, object]:
    j.stop()
    return {}


def _attachment(status: int | None = None, **keys: object) -> Setup:
    def setup(j: LocalJira, m: MediaHost) -> dict[str, object]:
        j.media = m
        j.issues[0]["fields"]["attachment"] = [
            j.attachment("10400", "latency.csv", b"1\n" * 5000, created=IN_WEEK)]
        if status == 404:
            j.contents.pop("10400")
            j.script("/attachment/content", Reply(303, b"", {
                "Location": f"{m.url}/file/404/binary?token=media-token"}))
        elif status == 0:  # the body stops half-way
            j.media = None
            j.script("/attachment/content", Reply(200, b"1\n" * 100, {
                "Content-Length": "10000", "Connection": "close"}))
        return dict(keys)
    return setup


FAILURES: dict[str, tuple[Setup, bool]] = {
    # name: (setup, raises)
    "401 wrong token": (_wrong_token, True),
    "403 captcha": (_script("/myself", Reply(403, b"", {
        "X-Authentication-Denied-Reason": "CAPTCHA_CHALLENGE; login-url=https://x/login.jsp"
    })), True),
    "404 server URL": (_script("/serverInfo", Reply(404, echo_auth)), True),
    "410 removed search": (_claims_server, True),
    "400 echoing the header": (_script("/search", Reply(400, echo_auth)), True),
    "500 echoing the header": (_script("/field", Reply(500, echo_auth)), True),
    "429 exhausted": (_script("/search", *[Reply(429, echo_auth, {"Retry-After": "0"})] * 5),
                      True),
    "503 past the deadline": (_script("/myself", Reply(503, b"", {"Retry-After": "3600"})),
                              True),
    "502 exhausted": (_script("/search", *[Reply(502, html_echo)] * 5), True),
    "read timeout": (_script("/myself", *[Reply(200, {}, delay_s=0.4)] * 5, timeout_s=0.1),
                     True),
    "refused": (_stopped, True),
    "HTML on 200": (_script("/search", Reply(200, html_echo,
                                             {"Content-Type": "text/html"})), True),
    "bad JSON": (_script("/search", Reply(200, f'{{"issues": ["{PLANTED}"',
                                          {"Content-Type": "application/json"})), True),
    "wrong shape": (_script("/myself", Reply(200, ["not", "me"])), True),
    "repeated token": (_script("/search/jql", *[Reply(200, {
        "issues": [{"id": "1", "key": "STR-1", "fields": {}}], "nextPageToken": t,
        "isLast": False}) for t in ("a", "b", "a")]), True),
    "attachment redirected to a 404": (_attachment(404), True),
    "attachment broken off": (_attachment(0), True),
    "attachment too big": (_attachment(None, max_attachment_mb=0.001), False),
    "success": (lambda j, m: {}, False),
}


@pytest.mark.parametrize("auth", ["token", "pat"])
@pytest.mark.parametrize("case", list(FAILURES))
def test_the_token_never_shows(tmp_path: Path, records: Records,
                               capsys: pytest.CaptureFixture[str], auth: str,
                               case: str) -> None:
    setup, raises = FAILURES[case]
    with LocalJira("Cloud", user=USER, token=PLANTED,
                   auth="basic" if auth == "token" else "bearer") as jira, MediaHost() as media:
        jira.add_issue("STR-76", "x")
        keys = setup(jira, media)
        config = make_config(tmp_path, jira.url, auth=auth, **keys)
        caught: ReporterError | None = None
        try:
            pull_jira(config, WEEK_END, NOW, environ={TOKEN_ENV: PLANTED}, policy=FAST)
        except ReporterError as exc:
            caught = exc
        assert (caught is not None) == raises, caught
        texts = list(records.texts)
        if caught is not None:
            texts += [str(caught), repr(caught), caught.message, caught.hint or "",
                      "".join(traceback.format_exception(caught))]
            link: BaseException | None = caught
            while link is not None:  # every chained exception, shown or not
                texts.append(f"{link!s} {link!r} {link.args!r}")
                link = link.__cause__ or link.__context__
        out = capsys.readouterr()
        texts += [out.out, out.err]
        for path in tmp_path.rglob("*"):
            if path.is_file():
                texts.append(path.read_bytes().decode("utf-8", "replace"))
        # The server really saw the token (the test could fail) ...
        assert any(PLANTED in r.headers.get("Authorization", "") or
                   forms()[2] in r.headers.get("Authorization", "")
                   for r in jira.requests) or case == "refused"
        # ... and it went nowhere else.
        for text in texts:
            for form in forms():
                assert form not in text, f"{case}: the token leaked into: {text[:300]!r}"
