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
# Each match starts at the newline before its line: a literal first character lets
# the regex engine skip from newline to newline instead of trying every position.
_HEADER_RE = re.compile(
    rb"\n(from|subject|message-id|in-reply-to|references|date|reply-to|"
    rb"content-transfer-encoding|content-type|x-original-from):[ \t]*"
    rb"(.*(?:\r?\n[ \t].*)*)",
    re.IGNORECASE,
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
    """Every message of an mbox stream, read in blocks so memory stays bounded.

    Messages are found and parsed where they lie in each block (by offset, no copy of
    the block per message); only a message's body is copied out.
    """
    for data, start, end in _spans(stream, block_bytes):
        message = _parse(data, start, end)
        if message is not None:
            yield message


def iter_chunks(stream: BinaryIO, block_bytes: int = BLOCK_BYTES) -> Iterator[bytes]:
    """The raw messages of an mbox stream (each starting after its `From ` line)."""
    for data, start, end in _spans(stream, block_bytes):
        yield data[start:end]


def _spans(stream: BinaryIO, block_bytes: int) -> Iterator[tuple[bytes, int, int]]:
    """(buffer, start, end) of each raw message: `From ` line first, separator excluded.

    Messages inside a block are given by offset into the block as read; only a
    message that straddles two blocks is joined into bytes of its own. (Joining
    the rest of a block onto the next costs more than the whole search: a fresh
    8 MiB buffer per block, every page of it faulted in.)
    """
    size = len(_SEPARATOR)
    carry: list[bytes] = []  # the unfinished message, in pieces
    tail = b""  # its last size - 1 bytes, where a separator may start
    first = True
    while block := stream.read(block_bytes):
        if first:
            first = False
            if not block.startswith(b"From "):
                lead = block.lstrip(b"\r\n")
                if lead and not lead.startswith(b"From "):
                    raise TruncatedMbox("the data does not start with an mbox `From ` line")
                block = lead
        pos = 0
        if carry:
            seam = (tail + block[:size - 1]).find(_SEPARATOR)
            if seam >= 0:  # the separator straddles the two blocks
                back = len(tail) - seam
                whole = b"".join(carry)
                yield whole, 0, len(whole) - back
                pos = size - back
            else:
                cut = block.find(_SEPARATOR)
                if cut < 0:
                    carry.append(block)
                    tail = (tail + block)[-(size - 1):]
                    continue
                whole = b"".join(carry) + block[:cut]
                yield whole, 0, len(whole)
                pos = cut + size
            carry = []
        find = block.find
        while (cut := find(_SEPARATOR, pos)) >= 0:
            yield block, pos, cut
            pos = cut + size
        if pos < len(block):
            carry = [block[pos:]]
            tail = block[max(pos, len(block) - (size - 1)):]
    whole = b"".join(carry)
    if whole.strip():
        yield whole, 0, len(whole)


def parse_chunk(chunk: bytes) -> Message | None:
    """One raw message (its `From ` line first) -> Message, or None for an empty chunk."""
    return _parse(chunk, 0, len(chunk))


def _parse(data: bytes, start: int, end: int) -> Message | None:
    """The message in data[start:end] (its `From ` line first), or None when empty."""
    newline = data.find(b"\n", start, end)
    if newline < 0:
        if data[start:end].strip():
            raise TruncatedMbox("a message ends inside its `From ` line")
        return None
    stop = data.find(b"\n\n", newline, end)
    crlf = data.find(b"\r\n\r\n", newline, stop if stop >= 0 else end)
    if crlf >= 0:
        stop, skip = crlf, 4
    else:
        skip = 2
    if stop < 0:
        header_end = end
        if data[newline + 1:end].strip() and data[end - 1:end] != b"\n":
            raise TruncatedMbox("a message ends inside its header")
        body = b""
    else:
        header_end = stop + 1
        body = data[stop + skip:end]
    pairs = _HEADER_RE.findall(data, newline, header_end)
    if not pairs:
        return None
    # The first of a repeated field counts: reversed, it is the one written last.
    fields = {name.lower(): " ".join(value.decode("utf-8", "replace").split())
              for name, value in reversed(pairs)}
    get = fields.get
    msgid = get(b"message-id", "")
    first = _MSGID_RE.search(msgid)
    reply = _MSGID_RE.search(get(b"in-reply-to", ""))
    refs = get(b"references")
    return Message(
        msgid=first.group(1) if first else msgid.strip("<> "),
        in_reply_to=reply.group(1) if reply else None,
        references=tuple(_MSGID_RE.findall(refs)) if refs else (),
        sender=get(b"from") or get(b"x-original-from", ""),
        reply_to=get(b"reply-to", ""),
        subject_raw=get(b"subject", ""),
        date_raw=get(b"date", ""),
        transfer_encoding=get(b"content-transfer-encoding", ""),
        content_type=get(b"content-type", ""),
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


def _charset(content_type: str) -> str:
    match = re.search(r'charset="?([\w.:-]+)"?', content_type, re.IGNORECASE)
    return match.group(1) if match else "utf-8"
