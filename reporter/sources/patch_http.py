"""HTTP sessions and the pull deadline for the patch sources (Patchwork, lore, pipermail)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reporter import __version__
from reporter.errors import SourceError

if TYPE_CHECKING:
    import requests

USER_AGENT = f"reporter/{__version__} (weekly status report; patch status)"


def make_session(*, retries: int = 3, backoff_s: float = 1.0) -> requests.Session:
    """A session that retries GETs on 429/5xx (honouring Retry-After) and names itself."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff_s,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,  # the caller maps the final status to a SourceError
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


@dataclass
class Deadline:
    """The wall-clock budget of one pull; every request checks it first."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def check(self, source: str, what: str) -> None:
        if self.remaining() <= 0:
            raise SourceError(
                f"{source}: gave up before {what}: the pull took longer than "
                f"{self.seconds:g} s",
                hint="raise patches.deadline_s, or try again when the server is faster",
            )

    def timeout(self, timeout_s: float) -> float:
        """The per-request timeout, never longer than what is left of the deadline."""
        return max(0.1, min(timeout_s, self.remaining()))
