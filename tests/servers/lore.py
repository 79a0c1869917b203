"""A local list-archive server on 127.0.0.1: lore's `<msgid>/t.mbox.gz` and pipermail pages."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.servers.loopback import LoopbackHTTPServer

FROM_LINE = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n"
_FROM_RE = re.compile(rb"^(>*From )", re.MULTILINE)


def mboxrd(messages: list[bytes]) -> bytes:
    """Messages in public-inbox's mboxrd: `From mboxrd@z ...`, `>From ` quoting, blank line."""
    out = []
    for raw in messages:
        body = raw.replace(b"\r\n", b"\n")
        if not body.endswith(b"\n"):
            body += b"\n"
        out.append(FROM_LINE + _FROM_RE.sub(rb">\1", body) + b"\n")
    return b"".join(out)


@dataclass
class Archive:
    """Threads by message-id (every message of a thread maps to the same mbox) and pages."""

    list_name: str = "u-boot"
    threads: dict[str, bytes] = field(default_factory=dict)  # msgid -> mboxrd (plain)
    pages: dict[str, str] = field(default_factory=dict)  # "/pipermail/u-boot/..." -> html
    truncate: bool = False  # cut the gzip stream in half
    status: int | None = None

    def add_thread(self, messages: dict[str, bytes]) -> None:
        data = mboxrd(list(messages.values()))
        for msgid in messages:
            self.threads[msgid] = data


class ArchiveServer(LoopbackHTTPServer):
    """`with ArchiveServer(archive) as srv:` serves lore at `srv.lore` and pipermail pages."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.requests: list[str] = []
        super().__init__(_Handler)

    @property
    def lore(self) -> str:
        return f"{self.url}/{self.archive.list_name}"

    @property
    def pipermail(self) -> str:
        return f"{self.url}/pipermail/{self.archive.list_name}"


class _Handler(BaseHTTPRequestHandler):
    server_state: ArchiveServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        state = self.server_state
        archive = state.archive
        state.requests.append(self.path)
        if archive.status is not None:
            self._send(archive.status, b"Service Unavailable", "text/plain")
            return
        path = urlsplit(self.path).path
        if path in archive.pages:
            self._send(200, archive.pages[path].encode("us-ascii", "xmlcharrefreplace"),
                       "text/html; charset=us-ascii")
            return
        prefix = f"/{archive.list_name}/"
        if path.startswith(prefix) and path.endswith("/t.mbox.gz"):
            msgid = unquote(path[len(prefix):-len("/t.mbox.gz")])
            data = archive.threads.get(msgid)
            if data is None:
                self._send(404, b"404 Not Found\n", "text/plain")
                return
            body = gzip.compress(data, mtime=0)
            if archive.truncate:
                body = body[: len(body) // 2]
            self._send(200, body, "application/gzip")
            return
        self._send(404, b"404 Not Found\n", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
