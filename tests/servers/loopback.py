"""A threaded HTTP server on 127.0.0.1 and a free port, for the test servers to build on."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class LoopbackHTTPServer:
    """`with Subclass(...) as srv:` serves `handler` (which sees the server as
    `self.server_state`) at `srv.url` until the block ends."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        bound = type("Handler", (handler,), {"server_state": self})
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
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
