"""The SMTP transport: STARTTLS, SSL or plain, AUTH, one message, every step under a timeout."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reporter.config import SmtpConfig
from reporter.deliver.ledger import Refusal
from reporter.deliver.message import Envelope
from reporter.deliver.transport import Accepted, TransportError
from reporter.errors import ConfigError
from reporter.secrets import Credentials, find_secret, netrc_lookup

if TYPE_CHECKING:
    import smtplib

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def smtp_credentials(cfg: SmtpConfig) -> Credentials | None:
    """The AUTH login and password, or None when the server is used without AUTH.

    AUTH is used when `user` or `password_env` is configured, or ~/.netrc has the
    host; the password comes from $password_env, the keyring or ~/.netrc.
    """
    if not (cfg.user or cfg.password_env or netrc_lookup(cfg.host)):
        return None
    creds = find_secret(what=f"mail.smtp ({cfg.host})", host=cfg.host, user=cfg.user,
                        env_var=cfg.password_env, keyring_service=cfg.keyring_service)
    if not creds.user:
        raise ConfigError(f"mail.smtp: the password for {cfg.host} comes from {creds.origin}, "
                          "but no login is known", hint="set mail.smtp.user")
    if cfg.security == "none" and cfg.host.lower() not in LOOPBACK_HOSTS:
        raise ConfigError(f"mail.smtp: AUTH over an unencrypted connection to {cfg.host} "
                          "would send the password in the clear",
                          hint="use security: starttls or ssl")
    return creds


@dataclass(frozen=True)
class LoginCheck:
    """What a login check found: the TLS version, when the certificate expires, the login."""

    tls: str | None  # "TLSv1.3"; None over security: none
    certificate_expires_s: float | None  # seconds since the epoch
    login: str | None  # None: no AUTH was configured


class SmtpTransport:
    """Hands one message to the configured SMTP server."""

    def __init__(self, cfg: SmtpConfig, credentials: Credentials | None) -> None:
        self.cfg = cfg
        self.credentials = credentials

    def __call__(self, envelope: Envelope, data: bytes,
                 before_handover: Callable[[], None]) -> Accepted:
        import smtplib

        conn = self._connect()
        try:
            return self._transaction(conn, envelope, data, before_handover)
        except TransportError:
            raise
        except smtplib.SMTPServerDisconnected as exc:
            raise self._error(f"the connection was lost: {exc}", temporary=True) from None
        except smtplib.SMTPResponseException as exc:
            raise self._reply_error("", exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise self._error(f"{type(exc).__name__}: {exc}", temporary=True) from None
        finally:
            _close(conn)

    def check_login(self) -> LoginCheck:
        """Connect, STARTTLS or SSL (the certificate checked), AUTH, then QUIT: no MAIL is
        ever sent. For `reporter doctor`; raises TransportError naming the step that failed."""
        import ssl

        conn = self._connect()
        try:
            sock = conn.sock
            tls = sock.version() if isinstance(sock, ssl.SSLSocket) else None
            cert = sock.getpeercert() if isinstance(sock, ssl.SSLSocket) else None
            expires = cert.get("notAfter") if cert else None
            try:
                conn.quit()
            except Exception:  # noqa: BLE001 - the login worked; the goodbye does not matter
                log.debug("smtp: QUIT failed after the login check")
            return LoginCheck(tls=tls, certificate_expires_s=ssl.cert_time_to_seconds(expires)
                              if isinstance(expires, str) else None,
                              login=self.credentials.user if self.credentials else None)
        finally:
            _close(conn)

    # -- steps -------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        import smtplib
        import ssl

        cfg = self.cfg
        context = ssl.create_default_context()  # honours SSL_CERT_FILE / SSL_CERT_DIR
        conn: smtplib.SMTP | None = None
        try:
            if cfg.security == "ssl":
                conn = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_s,
                                        context=context)
            else:
                conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
            self._hello(conn)
            if cfg.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise self._error("the server does not offer STARTTLS; nothing is sent "
                                      "in the clear", temporary=False,
                                      hint="use security: ssl, or none on a trusted relay")
                code, reply = conn.starttls(context=context)
                if code != 220:
                    raise self._reply_error("STARTTLS", code, reply)
                self._hello(conn)
            if self.credentials is not None:
                self._login(conn)
            return conn
        except TransportError:
            _close(conn)
            raise
        except ssl.SSLCertVerificationError as exc:
            _close(conn)
            raise self._error(f"TLS certificate not trusted: {exc.verify_message}",
                              temporary=False,
                              hint="check mail.smtp.host; a private CA goes in SSL_CERT_FILE"
                              ) from None
        except smtplib.SMTPConnectError as exc:
            _close(conn)
            raise self._reply_error("connect", exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPResponseException as exc:
            _close(conn)
            raise self._reply_error("", exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPException, OSError) as exc:
            _close(conn)
            what = "timed out" if isinstance(exc, TimeoutError) else f"{exc}"
            raise self._error(f"cannot talk to the server: {what}", temporary=True,
                              hint="check mail.smtp.host, port and security, and the network"
                              ) from None

    def _hello(self, conn: smtplib.SMTP) -> None:
        code, reply = conn.ehlo()
        if not 200 <= code < 300:
            code, reply = conn.helo()
            if not 200 <= code < 300:
                raise self._reply_error("HELO", code, reply)

    def _login(self, conn: smtplib.SMTP) -> None:
        import smtplib

        assert self.credentials is not None and self.credentials.user
        if not conn.has_extn("auth"):
            raise self._error("the server does not offer AUTH", temporary=False,
                              hint="unset mail.smtp.user and password_env to send "
                              "without AUTH, or check the port and security")
        try:
            conn.login(self.credentials.user, self.credentials.secret)
        except smtplib.SMTPAuthenticationError as exc:
            raise self._reply_error("AUTH", exc.smtp_code, exc.smtp_error,
                                    hint=f"check the password in {self.credentials.origin} "
                                    f"for {self.credentials.user}") from None
        except smtplib.SMTPNotSupportedError:
            raise self._error("the server supports no AUTH mechanism reporter knows",
                              temporary=False) from None

    def _transaction(self, conn: smtplib.SMTP, envelope: Envelope, data: bytes,
                     before_handover: Callable[[], None]) -> Accepted:
        import smtplib

        options = []
        if not data.isascii():
            if not conn.has_extn("8bitmime"):
                raise self._error("the server does not accept 8-bit mail (no 8BITMIME) and "
                                  "the text is not ASCII", temporary=False)
            options.append("BODY=8BITMIME")
        wire = _wire_form(data)
        if conn.has_extn("size"):
            limit = conn.esmtp_features.get("size", "").strip()
            if limit.isdigit() and 0 < int(limit) < len(wire):
                raise self._error(f"the message ({len(wire)} octets) is over the server's "
                                  f"size limit ({limit})", temporary=False)
            options.append(f"SIZE={len(wire)}")
        code, reply = conn.mail(envelope.sender, options)
        if code != 250:
            raise self._reply_error(f"MAIL FROM:<{envelope.sender}>", code, reply)
        accepted: list[str] = []
        refused: list[tuple[str, int, bytes]] = []
        for rcpt in envelope.recipients:
            code, reply = conn.rcpt(rcpt)
            if code in (250, 251):
                accepted.append(rcpt)
            else:
                refused.append((rcpt, code, reply))
        detail = "; ".join(f"{r}: {c} {self._text(t)}" for r, c, t in refused)
        if any(400 <= code < 500 for _, code, _ in refused):
            # Try later for everyone rather than now for some: a rerun then sends the
            # message once to all, instead of a second copy to those accepted now.
            raise self._error(f"recipients refused for now ({detail})", temporary=True)
        if not accepted:
            raise self._error(f"every recipient was refused ({detail})", temporary=False,
                              hint="check mail.to and mail.cc", refused=True)
        code, reply = conn.docmd("DATA")
        if code != 354:
            raise self._reply_error("DATA", code, reply)
        before_handover()
        try:
            conn.send(wire)
        except smtplib.SMTPServerDisconnected as exc:
            # Not every byte reached the socket, so the final dot did not: the server
            # cannot have taken the message.
            raise self._error(f"the connection was lost while sending the message: {exc}",
                              temporary=True) from None
        try:
            code, reply = conn.getreply()
        except Exception as exc:  # noqa: BLE001 - any failure here leaves it unknown
            raise self._error(
                f"the connection was lost after the message was sent, before the server "
                f"confirmed it ({type(exc).__name__}: {exc})",
                temporary=False, ambiguous=True,
                hint="check whether it arrived (your own copy with bcc_self); "
                "`reporter send --force` resends it with the same Message-ID",
            ) from None
        if code != 250:
            raise self._reply_error("the end of DATA", code, reply)
        try:
            conn.quit()
        except Exception:  # noqa: BLE001 - accepted already; the goodbye does not matter
            log.debug("smtp: QUIT failed after the message was accepted")
        return Accepted(
            recipients=tuple(accepted),
            refused=tuple(Refusal(r, f"{c} {self._text(t)}") for r, c, t in refused),
            reply=f"{code} {self._text(reply)}",
        )

    # -- errors ------------------------------------------------------------------

    def _where(self) -> str:
        return f"smtp {self.cfg.host}:{self.cfg.port}"

    def _error(self, what: str, *, temporary: bool, ambiguous: bool = False,
               hint: str | None = None, refused: bool = False) -> TransportError:
        return TransportError(f"{self._where()}: {what}", hint, temporary=temporary,
                              ambiguous=ambiguous, refused=refused)

    def _reply_error(self, step: str, code: int, reply: bytes | str,
                     hint: str | None = None) -> TransportError:
        at = f" at {step}" if step else ""
        temporary = 400 <= code < 500 or code == -1
        return self._error(f"{code} {self._text(reply)}{at}", temporary=temporary, hint=hint,
                           refused=500 <= code < 600)

    def _text(self, reply: bytes | str) -> str:
        """A server reply for messages: one line, without anything that looks like the secret."""
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        text = " ".join(text.split())
        if self.credentials is not None:
            text = scrub(text, self.credentials.secret)
        return text[:300]


def scrub(text: str, secret: str) -> str:
    """`text` without `secret` or its base64 forms (AUTH PLAIN/LOGIN send those)."""
    import base64

    if not secret:
        return text
    forms = {secret, base64.b64encode(secret.encode()).decode()}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def _wire_form(data: bytes) -> bytes:
    """CRLF line ends, leading dots doubled, and the final `.` line (RFC 5321 4.5.2)."""
    text = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not text.endswith(b"\r\n"):
        text += b"\r\n"
    text = re.sub(rb"(?m)^\.", b"..", text)
    return text + b".\r\n"


def _close(conn: Any) -> None:
    if conn is None:
        return
    try:
        conn.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail too
        log.debug("smtp: closing the connection failed")
