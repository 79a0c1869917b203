"""A threaded HTTP server on 127.0.0.1 and a free port, for the test servers to build on."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

Trickle = float | tuple[float, int]  # seconds per byte, or (seconds, bytes sent at once)


class TrickleWriter:
    """A handler's wfile that trickles, as `plan()` says for the request: one byte per
    that many seconds (status line, headers and body alike), or that after the first N
    bytes went at once (a body that stalls). It stops quietly when the client goes
    away or the server stops."""

    def __init__(self, raw: Any, plan: Callable[[], Trickle], stopping: threading.Event
                 ) -> None:
        self.raw = raw
        self.plan = plan
        self.stopping = stopping
        self.sent = 0
        self.gone = False

    def write(self, data: bytes) -> int:
        plan = self.plan()
        seconds, fast = plan if isinstance(plan, tuple) else (plan, 0)
        if seconds <= 0:
            return int(self.raw.write(data))
        for i in range(len(data)):
            if self.gone or self.stopping.is_set():
                break
            try:
                self.raw.write(data[i:i + 1])
            except OSError:
                self.gone = True  # the client hung up, as it should
                break
            self.sent += 1
            if self.sent > fast:
                self.stopping.wait(seconds)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def trickle_delay(trickle: dict[str, Trickle], path: str) -> Trickle:
    """The plan for `path`: that of the first pattern of `trickle` it matches, else 0."""
    for pattern, plan in list(trickle.items()):
        if re.search(pattern, path):
            return plan
    return 0.0


class LoopbackHTTPServer:
    """`with Subclass(...) as srv:` serves `handler` (which sees the server as
    `self.server_state`) at `srv.url` until the block ends. `srv.trickle[pattern] = s`
    makes the answers to paths matching `pattern` trickle, one byte every `s` seconds."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.trickle: dict[str, Trickle] = {}
        self.stopping = threading.Event()
        state = self

        def setup(h: BaseHTTPRequestHandler) -> None:
            handler.setup(h)
            h.wfile = TrickleWriter(  # type: ignore[assignment]
                h.wfile, lambda: trickle_delay(state.trickle, getattr(h, "path", "")),
                state.stopping)

        bound = type("Handler", (handler,), {"server_state": self, "setup": setup})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), bound)
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
