"""The one HTTP session for Jira: timeouts, retries, Retry-After, the deadline, safe auth."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.auth import AuthBase

from reporter import __version__
from reporter.errors import SourceError
from reporter.sources.http_deadline import SocketWatch, WatchSlot, mount_deadline, retry_after_s
from reporter.sources.jira import failures

__all__ = ["BasicAuth", "BearerAuth", "Deadline", "JiraSession", "NO_AUTH", "RetryPolicy",
           "origin_of", "retry_after_s"]

log = logging.getLogger(__name__)

RETRY_STATUSES_AFTER = (429, 503)  # honour Retry-After, else back off
RETRY_STATUSES_BACKOFF = (502, 504)  # a proxy in front of Jira failed: back off
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# A write that timed out or met a 502/504 may have been done: never sent twice by us.
NOT_REPLAYED = ("POST", "PATCH")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry; tests shorten the backoff."""

    max_retries: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    max_redirects: int = 5

    def backoff_s(self, attempt: int) -> float:
        """The wait before retry number `attempt` (1, 2, ...): base, 2 x base, 4 x base ..."""
        return float(min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1)))


class Deadline:
    """The time left for the whole pull, on a monotonic clock."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return self._end - self._clock()

    def check(self, doing: str) -> None:
        if self.remaining() <= 0:
            raise failures.deadline(self.seconds, doing)


@dataclass(frozen=True)
class BasicAuth(AuthBase):
    """HTTP Basic: Cloud's e-mail + API token, or a netrc login; the secret is not in repr."""

    user: str
    secret: str = field(repr=False)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        pair = base64.b64encode(f"{self.user}:{self.secret}".encode()).decode("ascii")
        r.headers["Authorization"] = f"Basic {pair}"
        return r


@dataclass(frozen=True)
class BearerAuth(AuthBase):
    """A Server/Data Center personal access token."""

    secret: str = field(repr=False)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.secret}"
        return r


