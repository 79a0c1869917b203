"""Reads measurement files: the head for detection, then blocks of whole lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reporter.errors import InputError

BLOCK_BYTES = 8 << 20  # 8 MiB: big enough for numpy to run at full speed, small for memory
HEAD_BYTES = 64 << 10
UTF8_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")


class Refused(Exception):
    """The file's content cannot be summarised: the finding is `invalid` with this reason."""


@dataclass(frozen=True)
class Block:
    data: bytes  # whole lines, each ending in b"\n" (unless `unterminated`)
    unterminated: bool = False  # the file's last line, without its end of line


def open_binary(path: Path) -> BinaryIO:
    """Open for reading, or raise InputError naming the file and the reason."""
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a directory, not a measurement file")
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
    return head, 0


def read_blocks(fh: BinaryIO, offset: int, block_bytes: int = BLOCK_BYTES) -> Iterator[Block]:
    """Whole lines from `offset` on, in blocks of about `block_bytes`."""
    fh.seek(offset)
    rest = b""
    while True:
        chunk = fh.read(block_bytes)
        if not chunk:
            break
        data = rest + chunk if rest else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1:]
        yield Block(data[: cut + 1] if rest else data)
    if rest:
        yield Block(rest, unterminated=True)
