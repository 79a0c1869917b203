"""The lore (public-inbox) archive: thread mboxes and the review facts found in them."""

from __future__ import annotations

import io
import logging
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from reporter.errors import SourceError
from reporter.model.patches import TAG_KINDS, AppliedReply, ReviewTag
from reporter.sources.mbox import Message, TruncatedMbox, iter_messages, normalize_person
from reporter.sources.patch_http import Deadline, bind_deadline

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

# Matched on the lower-cased text (case-insensitive patterns are several times slower);
# the spans then index the original text.
_TRAILER = r"^[ \t]*(reviewed|acked|tested)-by:[ \t]*(\S.*?)[ \t]*$"
_TRAILER_RE = re.compile(_TRAILER, re.MULTILINE)
_TRAILER_ANYCASE_RE = re.compile(_TRAILER, re.MULTILINE | re.IGNORECASE)
# "Applied to u-boot-efi/master, thanks!", "applied to u-boot/next.", "Applied to
# u-boot-dm, thanks" (never on a quoted line: those start with ">").
_APPLIED_RE = re.compile(r"^[ \t]*Applied[ \t]+to[ \t]+([\w.+-]+(?:/[\w.+-]+)*?)"
                         r"(?=[,.!;:]?(?:[ \t]|$))", re.MULTILINE | re.IGNORECASE)
_APPLIED_BARE_RE = re.compile(r"^[ \t]*Applied(?:,)?[ \t]+thanks\b", re.MULTILINE | re.IGNORECASE)
_SAFE_MSGID = "!$&'()*+,;=:@~-._"  # public-inbox's mid_escape keeps these
DEFAULT_MAX_THREAD_BYTES = 128 * 1024 * 1024  # patches.archive.max_thread_mb
CHUNK_BYTES = 64 * 1024


def message_url(lore_base: str, msgid: str) -> str:
    """The archive page of one message: `<lore>/<msgid>/`."""
    return f"{lore_base.rstrip('/')}/{quote(msgid, safe=_SAFE_MSGID)}/"


def thread_mbox_url(lore_base: str, msgid: str) -> str:
    return f"{message_url(lore_base, msgid)}t.mbox.gz"


def fetch_thread(session: requests.Session, lore_base: str, msgid: str, *,
                 timeout_s: float, deadline: Deadline,
                 max_bytes: int = DEFAULT_MAX_THREAD_BYTES) -> list[Message] | None:
    """The whole thread that holds `msgid`, or None when the archive does not have it yet.

    The mbox is read as a stream and decompressed with a cap of `max_bytes`
    (patches.archive.max_thread_mb): past it the pull fails, naming the cap, rather
    than filling the memory with a runaway (or hostile) answer.
    """
    import requests

    from reporter.sources.patch_session import passed_error

    url = thread_mbox_url(lore_base, msgid)
    bind_deadline(session, deadline, "lore", lore_base)
    deadline.check("lore", f"reading {url}")
    try:
        response = session.get(url, timeout=deadline.timeout(timeout_s), stream=True)
        with response:
            if response.status_code == 404:
                log.info("lore: %s is not in the archive (yet)", msgid)
                return None
            if response.status_code >= 400:
                raise SourceError(f"lore: HTTP {response.status_code} from {url}",
                                  hint="the archive is failing; try again later (send "
                                  "--allow-stale uses the last snapshot)")
            data = _read_capped(response, url, max_bytes)
    except requests.Timeout as exc:
        raise SourceError(f"lore: timed out: no answer from {lore_base} within {timeout_s:g} s",
                          hint="raise patches.timeout_s, or try again later") from exc
    except requests.RequestException as exc:
        if deadline.passed():  # the body stalled until the deadline shut it down
            raise passed_error("lore", deadline, f"while reading {url}") from None
        raise SourceError(f"lore: cannot reach {lore_base}: {type(exc).__name__}",
                          hint="check patches.archive.lore and the network connection") from exc
    try:
        return parse_thread_mbox(data, max_bytes=max_bytes)
    except _TooBig:
        raise _too_big(url, max_bytes) from None
    except (TruncatedMbox, EOFError, OSError, zlib.error) as exc:
        raise SourceError(f"lore: the thread mbox from {url} is truncated or corrupt: {exc}",
                          hint="try again later; if it persists, check patches.archive.lore"
                          ) from exc


def parse_thread_mbox(data: bytes, *, max_bytes: int = DEFAULT_MAX_THREAD_BYTES
                      ) -> list[Message]:
    """A t.mbox.gz answer (gzip, or already decoded by the transport) -> messages.

    Raises _TooBig when the mbox decompresses to more than `max_bytes`.
    """
    if data[:2] == b"\x1f\x8b":
        data = _gunzip_capped(data, max_bytes)
    return list(iter_messages(io.BytesIO(data)))


class _TooBig(Exception):
    """The thread mbox is larger than the configured cap."""


