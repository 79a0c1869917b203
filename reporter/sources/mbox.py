"""A fast mbox (mboxrd) scanner: splits messages and reads only the headers that matter."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from typing import BinaryIO

BLOCK_BYTES = 8 << 20
_SEPARATOR = b"\nFrom "
# One pass over the header block picks the few fields we use (folded lines included).
_HEADER_RE = re.compile(
    rb"^(from|subject|message-id|in-reply-to|references|date|reply-to|"
    rb"content-transfer-encoding|content-type|x-original-from):[ \t]*"
    rb"(.*(?:\r?\n[ \t].*)*)",
    re.IGNORECASE | re.MULTILINE,
)
_MSGID_RE = re.compile(r"<([^<>\s]+)>")
_MBOXRD_RE = re.compile(rb"^>(>*From )", re.MULTILINE)
_OBFUSCATED_RE = re.compile(r"([\w.+=-]+) at ([\w-]+(?:\.[\w-]+)+)")
_VIA_RE = re.compile(r"\s+via\s+\S.*$", re.IGNORECASE)


@dataclass(frozen=True)
class Message:
    """One message of an mbox: the fields used for threads, and the raw body."""

    msgid: str
    in_reply_to: str | None
    references: tuple[str, ...]
    sender: str  # raw From: value (RFC 2047 still encoded)
    reply_to: str
    subject_raw: str
    date_raw: str
    transfer_encoding: str
    content_type: str
    body_raw: bytes  # as stored (mboxrd-quoted)

    @property
    def parent(self) -> str | None:
        if self.in_reply_to:
            return self.in_reply_to
        return self.references[-1] if self.references else None

    @property
    def subject(self) -> str:
        return decode_words(self.subject_raw)

    @property
    def date(self) -> str:
        """ISO 8601 in UTC, or "" when the Date: header cannot be read."""
        return parse_mail_date(self.date_raw)

    def body(self) -> str:
        """The body text: mboxrd quoting undone, single-part transfer encodings decoded."""
        raw = self.body_raw
        if b">From " in raw:
            raw = _MBOXRD_RE.sub(rb"\1", raw)
        encoding = self.transfer_encoding.strip().lower()
        if "multipart/" not in self.content_type.lower():
            try:
                if encoding == "base64":
                    raw = base64.b64decode(raw, validate=False)
                elif encoding == "quoted-printable":
                    raw = quopri.decodestring(raw)
            except (binascii.Error, ValueError):
                pass
        charset = _charset(self.content_type)
        try:
            return raw.decode(charset, errors="replace")
        except LookupError:
            return raw.decode("utf-8", errors="replace")


class TruncatedMbox(ValueError):
    """The mbox ends inside a message header."""


def iter_messages(stream: BinaryIO, block_bytes: int = BLOCK_BYTES) -> Iterator[Message]:
    """Every message of an mbox stream, read in blocks so memory stays bounded."""
    for chunk in iter_chunks(stream, block_bytes):
        message = parse_chunk(chunk)
        if message is not None:
            yield message


def iter_chunks(stream: BinaryIO, block_bytes: int = BLOCK_BYTES) -> Iterator[bytes]:
    """The raw messages of an mbox stream (each starting after its `From ` line)."""
    pending = b""
    first = True
    while True:
        block = stream.read(block_bytes)
        if not block:
            break
        data = pending + block
        if first:
            if not data.startswith(b"From "):
                lead = data.lstrip(b"\r\n")
                if lead and not lead.startswith(b"From "):
                    raise TruncatedMbox("the data does not start with an mbox `From ` line")
                data = lead
            first = False
        parts = data.split(_SEPARATOR)
        pending = parts.pop()
        yield from parts
    if pending.strip():
        yield pending


def parse_chunk(chunk: bytes) -> Message | None:
    """One raw message (its `From ` line first) -> Message, or None for an empty chunk."""
    newline = chunk.find(b"\n")
    if newline < 0:
        if chunk.strip():
            raise TruncatedMbox("a message ends inside its `From ` line")
        return None
    end = chunk.find(b"\n\n", newline)
    crlf = chunk.find(b"\r\n\r\n", newline)
    if crlf >= 0 and (end < 0 or crlf < end):
        end, skip = crlf, 4
    else:
        skip = 2
    if end < 0:
        header_block = chunk[newline + 1:]
        if header_block.strip() and not header_block.endswith(b"\n"):
            raise TruncatedMbox("a message ends inside its header")
        body = b""
    else:
        header_block = chunk[newline + 1:end + 1]
        body = chunk[end + skip:]
    fields: dict[bytes, bytes] = {}
    for name, value in _HEADER_RE.findall(header_block):
        key = name.lower()
        if key not in fields:
            fields[key] = value
    if not fields:
        return None

    def text(key: bytes) -> str:
        return _unfold(fields.get(key, b""))

    msgids = _MSGID_RE.findall(text(b"message-id"))
    reply = _MSGID_RE.findall(text(b"in-reply-to"))
    return Message(
        msgid=msgids[0] if msgids else text(b"message-id").strip("<> "),
        in_reply_to=reply[0] if reply else None,
        references=tuple(_MSGID_RE.findall(text(b"references"))),
        sender=text(b"from") or text(b"x-original-from"),
        reply_to=text(b"reply-to"),
        subject_raw=text(b"subject"),
        date_raw=text(b"date"),
        transfer_encoding=text(b"content-transfer-encoding"),
        content_type=text(b"content-type"),
        body_raw=body,
    )


def decode_words(value: str) -> str:
    """RFC 2047 encoded words -> text (only for the messages that are shown)."""
    if "=?" not in value:
        return " ".join(value.split())
    try:
        return " ".join(str(make_header(decode_header(value))).split())
    except (ValueError, LookupError, UnicodeError):
        return " ".join(value.split())


def parse_mail_date(value: str) -> str:
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


def normalize_person(value: str, reply_to: str = "") -> tuple[str, str]:
    """(name, e-mail) of a From: or trailer value, undoing list and archive rewriting.

    Pipermail writes addresses as `user at domain`; a list that rewrites the sender
    (DMARC) writes `X via U-Boot <u-boot@lists.denx.de>` and keeps the real address in
    Reply-To.
    """
    text = _OBFUSCATED_RE.sub(r"\1@\2", decode_words(value))
    if "@" not in text:
        pairs = [(_VIA_RE.sub("", text).strip().strip('"'), "")]
    else:
        pairs = getaddresses([text])
    name, email = pairs[0] if pairs else ("", "")
    name = name.strip().strip('"').strip()
    if _VIA_RE.search(name):
        name = _VIA_RE.sub("", name).strip().strip('"')
        email = ""
        if reply_to:
            _, email = normalize_person(reply_to)
    if "@" not in email:
        email = ""
    return name or email, email.lower()


def _unfold(value: bytes) -> str:
    return " ".join(value.decode("utf-8", errors="replace").split())


def _charset(content_type: str) -> str:
    match = re.search(r'charset="?([\w.:-]+)"?', content_type, re.IGNORECASE)
    return match.group(1) if match else "utf-8"
