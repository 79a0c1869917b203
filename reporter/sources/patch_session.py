"""The patch sources' HTTP session: retries and Retry-After within the pull's deadline.

urllib3's own Retry sleeps as long as Retry-After says (`Retry-After: 3600` is an
hour) and knows no deadline, so retries are done here instead: a wait that
would pass the deadline fails at once, and every connection is registered with
the deadline's SocketWatch, which shuts it down when the deadline passes (a
server trickling a byte a second included).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import requests

from reporter.errors import DeadlineError
from reporter.sources.http_deadline import PullDeadline, WatchSlot, mount_deadline, retry_after_s

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
RETRY_AFTER_STATUSES = (429, 503)
RETRY_METHODS = ("GET", "HEAD")
UNBOUND_MAX_WAIT_S = 60.0  # a session no deadline was bound to never waits longer
HINT = "raise patches.deadline_s, or try again when the server is faster"


class PatchSession(requests.Session):
    """A requests session whose GETs retry within the deadline bound to it."""

    def __init__(self, *, retries: int, backoff_s: float,
                 sleep: Callable[[float], None] = time.sleep,
                 wallclock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.retries = retries
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.wallclock = wallclock
        self.deadline: PullDeadline | None = None
        self.slot = WatchSlot()
        self.sources: dict[str, str] = {}  # URL prefix -> the source named in errors
        mount_deadline(self, self.slot)

    def bind(self, deadline: PullDeadline, source: str, base: str) -> None:
        """From now on, bound every request by `deadline`; URLs under `base` are `source`'s."""
        self.deadline = deadline
        self.slot.current = deadline.watch()
        self.sources[base.rstrip("/")] = source

    def source_of(self, url: str) -> str:
        found = [prefix for prefix in self.sources if url.startswith(prefix)]
        return self.sources[max(found, key=len)] if found else "patches"

    def request(self, method: str | bytes, url: str | bytes,
                *args: Any, **kwargs: Any) -> requests.Response:
        method = method.decode() if isinstance(method, bytes) else method
        url = url.decode() if isinstance(url, bytes) else url
        retrying = method.upper() in RETRY_METHODS
        attempt = 0
        while True:
            deadline = self.deadline
            if deadline is not None:
                if deadline.passed():
                    raise self._passed(deadline, url, f"before {method} {url}")
                kwargs["timeout"] = deadline.timeout(_seconds(kwargs.get("timeout")))
            try:
                response = super().request(method, url, *args, **kwargs)
            except requests.RequestException as exc:
                if deadline is not None and deadline.passed():
                    raise self._passed(deadline, url, f"while reading {url}") from None
                transient = isinstance(exc, requests.ConnectionError | requests.Timeout)
                if not (retrying and transient and attempt < self.retries):
                    raise
                attempt += 1
                self._wait(self._backoff(attempt), url, type(exc).__name__, attempt)
                continue
            status = response.status_code
            if not (retrying and status in RETRY_STATUSES and attempt < self.retries):
                return response
            attempt += 1
            wait = None
            if status in RETRY_AFTER_STATUSES:
                wait = retry_after_s(response.headers.get("Retry-After"), self.wallclock())
            response.close()
            self._wait(self._backoff(attempt) if wait is None else wait, url, f"HTTP {status}",
                       attempt)

    def _backoff(self, attempt: int) -> float:
        return float(min(30.0, self.backoff_s * 2 ** (attempt - 1)))

    def _wait(self, wait_s: float, url: str, why: str, attempt: int) -> None:
        deadline = self.deadline
        if deadline is None:
            wait_s = min(wait_s, UNBOUND_MAX_WAIT_S)
        elif wait_s >= deadline.remaining():
            raise DeadlineError(
                f"{self.source_of(url)}: timed out: {why} from {url} asks to wait "
                f"{wait_s:.0f} s before trying again, past the pull's deadline of "
                f"{deadline.seconds:g} s ({max(0.0, deadline.remaining()):.0f} s left)",
                hint=HINT)
        log.info("%s from %s; retry %d of %d in %.1f s", why, url, attempt, self.retries, wait_s)
        self.sleep(wait_s)

    def _passed(self, deadline: PullDeadline, url: str, doing: str) -> DeadlineError:
        return passed_error(self.source_of(url), deadline, doing)


def passed_error(source: str, deadline: PullDeadline, doing: str) -> DeadlineError:
    """The one line for a deadline that passed before or during a read."""
    return DeadlineError(f"{source}: timed out: the pull's deadline of {deadline.seconds:g} s "
                         f"passed {doing}", hint=HINT)


def _seconds(timeout: Any) -> float:
    """The read timeout of requests' `timeout` argument (a number or a pair)."""
    if isinstance(timeout, tuple):
        timeout = timeout[-1]
    return float(timeout) if isinstance(timeout, int | float) else 30.0
