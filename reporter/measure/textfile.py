"""Reads measurement files: the head for detection, then blocks or lines of capped length."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reporter.errors import InputError

BLOCK_BYTES = 2 << 20  # 2 MiB: as fast as 4 or 8 MiB (measured), with a smaller peak
POSITIONAL_BLOCK_BYTES = 1 << 20  # many-column files: the per-row temporaries weigh more (as fast)
HEAD_BYTES = 64 << 10
MAX_LINE_BYTES = 1 << 20
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (malloc.h)
MMAP_FROM = 4 << 20  # buffers of this size or more are mapped; smaller ones, from the heap
HEAP_KEEPS = 64 << 20  # free heap memory kept for reuse rather than given back at once
UTF8_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")


class Refused(Exception):
    """The file's content cannot be summarised: the finding is `invalid` with this reason."""


@dataclass(frozen=True)
class Block:
    data: bytes  # whole lines, each ending in b"\n" (unless `unterminated`)
    unterminated: bool = False  # the file's last line, without its end of line


def keep_memory_flat() -> None:
    """Fix glibc's malloc thresholds, so that memory stays flat and no time goes to the kernel.

    By default glibc raises its mmap threshold each time a large mapped buffer is
    freed; buffers of that size then come from the heap, which fragments, and the
    process grows with the file (82 MiB at 10M samples, 156 MiB at 100M, measured).
    A fixed low threshold (1 MiB) kept memory flat, but every block's temporaries
    were then mapped, zero-filled by the kernel and unmapped: page faults were 2.3 s
    of a 3.3 s six-column read. With the blocks' buffers (2 MiB blocks, 1 MiB for
    many columns) below a fixed 4 MiB threshold, and the heap keeping up to 64 MiB
    free instead of trimming at every free, they are reused: the same read takes
    1.9 s, and memory stays flat (61 MiB at 10M six-column samples, 40M alike;
    `bench/bench_measure.py`, and `/usr/bin/time -f %M reporter measure FILE`).
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_FROM)
        libc.mallopt(M_TRIM_THRESHOLD, HEAP_KEEPS)
    except (OSError, AttributeError, TypeError):
        pass  # not glibc: nothing to tune


def open_binary(path: Path, what: str = "a measurement file") -> BinaryIO:
    """Open for reading, or raise InputError naming the file and the reason."""
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a directory, not {what}")
        return path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied",
                         hint="make the file readable by this user") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def read_head(fh: BinaryIO) -> tuple[bytes, int]:
    """The first bytes of the file without a UTF-8 BOM, and where the content starts."""
    fh.seek(0)
    head = fh.read(HEAD_BYTES)
    if head.startswith(UTF8_BOM):
        return head[len(UTF8_BOM):], len(UTF8_BOM)
    if head.startswith(_WIDE_BOMS):
        raise Refused("UTF-16 text; save the file as UTF-8 or ASCII")
    wide = _utf16_without_bom(head)
    if wide:
        raise Refused(f"{wide} text without a byte-order mark; save the file as UTF-8 or ASCII")
    return head, 0


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16LE or UTF-16BE when every other byte is NUL and the rest is ASCII text."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    pairs = len(sample) // 2
    even, odd = sample[0:pairs * 2:2], sample[1:pairs * 2:2]
    for name, nuls, text in (("UTF-16LE", odd, even), ("UTF-16BE", even, odd)):
        if nuls.count(0) * 10 >= pairs * 9 and sum(32 <= b < 127 or b in (9, 10, 13)
                                                    for b in text) * 10 >= pairs * 9:
            return name
    return None


def iter_lines(fh: BinaryIO, offset: int) -> Iterator[tuple[int, bytes]]:
    """(1-based number, line with its end of line) from `offset` on, each at most 1 MiB."""
    fh.seek(offset)
    number = 0
    while True:
        line = fh.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise Refused(f"line {number} is longer than {MAX_LINE_BYTES >> 20} MiB: not a "
                          "measurement file")
        yield number, line


def read_blocks(fh: BinaryIO, offset: int, block_bytes: int = BLOCK_BYTES) -> Iterator[Block]:
    """Whole lines from `offset` on, in blocks of about `block_bytes`."""
    fh.seek(offset)
    while True:
        block = fh.read(block_bytes)
        if not block:
            return
        if not block.endswith(b"\n"):
            rest = fh.readline(MAX_LINE_BYTES)  # complete the last line: one copy, no slicing
            if len(rest) == MAX_LINE_BYTES and not rest.endswith(b"\n"):
                raise Refused(f"a line longer than {MAX_LINE_BYTES >> 20} MiB: not a "
                              "measurement file")
            block += rest
            if not block.endswith(b"\n"):
                cut = block.rfind(b"\n") + 1
                if cut:
                    yield Block(block[:cut])
                yield Block(block[cut:], unterminated=True)
                return
        yield Block(block)
