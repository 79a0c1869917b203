"""The week's email as an EmailMessage: headers per SPEC section 2, the body, its bytes."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from email.headerregistry import (
    Address,
    AddressHeader,
    BaseHeader,
    ContentTypeHeader,
    HeaderRegistry,
)
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Any

from reporter.config import MailConfig
from reporter.errors import ConfigError, InputError

MAX_LINE_OCTETS = 998  # RFC 5322 section 2.1.1, without the CRLF


class _PlainContentType(ContentTypeHeader):
    """Content-Type written as given (`charset=us-ascii`, as SPEC section 2 shows it).

    The stock header re-quotes every parameter on output (`charset="us-ascii"`);
    both mean the same, this keeps the bytes those of the specification.
    """

    # The registry mixes BaseHeader (name, fold) into this class at run time; the
    # type stubs do not know that, hence the getattr and the ignores below.
    def fold(self, *, policy: Any) -> str:
        name = getattr(self, "name", "Content-Type")
        params = [f"; {key}={value}" for key, value in self.params.items()]
        text = f"{name}: {self.content_type}{''.join(params)}"
        if (all(_TOKEN.fullmatch(v) for v in self.params.values())
                and len(text) <= policy.max_line_length):
            return text + str(policy.linesep)
        return str(super().fold(policy=policy))  # type: ignore[misc]


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 2045 token: no tspecials


class _AddressListHeader(AddressHeader):
    """An address list folded one address at a time, the commas left as plain text.

    Python 3.11's folder can put the comma after an RFC 2047-encoded name inside an
    encoded word of its own (`=?utf-8?q?=2C?=`), which merges two addresses into one
    (found by the property test in tests/test_deliver_message.py). Each address is
    folded alone, which has no comma to misplace, and the list is packed by hand.
    """

    def fold(self, *, policy: Any) -> str:
        name = str(getattr(self, "name", "To"))
        # room for the comma, and for the stock folder, which can overshoot by one
        narrow = policy.clone(max_line_length=policy.max_line_length - 2)
        lines = [f"{name}:"]
        last = len(self.addresses) - 1
        for number, address in enumerate(self.addresses):
            single = narrow.header_factory(name, [address])
            folded = BaseHeader.fold(single, policy=narrow)  # the stock fold, one address
            parts = [part.strip() for part in folded[len(name) + 1:].split(policy.linesep)
                     if part.strip()]
            comma = "," if number < last else ""
            if len(parts) == 1 and len(f"{lines[-1]} {parts[0]}{comma}") <= \
                    policy.max_line_length:
                lines[-1] += f" {parts[0]}{comma}"
            else:
                lines.extend(f" {part}" for part in parts)
                lines[-1] += comma
        return str(policy.linesep).join(lines) + str(policy.linesep)


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry()
    registry.map_to_type("content-type", _PlainContentType)  # type: ignore[arg-type]
    for name in ("to", "cc", "mail-followup-to"):
        registry.map_to_type(name, _AddressListHeader)  # type: ignore[arg-type]
    return registry


# The local form: LF line ends (what sendmail reads and what .eml files hold); the SMTP
# transport turns LF into CRLF on the wire. RFC 2047 for non-ASCII header text.
POLICY = email.policy.default.clone(header_factory=_registry(), raise_on_defect=True)


@dataclass(frozen=True)
class Envelope:
    """SMTP envelope: the return path and every recipient (To, Cc, and the sender for Bcc)."""

    sender: str
    recipients: tuple[str, ...]


def make_message_id(mail: MailConfig, week_end: dt.date, nonce: str = "") -> str:
    """The week's Message-ID: the same for the same mail settings and week, unless `nonce`.

    Deterministic so that `preview` shows the Message-ID that `send` will use before
    the week's ledger exists; the ledger then keeps it, so a resend reuses it. The
    digest covers sender, recipients and subject template, so that two configurations
    sending from one address in one week do not collide.
    """
    sender = _address(mail.sender, "mail.from")
    parts = [sender.addr_spec.lower(), week_end.isoformat(), mail.subject,
             *sorted(a.lower() for a in _addr_specs(mail.to, "mail.to")),
             "cc", *sorted(a.lower() for a in _addr_specs(mail.cc, "mail.cc")), nonce]
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:20]
    return f"<reporter.{week_end.isoformat()}.{digest}@{sender.domain}>"


def subject_of(mail: MailConfig, week_end: dt.date) -> str:
    return mail.subject.format(week_end=week_end.isoformat())


def envelope_of(mail: MailConfig) -> Envelope:
    """Return path = the sender; recipients = To, Cc and, with bcc_self, the sender, once each."""
    sender = _address(mail.sender, "mail.from").addr_spec
    wanted = list(_addr_specs(mail.to, "mail.to")) + list(_addr_specs(mail.cc, "mail.cc"))
    if mail.bcc_self:
        wanted.append(sender)
    return Envelope(sender, _unique(wanted))


def build_message(mail: MailConfig, *, week_end: dt.date, body: str, message_id: str,
                  date: dt.datetime | None) -> EmailMessage:
    """The week's message; `date=None` leaves the Date header out (for preview).

    Raises ConfigError when a configured header value could add a header (a line
    break, also RFC 2047-encoded), and InputError when the body cannot be carried.
    """
    sender = _address(mail.sender, "mail.from")
    to = tuple(_address(a, f"mail.to[{i}]") for i, a in enumerate(mail.to))
    cc = tuple(_address(a, f"mail.cc[{i}]") for i, a in enumerate(mail.cc))
    subject = _header_text(subject_of(mail, week_end), "mail.subject")
    if not re.fullmatch(r"<[!-;=?-~]+@[!-;=?-~]+>", message_id):
        raise InputError(f"Message-ID {message_id!r} is not of the form <left@right>",
                         hint="restore the week's ledger file in data/sent/")

    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    if mail.followup_to:
        seen: set[str] = set()
        followup = []
        for addr in (sender, *to, *cc):
            if addr.addr_spec.lower() not in seen:
                seen.add(addr.addr_spec.lower())
                followup.append(addr)
        msg["Mail-Followup-To"] = followup
    if date is not None:
        if date.tzinfo is None:
            raise ValueError("date must be timezone-aware")
        msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["MIME-Version"] = "1.0"
    charset, cte = body_encoding(body)
    msg.set_content(body, subtype="plain", charset=charset, cte=cte, disposition="inline")
    msg.replace_header("Content-Type", f"text/plain; charset={charset}")
    _check(msg, body, (sender, *to, *cc), subject)
    return msg


def message_bytes(msg: EmailMessage) -> bytes:
    """Exactly what the transport hands over (LF line ends; SMTP sends them as CRLF)."""
    return msg.as_bytes(policy=POLICY)


def body_encoding(body: str) -> tuple[str, str]:
    """(charset, Content-Transfer-Encoding): us-ascii when the text allows, utf-8 otherwise.

    7bit/8bit keeps the text readable as sent; a line over 998 octets (which no
    SMTP server must accept) makes it quoted-printable, whose lines are short.
    """
    charset = "us-ascii" if body.isascii() else "utf-8"
    longest = max((len(line) for line in body.encode(charset).splitlines()), default=0)
    if longest > MAX_LINE_OCTETS:
        return charset, "quoted-printable"
    return charset, "7bit" if charset == "us-ascii" else "8bit"


def parse_message(data: bytes) -> EmailMessage:
    """Parse bytes made by message_bytes (or read from a .eml) back into a message."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def readable_text(data: bytes) -> str:
    """Headers (decoded, unfolded, no Date) and the decoded body: what a reader sees."""
    msg = parse_message(data)
    head = "".join(f"{name}: {value}\n" for name, value in msg.items()
                   if name.lower() != "date")
    body = msg.get_content() if not msg.is_multipart() else msg.as_string()
    return head + "\n" + body.replace("\r\n", "\n")


