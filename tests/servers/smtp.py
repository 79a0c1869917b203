"""A real SMTP server (aiosmtpd) on a loopback port that records what it accepts.

Its replies are scripted per test: refusals at RCPT, replies at the end of DATA,
a connection dropped halfway through DATA or after the final dot, a delay, and
STARTTLS, implicit TLS and AUTH when a test needs them.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import threading
import warnings
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session, syntax


@dataclass
class Received:
    """One message the server accepted: envelope and the data as received."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes  # dot-unstuffed, CRLF line ends, as the server got it
    mail_options: list[str]
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        # as a mail store keeps it: local line ends
        msg = email.message_from_bytes(self.data.replace(b"\r\n", b"\n"),
                                       policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Script:
    """What the server does; lists are consumed one item per transaction (or RCPT)."""

    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> reply, always
    rcpt_replies: list[str | None] = field(default_factory=list)  # next RCPTs; None = accept
    data_replies: list[str] = field(default_factory=list)  # "250", "451 ...", "drop-after-dot"
    drop_mid_data: int = 0  # transactions to cut off after a few lines of DATA
    data_delay_s: float = 0.0  # before answering the final dot


class RecordingHandler:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.received: list[Received] = []
        self.transactions = 0  # DATA commands seen
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        with self.lock:
            if address in self.script.refuse_rcpt:
                return self.script.refuse_rcpt[address]
            if self.script.rcpt_replies:
                reply = self.script.rcpt_replies.pop(0)
                if reply is not None:
                    return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            reply = self.script.data_replies.pop(0) if self.script.data_replies else "250"
        if self.script.data_delay_s:
            await asyncio.sleep(self.script.data_delay_s)
        if reply == "250" or reply == "drop-after-dot":
            raw = envelope.original_content or b""
            with self.lock:
                self.received.append(Received(
                    mail_from=envelope.mail_from or "", rcpt_tos=list(envelope.rcpt_tos),
                    data=bytes(raw), mail_options=list(envelope.mail_options),
                    tls=server.transport is not None
                    and server.transport.get_extra_info("ssl_object") is not None,
                    login=session.auth_data.decode() if isinstance(session.auth_data, bytes)
                    else None))
        if reply == "drop-after-dot":
            # Queued, and the connection is lost before the client hears 250.
            assert isinstance(server.transport, asyncio.Transport)
            server.transport.abort()
            return "250 2.0.0 queued (never heard)"
        return "250 2.0.0 OK queued" if reply == "250" else reply


class _ScriptedSMTP(SMTP):
    """aiosmtpd's SMTP, able to cut the connection off in the middle of DATA."""

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        handler: RecordingHandler = self.event_handler
        with handler.lock:
            handler.transactions += 1
            cut = handler.script.drop_mid_data > 0
            if cut:
                handler.script.drop_mid_data -= 1
        if not cut or not self.envelope or not self.envelope.rcpt_tos:
            await super().smtp_DATA(arg)
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        for _ in range(3):
            await self._reader.readuntil(b"\r\n")
        assert isinstance(self.transport, asyncio.Transport)
        self.transport.abort()  # RST: the client's next writes fail


class LoopbackSMTP(Controller):
    """aiosmtpd's threaded controller on 127.0.0.1, port 0 (the kernel picks a free one)."""

    def __init__(self, script: Script | None = None, *, tls: ssl.SSLContext | None = None,
                 implicit_tls: bool = False, users: dict[str, str] | None = None) -> None:
        self.script = script or Script()
        self.handler = RecordingHandler(self.script)
        kwargs: dict[str, Any] = {}
        if tls is not None and not implicit_tls:
            kwargs.update(tls_context=tls, require_starttls=True)
        if users is not None:
            # aiosmtpd knows of STARTTLS only; over implicit TLS the link is encrypted too
            kwargs.update(authenticator=_Authenticator(users), auth_required=True,
                          auth_require_tls=not implicit_tls)
        super().__init__(self.handler, hostname="127.0.0.1", port=0,
                         ssl_context=tls if implicit_tls else None, **kwargs)

    def factory(self) -> SMTP:
        with warnings.catch_warnings():
            # AUTH without aiosmtpd's own TLS check: set only for implicit TLS (see above)
            warnings.simplefilter("ignore", UserWarning)
            return _ScriptedSMTP(self.handler, **self.SMTP_kwargs)

    def _create_server(self) -> Any:
        if not self.script.drop_mid_data:
            return super()._create_server()
        # A small receive window keeps little of the message in flight, so the client
        # is still writing when the connection is cut off and sees it fail.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        return self.loop.create_server(self._factory_invoker, sock=sock,
                                       ssl=self.ssl_context)

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]

    @property
    def received(self) -> list[Received]:
        received: list[Received] = self.handler.received
        return received

    def __enter__(self) -> LoopbackSMTP:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Authenticator:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def __call__(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                 auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode()
            if self.users.get(user) == auth_data.password.decode():
                return AuthResult(success=True, auth_data=auth_data.login)
        return AuthResult(success=False, handled=False)
