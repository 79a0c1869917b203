"""Opens a trace file (plain or gzip), checks that it is ftrace text, and reads it in blocks."""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reporter.errors import InputError
from reporter.measure.textfile import open_binary
from reporter.trace.lines import is_comment, parse_line

log = logging.getLogger(__name__)

BLOCK_BYTES = 4 << 20
HEAD_LINES = 200  # the check reads this many lines at most
MAX_LINE_BYTES = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
TRACE_DAT_MAGIC = b"\x17\x08\x44tracing"


@dataclass(frozen=True)
class Block:
    offset: int  # byte offset of the block in the (decompressed) text
    data: bytes  # whole lines, each ending in b"\n"


def is_gzip(path: Path) -> bool:
    with _open_raw(path) as fh:
        return fh.read(2) == GZIP_MAGIC


def open_text(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is gzip; InputError when it cannot be opened."""
    fh = _open_raw(path)
    if fh.read(2) == GZIP_MAGIC:
        fh.close()
        return gzip.open(path, "rb")  # type: ignore[return-value]
    fh.seek(0)
    return fh


def looks_like_trace(path: Path) -> bool:
    """Whether the file is ftrace text (for telling traces from other measurement files)."""
    try:
        check(path)
    except InputError:
        return False
    return True


def check(path: Path) -> str:
    """`tracefs` or `trace-cmd` (the format of the file's first event lines).

    Raises InputError naming the file and the first line that is not ftrace text.
    """
    head = _head(path)
    if not head:
        raise InputError(f"{path}: empty file, not a trace")
    if head.startswith(TRACE_DAT_MAGIC):
        raise InputError(f"{path}: a trace-cmd binary record (trace.dat), not ftrace text",
                         hint=f"convert it first: trace-cmd report -i {path} > trace.txt")
    if _binary(head[:4096]):
        raise InputError(f"{path}: binary data, not an ftrace text trace",
                         hint="give /sys/kernel/tracing/trace or `trace-cmd report` output, "
                         "plain or gzip")
    lines = head.split(b"\n")
    if len(head) == 64 << 10:
        lines.pop()  # maybe a partial line
    trace_cmd = False
    events = 0
    for number, raw in enumerate(lines[:HEAD_LINES], start=1):
        text = raw.decode("utf-8", "replace")
        if text.startswith("cpus="):
            trace_cmd = True
        if is_comment(text):
            continue
        event = parse_line(text)
        if event is None:
            shown = text.strip()[:60]
            raise InputError(f"{path}: line {number} is not ftrace text: {shown!r}",
                             hint="give /sys/kernel/tracing/trace or `trace-cmd report` "
                             "output, plain or gzip")
        events += 1
        if event.flags == "" and event.name not in ("<lost>", "<started>"):
            trace_cmd = True
        if events >= 20:
            break
    if events == 0 and not trace_cmd and b"# tracer:" not in head[:4096]:
        raise InputError(f"{path}: no ftrace event line and no ftrace header",
                         hint="give /sys/kernel/tracing/trace or `trace-cmd report` output")
    return "trace-cmd" if trace_cmd else "tracefs"


def _head(path: Path, size: int = 64 << 10) -> bytes:
    """The first `size` bytes of the text, also from a gzip file that is cut short (the
    whole read reports that)."""
    with _open_raw(path) as fh:
        raw = fh.read(size)
        if not raw.startswith(GZIP_MAGIC):
            return raw
        inflate = zlib.decompressobj(wbits=31)
        out = b""
        try:
            while len(out) < size and raw:
                out += inflate.decompress(raw, size - len(out))
                raw = inflate.unconsumed_tail or fh.read(size)
                if inflate.eof:
                    break
        except zlib.error as exc:
            if not out:
                raise _unreadable(path, exc) from None
        return out


def read_blocks(path: Path, start: int = 0, block_bytes: int = BLOCK_BYTES) -> Iterator[Block]:
    """Whole lines from byte `start` (a line's start) on, in blocks of about `block_bytes`.

    Raises InputError when the gzip data is cut short or corrupt, when the file ends
    inside a line (a truncated file), or on a line longer than MAX_LINE_BYTES.
    """
    with open_text(path) as fh:
        try:
            yield from _blocks(path, fh, start, block_bytes)
        except (EOFError, OSError, zlib.error) as exc:
            raise _unreadable(path, exc) from None


def _blocks(path: Path, fh: BinaryIO, start: int, block_bytes: int) -> Iterator[Block]:
    fh.seek(start)
    plain = not isinstance(fh, gzip.GzipFile)
    offset = start
    carry = b""
    while True:
        chunk = fh.read(block_bytes)
        if not chunk:
            break
        data = carry + chunk if carry else chunk
        end = data.rfind(b"\n") + 1
        if end == 0:
            if len(data) > MAX_LINE_BYTES:
                raise InputError(f"{path}: {line_number(path, offset)} is longer than "
                                 f"{MAX_LINE_BYTES >> 20} MiB: not an ftrace text trace")
            carry = data
            continue
        if end < len(data) and plain:
            fh.seek(end - len(data), 1)  # read the partial line again with the next block
            carry = b""
        else:
            carry = data[end:]
        yield Block(offset, data[:end] if end < len(data) else data)
        offset += end
    if carry.strip():
        raise InputError(f"{path}: ends inside {line_number(path, offset)}: the file is "
                         "truncated", hint="copy or save the whole trace again")


def line_number(path: Path, offset: int) -> str:
    """`line N` for the line that starts at byte `offset` (counted only for a message)."""
    count = 0
    with open_text(path) as fh:
        try:
            while offset > 0:
                chunk = fh.read(min(BLOCK_BYTES, offset))
                if not chunk:
                    break
                count += chunk.count(b"\n")
                offset -= len(chunk)
        except (EOFError, OSError, zlib.error):
            pass
    return f"line {count + 1}"


def _unreadable(path: Path, exc: BaseException) -> InputError:
    if isinstance(exc, EOFError):
        return InputError(f"{path}: the gzip data is cut short: the file is truncated",
                          hint="copy or download the file again")
    if isinstance(exc, (gzip.BadGzipFile, zlib.error)):
        return InputError(f"{path}: corrupt gzip data ({exc})",
                          hint="copy or download the file again")
    return InputError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}")


def _open_raw(path: Path) -> BinaryIO:
    return open_binary(path, "a trace")


def _binary(sample: bytes) -> bool:
    text = sample.decode("utf-8", "replace")
    odd = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    return odd * 10 > len(text) * 3
