"""HTTP sessions and the pull deadline for the patch sources (Patchwork, lore, pipermail).

The session itself (retries, capped waits, the deadline at the socket) is in
patch_session, which imports requests: this module stays light for the callers'
imports.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reporter import __version__
from reporter.errors import SourceError

if TYPE_CHECKING:
    import requests

    from reporter.sources.http_deadline import SocketWatch

USER_AGENT = f"reporter/{__version__} (weekly status report; patch status)"


def make_session(*, retries: int = 3, backoff_s: float = 1.0) -> requests.Session:
    """A session that retries GETs on 429/5xx and connection trouble, and names itself.

    Retry-After is honoured (seconds or an HTTP date) and every wait, like every read,
    is bounded by the deadline the session is bound to (`bind_deadline`): the
    PatchworkClient, fetch_thread and the pipermail resolver bind theirs.
    """
    from reporter.sources.patch_session import PatchSession

    session = PatchSession(retries=retries, backoff_s=backoff_s)
    session.headers["User-Agent"] = USER_AGENT
    return session


def bind_deadline(session: requests.Session, deadline: Deadline, source: str, base: str
                  ) -> None:
    """Bound every request (and every byte read) of `session` by `deadline`, from now on;
    a deadline that passes on a URL under `base` fails naming `source`."""
    from reporter.sources.patch_session import PatchSession

    if isinstance(session, PatchSession):
        session.bind(deadline, source, base)


@dataclass
class Deadline:
    """The wall-clock budget of one pull; every request checks it first."""

    seconds: float
    started: float = field(default_factory=time.monotonic)
    _watch: SocketWatch | None = field(default=None, init=False, repr=False, compare=False)

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def check(self, source: str, what: str) -> None:
        if self.remaining() <= 0:
            raise SourceError(
                f"{source}: timed out: gave up before {what}: the pull took longer than "
                f"{self.seconds:g} s",
                hint="raise patches.deadline_s, or try again when the server is faster",
            )

    def timeout(self, timeout_s: float) -> float:
        """The per-request timeout, never longer than what is left of the deadline."""
        return max(0.1, min(timeout_s, self.remaining()))

    def watch(self) -> SocketWatch:
        """The socket watch that shuts this pull's connections down when it is over."""
        if self._watch is None:
            from reporter.sources.http_deadline import SocketWatch

            self._watch = SocketWatch(self.seconds, end=self.started + self.seconds)
        return self._watch

    def passed(self) -> bool:
        return self.remaining() <= 0 or (self._watch is not None and self._watch.passed)