def _read_capped(response: requests.Response, url: str, max_bytes: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_content(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise _too_big(url, max_bytes)
        parts.append(chunk)
    return b"".join(parts)


def _gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """gzip -d, every member, stopping with _TooBig past `max_bytes` of output."""
    out: list[bytes] = []
    size = 0
    rest = data
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = rest
        while not inflater.eof:
            chunk = inflater.decompress(pending, max_bytes - size + 1)
            pending = inflater.unconsumed_tail
            if not chunk and not pending:
                raise EOFError("compressed file ended before the end-of-stream marker was "
                               "reached")
            size += len(chunk)
            if size > max_bytes:
                raise _TooBig
            out.append(chunk)
        rest = inflater.unused_data.lstrip(b"\0")  # members may be padded with zeros
    return b"".join(out)


def _too_big(url: str, max_bytes: int) -> SourceError:
    return SourceError(f"lore: the thread mbox from {url} is larger than "
                       f"{max_bytes / (1024 * 1024):g} MiB decompressed",
                       hint="raise patches.archive.max_thread_mb if the thread is really "
                       "that long")


@dataclass(frozen=True)
class ThreadFacts:
    """What a thread says about a series: review tags, "applied" replies, patch texts."""

    tags: tuple[ReviewTag, ...]
    applied: tuple[AppliedReply, ...]
    patch_texts: Mapping[str, str]  # patch msgid -> the patch mail (headers + body)


def thread_facts(messages: Iterable[Message], targets: Iterable[str],
                 submitter_emails: Iterable[str]) -> ThreadFacts:
    """Review tags and applied replies aimed at `targets` (the series' patches and cover).

    A reply counts for the nearest target up its In-Reply-To chain. Tags written in a
    patch itself (carried from an earlier version) count too; the submitter's own
    replies do not.
    """
    by_id = {m.msgid: m for m in messages}
    wanted = set(targets)
    mine = {e.lower() for e in submitter_emails}
    tags: dict[tuple[str, str, str], ReviewTag] = {}
    applied: list[AppliedReply] = []
    texts: dict[str, str] = {}
    for message in by_id.values():
        if message.msgid in wanted:
            body = message.body()
            texts[message.msgid] = _patch_text(message, body)
            commit_message = body.split("\n---", 1)[0]
            for tag in _tags(commit_message, message, message.msgid):
                tags.setdefault((tag.kind, tag.email or tag.name, tag.patch_msgid), tag)
            continue
        target = _target(message, by_id, wanted)
        if target is None:
            continue
        name, email = normalize_person(message.sender, message.reply_to)
        if email and email in mine:
            continue
        body = message.body()
        for tag in _tags(body, message, target):
            tags.setdefault((tag.kind, tag.email or tag.name, tag.patch_msgid), tag)
        tree = _applied(body)
        if tree is not None:
            applied.append(AppliedReply(tree=tree, name=name, email=email, date=message.date,
                                        msgid=message.msgid, patch_msgid=target))
    ordered = sorted(tags.values(), key=lambda t: (t.date, t.kind, t.name, t.patch_msgid))
    return ThreadFacts(tags=tuple(ordered),
                       applied=tuple(sorted(applied, key=lambda a: (a.date, a.msgid))),
                       patch_texts=texts)


def _target(message: Message, by_id: Mapping[str, Message], wanted: set[str]) -> str | None:
    seen: set[str] = set()
    parent = message.parent
    while parent is not None and parent not in seen:
        if parent in wanted:
            return parent
        seen.add(parent)
        above = by_id.get(parent)
        if above is None:
            # The parent is not in this mbox: fall back on the References chain.
            for ref in reversed(message.references):
                if ref in wanted:
                    return ref
            return None
        parent = above.parent
    return None


def _tags(text: str, message: Message, target: str) -> Iterable[ReviewTag]:
    lowered = text.lower()
    if "-by:" not in lowered:
        return
    pattern = _TRAILER_RE
    if len(lowered) != len(text):  # a few non-ASCII letters change length when lowered
        lowered, pattern = text, _TRAILER_ANYCASE_RE
    date = message.date
    for match in pattern.finditer(lowered):
        kind = f"{match.group(1).lower().capitalize()}-by"
        if kind not in TAG_KINDS:
            continue
        name, email = normalize_person(text[match.start(2):match.end(2)])
        if not name:
            continue
        yield ReviewTag(kind=kind, name=name, email=email, patch_msgid=target, date=date,
                        msgid=message.msgid)


def _applied(text: str) -> str | None:
    if "pplied" not in text and "PPLIED" not in text:
        return None
    match = _APPLIED_RE.search(text)
    if match:
        tree = match.group(1).rstrip(".")
        return "" if tree.lower() in {"thanks", "the", "my"} else tree
    if _APPLIED_BARE_RE.search(text):
        return ""
    return None


def _patch_text(message: Message, body: str) -> str:
    """The patch as `git patch-id` reads it: its subject line, then the body."""
    return f"Subject: {message.subject}\n\n{body}"
