"""A pull's wall-clock deadline enforced at the socket, for every HTTP source.

requests' `timeout` bounds each read, not a response: a server that sends one
byte a second never trips it, and a body can take hours. So every connection a
session opens is registered with the pull's SocketWatch, and when the deadline
passes one watchdog thread shuts those sockets down (shutdown(2), which wakes a
read blocked in another thread). The read then fails at once, and the session
reports the deadline rather than a broken connection. The retry waits are the
sessions' own (urllib3's Retry-After sleep knows no deadline), and a wait that
would pass the deadline fails at once instead.

Covered: plain HTTP and HTTPS connections once they are set up, direct or through
an HTTP proxy; not through a SOCKS proxy. The connect and the TLS handshake come
before a socket can be watched: they end by the deadline because every request's
timeout is cut to the time left, and CPython bounds a whole handshake (not each
read of it) by the socket's timeout (tests/test_deadlines.py has a trickling one).
"""

from __future__ import annotations

import email.utils
import functools
import heapq
import itertools
import logging
import socket
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Protocol

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

if TYPE_CHECKING:
    from urllib3.poolmanager import PoolManager

log = logging.getLogger(__name__)


class PullDeadline(Protocol):
    """What a session needs of a pull's deadline (patch_http.Deadline is one)."""

    seconds: float

    def remaining(self) -> float: ...

    def passed(self) -> bool: ...

    def timeout(self, timeout_s: float) -> float: ...

    def watch(self) -> SocketWatch: ...


class SocketWatch:
    """The open sockets of one pull, shut down when its `seconds` have passed."""

    def __init__(self, seconds: float, *, end: float | None = None) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds if end is None else end  # time.monotonic()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._fired = False
        self._scheduled = False

    def remaining(self) -> float:
        return self.end - time.monotonic()

    @property
    def passed(self) -> bool:
        """The deadline has passed (the sockets are being, or were, shut down)."""
        return self._fired or self.remaining() <= 0

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            if not self._fired:
                self._sockets.add(sock)
                if not self._scheduled:
                    self._scheduled = True
                    _WATCHDOG.schedule(self)
                return
        _shut(sock)  # a connection opened after the deadline: no read may start

    def fire(self) -> None:
        with self._lock:
            self._fired = True
            sockets = list(self._sockets)
            self._sockets.clear()
        if sockets:
            log.debug("deadline of %g s passed: shutting down %d connection(s)",
                      self.seconds, len(sockets))
        for sock in sockets:
            _shut(sock)

    def close(self) -> None:
        """The pull is over: forget its sockets (they are closed by their session)."""
        with self._lock:
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    try:
        # The plain socket's shutdown, also for an SSLSocket: its own override drops
        # the SSL object under the feet of the thread that is reading.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # closed already


class _Watchdog:
    """One daemon thread for every watch in the process, woken at the earliest deadline."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, weakref.ref[SocketWatch]]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def schedule(self, watch: SocketWatch) -> None:
        with self._cond:
            heapq.heappush(self._heap, (watch.end, next(self._order), weakref.ref(watch)))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="reporter-deadline",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                _end, _n, ref = heapq.heappop(self._heap)
            watch = ref()
            if watch is not None:
                watch.fire()


_WATCHDOG = _Watchdog()


class WatchSlot:
    """The watch that a session's connections register with now (a pull binds its own)."""

    def __init__(self, watch: SocketWatch | None = None) -> None:
        self.current = watch

    def register(self, sock: socket.socket | None) -> None:
        watch = self.current
        if watch is not None and sock is not None:
            watch.add(sock)


class _Watched:
    """Registers the connection's socket with the pull's watch, on connect and on reuse."""

    sock: socket.socket | None

    def __init__(self, *args: Any, deadline_slot: WatchSlot, **kwargs: Any) -> None:
        self._deadline_slot = deadline_slot
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self._deadline_slot.register(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        self._deadline_slot.register(self.sock)  # a kept-alive connection, reused
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter (no retries of its own) whose connections `slot` watches."""

    def __init__(self, slot: WatchSlot, **kwargs: Any) -> None:
        self.slot = slot  # before super().__init__, which makes the pool manager
        super().__init__(max_retries=0, **kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        _watch_pools(self.poolmanager, self.slot)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _watch_pools(manager, self.slot)
        return manager


def _watch_pools(manager: PoolManager, slot: WatchSlot) -> None:
    classes = manager.pool_classes_by_scheme
    if classes.get("http") is not HTTPConnectionPool or \
            classes.get("https") is not HTTPSConnectionPool:
        return  # a SOCKS proxy's own pools, or already ours
    # The pools pass unknown keywords on to their connections: `deadline_slot` lands
    # in _Watched*Connection.__init__.
    pools: dict[str, Any] = {  # PoolManager only calls them: pool_cls(host, port, **kw)
        "http": functools.partial(_WatchedHTTPPool, deadline_slot=slot),
        "https": functools.partial(_WatchedHTTPSPool, deadline_slot=slot),
    }
    manager.pool_classes_by_scheme = pools


def mount_deadline(session: Any, slot: WatchSlot) -> None:
    """Route every http(s) request of `session` through connections that `slot` watches."""
    adapter = DeadlineAdapter(slot)
    session.mount("http://", adapter)
    session.mount("https://", adapter)


def retry_after_s(value: str | None, now_epoch: float) -> float | None:
    """Retry-After in seconds from either form (RFC 9110: delay-seconds or an HTTP-date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now_epoch)