# -- checks ------------------------------------------------------------------------


def _address(text: str, key: str) -> Address:
    """One configured mailbox (`Name <addr>`, quotes, commas, non-ASCII names) as an Address."""
    pairs = getaddresses([text])
    if len(pairs) != 1 or "@" not in pairs[0][1]:
        raise ConfigError(f"{key}: {text!r} is not one e-mail address")
    name, addr_spec = pairs[0]
    name = _header_text(name, key)
    if not addr_spec.isascii():
        raise ConfigError(f"{key}: {addr_spec!r}: non-ASCII addresses need SMTPUTF8, which "
                          "reporter does not use", hint="write the domain in its xn-- form")
    try:
        address = Address(display_name=name, addr_spec=addr_spec)
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"{key}: {text!r} is not an e-mail address ({exc})") from None
    if address.addr_spec != addr_spec or not address.domain:
        raise ConfigError(f"{key}: {text!r} is not an e-mail address")
    return address


def _addr_specs(texts: Iterable[str], key: str) -> tuple[str, ...]:
    return tuple(_address(t, f"{key}[{i}]").addr_spec for i, t in enumerate(texts))


def _unique(addrs: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out = []
    for addr in addrs:
        if addr.lower() not in seen:
            seen.add(addr.lower())
            out.append(addr)
    return tuple(out)


_LINE_BREAKS = {"\u2028", "\u2029", "\x85"}


def _header_text(text: str, key: str) -> str:
    """Refuse header text that holds a control character or an RFC 2047 encoded word.

    Python's email package decodes `=?utf-8?q?=0D=0A...?=` in a display name and
    writes the CR LF out raw, which would add a header; plain UTF-8 needs no
    encoded words, so none are accepted.
    """
    for ch in text:
        if ch in _LINE_BREAKS or (unicodedata.category(ch) == "Cc" and ch != "\t"):
            raise ConfigError(f"{key}: {text!r} holds a control character or line break",
                              hint="header text must be one line of plain text")
    if re.search(r"=\?[^?]*\?[bBqQ]\?", text):
        raise ConfigError(f"{key}: {text!r} holds an RFC 2047 encoded word",
                          hint="write the text in plain UTF-8; reporter encodes it")
    return text


def _check(msg: EmailMessage, body: str, addresses: tuple[Address, ...], subject: str) -> None:
    """Parse the generated bytes back: same headers, same addresses, same text, short lines."""
    data = message_bytes(msg)
    for number, line in enumerate(data.split(b"\n"), 1):
        if len(line) > MAX_LINE_OCTETS:
            raise InputError(f"message line {number} is {len(line)} octets long "
                             f"(the limit is {MAX_LINE_OCTETS})",
                             hint="shorten the configured names or subject")
    back = parse_message(data)
    names = [name for name, _ in msg.items()]
    if [name for name, _ in back.items()] != names or len(set(names)) != len(names):
        raise InputError("the message does not parse back with the headers it was built with",
                         hint="check mail.from, mail.to, mail.cc and mail.subject")
    specs = {a.addr_spec.lower() for a in addresses}
    parsed = {a.lower() for field in ("From", "To", "Cc")
              for _, a in getaddresses(back.get_all(field, []))}
    if parsed != specs or str(back["Subject"]) != subject:
        raise InputError("the message's addresses or subject do not parse back as configured",
                         hint="check mail.from, mail.to, mail.cc and mail.subject")
    charset = back.get_content_charset() or "us-ascii"
    expected = b"\n".join(body.encode(charset).splitlines()).decode(charset) + "\n"
    if back.get_content().replace("\r\n", "\n") != expected:
        raise InputError("the message body does not decode back to the rendered text")


def week_message_id(mail: MailConfig, data_dir: Path, week_end: dt.date) -> str:
    """The Message-ID the week's ledger keeps, or the one its first send will use."""
    from reporter.deliver.ledger import read_ledger

    entry = read_ledger(data_dir, week_end)
    return entry.message_id if entry else make_message_id(mail, week_end)
