"""The Jira HTTP session: timeouts, retries, Retry-After in both forms, the deadline, auth."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator

import pytest

from reporter.errors import SourceError
from reporter.sources.jira.session import (
    BasicAuth,
    Deadline,
    JiraSession,
    RetryPolicy,
    retry_after_s,
)
from tests.servers.jira import LocalJira, MediaHost, Reply

NOW_EPOCH = 1_676_246_400.0  # 2023-02-13 00:00:00 UTC
POLICY = RetryPolicy(max_retries=3, backoff_base_s=0.5, backoff_max_s=4.0)


@pytest.fixture
def jira() -> Iterator[LocalJira]:
    with LocalJira("Server", auth="none") as server:
        yield server


class Sleeps(list[float]):
    """Records the waits instead of sleeping: the waits themselves are what is tested."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def session(jira: LocalJira | str, *, sleeps: Sleeps | None = None, timeout_s: float = 5.0,
            deadline_s: float = 60.0, policy: RetryPolicy = POLICY) -> JiraSession:
    return JiraSession(server=jira if isinstance(jira, str) else jira.url,
                       auth=BasicAuth("me@example.org", "s3cret"),
                       auth_note="user me@example.org", timeout_s=timeout_s,
                       deadline=Deadline(deadline_s), policy=policy,
                       sleep=sleeps if sleeps is not None else time.sleep,
                       wallclock=lambda: NOW_EPOCH)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_s("120", NOW_EPOCH) == 120.0
    date = email.utils.formatdate(NOW_EPOCH + 30, usegmt=True)  # "Mon, 13 Feb 2023 00:00:30 GMT"
    assert retry_after_s(date, NOW_EPOCH) == 30.0
    assert retry_after_s(email.utils.formatdate(NOW_EPOCH - 5, usegmt=True), NOW_EPOCH) == 0.0
    assert retry_after_s("soon", NOW_EPOCH) is None
    assert retry_after_s(None, NOW_EPOCH) is None


@pytest.mark.parametrize(("status", "header", "expected_wait"), [
    (429, "7", 7.0),
    (429, email.utils.formatdate(NOW_EPOCH + 30, usegmt=True), 30.0),
    (503, "2", 2.0),
    (503, None, 0.5),  # no Retry-After: back off
])
def test_429_and_503_wait_as_retry_after_says(jira: LocalJira, status: int, header: str | None,
                                              expected_wait: float) -> None:
    headers = {"Retry-After": header} if header else {}
    jira.script("/myself", Reply(status, {"errorMessages": ["slow down"]}, headers))
    sleeps = Sleeps()
    response = session(jira, sleeps=sleeps).get(f"{jira.url}/rest/api/2/myself")
    assert response.json()["name"] == "takahiro.akashi"
    assert sleeps == [expected_wait]
    assert len(jira.seen("/myself")) == 2


def test_502_504_and_timeouts_back_off_exponentially(jira: LocalJira) -> None:
    jira.script("/myself", Reply(502, b"Bad Gateway"), Reply(504, b""),
                Reply(200, {"name": "late"}, delay_s=0.6))
    sleeps = Sleeps()
    response = session(jira, sleeps=sleeps, timeout_s=0.2).get(f"{jira.url}/rest/api/2/myself")
    assert response.json()["name"] == "takahiro.akashi"  # the retry after the timeout
    assert sleeps == [0.5, 1.0, 2.0]


def test_retries_stop_after_the_policy_with_one_clear_error(jira: LocalJira) -> None:
    jira.script("/myself", *[Reply(503, b"", {"Retry-After": "1"})] * 10)
    sleeps = Sleeps()
    with pytest.raises(SourceError) as caught:
        session(jira, sleeps=sleeps).get(f"{jira.url}/rest/api/2/myself")
    assert "HTTP 503" in caught.value.message and "retrying" in caught.value.message
    assert sleeps == [1.0, 1.0, 1.0]
    assert len(jira.seen("/myself")) == 4


def test_a_retry_after_past_the_deadline_fails_at_once(jira: LocalJira) -> None:
    jira.script("/search", Reply(429, b"", {"Retry-After": "3600"}))
    sleeps = Sleeps()
    with pytest.raises(SourceError) as caught:
        session(jira, sleeps=sleeps, deadline_s=20).get(f"{jira.url}/rest/api/2/search")
    assert "retry in 3600 s, past the pull's deadline" in caught.value.message
    assert "jira.deadline_s" in (caught.value.hint or "")
    assert sleeps == []


def test_the_deadline_bounds_the_read_timeout(jira: LocalJira) -> None:
    jira.script("/myself", Reply(200, {}, delay_s=2.0))
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        session(jira, timeout_s=30, deadline_s=0.4).get(f"{jira.url}/rest/api/2/myself")
    assert time.monotonic() - started < 1.5
    assert caught.value.message.startswith("jira: the pull took longer than 0.4 s (timed out")
    assert "jira.deadline_s" in (caught.value.hint or "")


def test_a_refused_connection_is_retried_then_named(jira: LocalJira) -> None:
    url = jira.url
    jira.stop()
    sleeps = Sleeps()
    with pytest.raises(SourceError) as caught:
        session(url, sleeps=sleeps).get(f"{url}/rest/api/2/myself")
    assert caught.value.message.startswith("jira: cannot connect to http://127.0.0.1:")
    assert "4 tries" in caught.value.message
    assert len(sleeps) == 3


def test_an_html_page_on_200_is_an_error(jira: LocalJira) -> None:
    jira.script("/myself", Reply(200, "<html><title>Log in - Jira</title></html>",
                                 {"Content-Type": "text/html;charset=UTF-8"}))
    with pytest.raises(SourceError) as caught:
        session(jira).get(f"{jira.url}/rest/api/2/myself")
    assert "answered with an HTML page, not JSON" in caught.value.message


def test_credentials_follow_redirects_only_on_jiras_origin(jira: LocalJira) -> None:
    with MediaHost() as media:
        media.files["1"] = b"data"
        jira.script("/myself", Reply(302, b"", {"Location": f"{media.url}/file/1/binary?token=t"}))
        s = session(jira)
        assert s.get(f"{jira.url}/rest/api/2/myself").content == b"data"
        assert "Authorization" not in media.requests[0].headers
        # open_stream: the same, by hand, and never any netrc credentials.
        jira.script("/secure/attachment", Reply(303, b"", {
            "Location": f"{media.url}/file/1/binary?token=t2"}))
        with s.open_stream(f"{jira.url}/secure/attachment/1/x.csv") as response:
            assert response.content == b"data"
        assert jira.seen("/secure/attachment")[0].headers["Authorization"].startswith("Basic ")
        assert "Authorization" not in media.requests[1].headers
        # A URL that starts on another host gets no credentials either.
        with s.open_stream(f"{media.url}/file/1/binary?token=t3") as response:
            assert response.content == b"data"
        assert "Authorization" not in media.requests[2].headers


def test_error_messages_hold_no_query_string(jira: LocalJira) -> None:
    jira.script("/search", Reply(400, {"errorMessages": ["Field 'x' does not exist"]}))
    with pytest.raises(SourceError) as caught:
        session(jira).get(f"{jira.url}/rest/api/2/search", params={"jql": "token=abc"})
    assert caught.value.message == (f"jira: HTTP 400 Bad Request from {jira.url}/rest/api/2/"
                                    "search: the request was refused: Field 'x' does not exist")