class NoAuth(AuthBase):
    """Sends no credentials; being set also stops requests from reading ~/.netrc by itself."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers.pop("Authorization", None)
        return r


NO_AUTH = NoAuth()


def origin_of(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


class JiraSession(requests.Session):
    """A requests session that retries what is worth retrying, within one deadline.

    Every request gets a connect and read timeout, cut to the time left, and every
    connection is shut down when the deadline passes (http_deadline), so a server
    trickling a byte a second cannot hold a read past it. 429 and 503 wait as
    Retry-After says (seconds or HTTP date), 502, 504, timeouts and refused
    connections back off exponentially; a wait that would pass the deadline fails at
    once. Other errors become a SourceError naming the fix. Credentials go only to
    the Jira server's own origin.
    """

    def __init__(self, *, server: str, auth: AuthBase, auth_note: str, timeout_s: float,
                 deadline: Deadline, policy: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 wallclock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.origin = origin_of(server)
        self.auth = auth
        self.auth_note = auth_note
        self.timeout_s = timeout_s
        self.deadline = deadline
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.wallclock = wallclock
        self.requests_sent = 0
        # The socket-level deadline runs on the real clock, whatever `deadline` uses.
        self.watch = SocketWatch(deadline.seconds, end=time.monotonic() + deadline.remaining())
        mount_deadline(self, WatchSlot(self.watch))
        self.headers.update({
            "User-Agent": f"reporter/{__version__}",
            "Accept": "application/json,*/*;q=0.9",
            # Jira refuses some requests without it (XSRF check); harmless on GET.
            "X-Atlassian-Token": "no-check",
        })

    def same_origin(self, url: str) -> bool:
        return origin_of(url) == self.origin

    def request(self, method: str | bytes, url: str | bytes,  # type: ignore[override]
                **kwargs: Any) -> requests.Response:
        """Session.request with our timeouts and retries (keyword arguments only, as the
        jira library and requests' get/post helpers pass them)."""
        method = method.decode() if isinstance(method, bytes) else method
        url = url.decode() if isinstance(url, bytes) else url
        kwargs.pop("_prepare_retry_class", None)  # the jira library's ResilientSession option
        kwargs.pop("timeout", None)  # ours, cut to the deadline, replaces any other
        attempt = 0
        replay = method.upper() not in NOT_REPLAYED
        while True:
            left = min(self.deadline.remaining(), self.watch.remaining())
            if left <= 0:
                raise failures.deadline(self.deadline.seconds,
                                        f"before {method} {failures.safe_url(url)}")
            limit = min(self.timeout_s, left)
            try:
                self.requests_sent += 1
                response = super().request(method, url, timeout=(limit, limit), **kwargs)
            except requests.exceptions.RequestException as exc:
                if self.deadline_passed():  # the watch shut the connection down
                    raise self.deadline_error(url) from None
                if isinstance(exc, requests.exceptions.SSLError):
                    raise failures.tls(url) from None
                if not isinstance(exc, requests.exceptions.Timeout |
                                  requests.exceptions.ConnectionError):
                    # InvalidURL, TooManyRedirects and the like: the text may quote the URL.
                    raise SourceError(f"jira: the request to {failures.safe_url(url)} failed",
                                      hint="check jira.server") from None
                attempt += 1
                timed_out = isinstance(exc, requests.exceptions.Timeout)
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout)
                if attempt > self.policy.max_retries or not (replay or never_sent):
                    raise (failures.timeout(url, self.timeout_s, attempt) if timed_out
                           else failures.unreachable(url, attempt)) from None
                self._wait(self.policy.backoff_s(attempt), url, attempt,
                           "timed out" if timed_out else "connection failed", None)
                continue
            status = response.status_code
            if status < 400:
                if not kwargs.get("stream") and status < 300:
                    _refuse_html(response, url)
                return response
            retryable = status in RETRY_STATUSES_AFTER or (
                replay and status in RETRY_STATUSES_BACKOFF)
            if not retryable or attempt >= self.policy.max_retries:
                error = failures.http_status(
                    status, response.reason or "", url,
                    body=_head(response, streamed=bool(kwargs.get("stream"))),
                    auth_note=self.auth_note,
                    denied_reason=response.headers.get("X-Authentication-Denied-Reason"))
                response.close()
                raise error
            attempt += 1
            wait = None
            if status in RETRY_STATUSES_AFTER:
                wait = retry_after_s(response.headers.get("Retry-After"), self.wallclock())
            response.close()
            self._wait(wait if wait is not None else self.policy.backoff_s(attempt), url,
                       attempt, f"HTTP {status}", status)

    def deadline_passed(self) -> bool:
        return self.deadline.remaining() <= 0 or self.watch.passed

    def deadline_error(self, url: str) -> SourceError:
        """The pull's deadline passed during a read of `url` (a trickle, a stalled body)."""
        return failures.deadline(self.deadline.seconds,
                                 f"timed out while reading {failures.safe_url(url)}")

    def close(self) -> None:
        self.watch.close()
        super().close()

    def _wait(self, wait_s: float, url: str, attempt: int, why: str, status: int | None) -> None:
        if wait_s >= min(self.deadline.remaining(), self.watch.remaining()):
            if status is not None:
                raise failures.wait_beyond_deadline(url, status, wait_s)
            raise failures.deadline(self.deadline.seconds, f"{why} at {failures.safe_url(url)}")
        log.info("jira: %s from %s; retry %d of %d in %.1f s", why, failures.safe_url(url),
                 attempt, self.policy.max_retries, wait_s)
        self.sleep(wait_s)

    def rebuild_auth(self, prepared_request: requests.PreparedRequest,
                     response: requests.Response) -> None:
        """On a redirect, keep credentials only while on Jira's own origin; never add netrc's."""
        if prepared_request.url and not self.same_origin(prepared_request.url):
            prepared_request.headers.pop("Authorization", None)

    def open_stream(self, url: str) -> requests.Response:
        """GET `url` as a stream, following redirects by hand so that credentials go to
        Jira's origin only (Cloud redirects attachment content to a media host whose URL
        carries its own token). The caller closes the response."""
        for _hop in range(self.policy.max_redirects + 1):
            scheme = urlsplit(url).scheme.lower()
            if scheme not in ("http", "https"):
                raise SourceError(f"jira: an attachment points to a {scheme or 'relative'} "
                                  "URL", hint="only http(s) attachment URLs are fetched")
            auth = None if self.same_origin(url) else NO_AUTH
            response = self.request("GET", url, stream=True, allow_redirects=False, auth=auth,
                                    headers={"Accept": "*/*"})
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            response.close()
            target = urljoin(url, location)
            if scheme == "https" and urlsplit(target).scheme.lower() != "https":
                raise SourceError(f"jira: {failures.safe_url(url)} redirects to plain http",
                                  hint="refused: the download would not be protected")
            url = target
        raise SourceError(f"jira: too many redirects from {failures.safe_url(url)}",
                          hint="check jira.server")


def _head(response: requests.Response, *, streamed: bool, limit: int = 16384) -> bytes:
    """The start of an error body (enough for Jira's errorMessages), never all of a stream."""
    try:
        if not streamed:
            return response.content[:limit]
        data = response.raw.read(limit, decode_content=True) if response.raw else b""
        return data if isinstance(data, bytes) else b""
    except Exception:  # noqa: BLE001 - the body is only a detail of the message
        return b""


def _refuse_html(response: requests.Response, url: str) -> None:
    """A 200 with a login page is a failure, never "0 cards"."""
    ctype = response.headers.get("Content-Type", "").lower()
    if "html" in ctype or response.content.lstrip()[:1] == b"<":
        raise failures.html_page(url)
