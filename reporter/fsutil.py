"""Atomic file writes: temp file beside the target, fsync, rename (or link), fsync the folder.

Folders it creates are 0700: data_dir holds notes, sent mail and downloaded Jira
attachments, which are nobody else's to read. Writes through symbolic and hard links
keep the user's file (write_keeping_links).
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_file(path: Path, *, exclusive: bool = False, mode: int | None = None
                ) -> Iterator[IO[bytes]]:
    """A file to write that becomes `path` only when the block ends without an exception.

    Readers see the old file or the new one, never a mix; an exception (or a crash)
    leaves `path` as it was and no temporary file behind. `exclusive` never replaces
    an existing `path` (FileExistsError instead): the temporary file is hard-linked,
    which fails when `path` exists, even one created meanwhile by another run.
    `mode` sets the new file's permissions (the temporary file is made 0600).
    """
    make_dirs(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _named(exc, path.parent) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            try:
                yield fh
                fh.flush()
                if mode is not None:
                    os.fchmod(fh.fileno(), mode)
                os.fsync(fh.fileno())
            except OSError as exc:  # ENOSPC from write() names no file: name it
                raise _named(exc, path) from None
        if exclusive:
            _link_new(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
    fsync_dir(path.parent)


def make_dirs(folder: Path, mode: int = 0o700) -> None:
    """Create `folder` and its missing parents with `mode` (mkdir -p gives parents 0777)."""
    if folder.is_dir():
        return
    missing = []
    for part in (folder, *folder.parents):
        if part.is_dir():
            break
        missing.append(part)
    for part in reversed(missing):
        try:
            part.mkdir(mode=mode)
        except FileExistsError:
            if not part.is_dir():  # a file where the folder should be
                raise NotADirectoryError(errno.ENOTDIR, "a file is in the way of a folder",
                                         str(part)) from None
        except OSError as exc:
            raise _named(exc, part) from None


def _named(exc: OSError, path: Path) -> OSError:
    """`exc` with `path` as its file name, when the system named none (never a network error)."""
    if exc.filename is not None or exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


def _link_new(tmp: str, path: Path) -> None:
    try:
        os.link(tmp, path)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP):
            raise  # FileExistsError among them
        if path.exists():  # no hard links on this file system: check, then rename
            raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
        os.replace(tmp, path)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that readers see the old or the new file, never a mix."""
    with atomic_file(path) as fh:
        fh.write(data)


def write_json_atomic(path: Path, value: Any) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    write_atomic(path, text.encode("utf-8"))


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_keeping_links(path: Path, data: bytes) -> Path:
    """Give the file `path` names the new contents `data`, keeping the user's file.

    Through a symbolic link, the link's target is written (atomically, beside the
    target), so the link stays a link. A file with other hard links is rewritten in
    place, so every link sees the new text; a copy of the new text is stored and
    synced beside it first and removed after, so a crash midway loses nothing. Any
    other file is replaced atomically. The file's permission bits are kept. Returns
    the file written.
    """
    target = Path(os.path.realpath(path))
    info = target.stat()
    mode = stat.S_IMODE(info.st_mode)
    if info.st_nlink <= 1:
        with atomic_file(target, mode=mode) as fh:
            fh.write(data)
        return target
    fd, spare = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with open(target, "r+b") as fh:
            fh.write(data)
            fh.truncate()
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise _named(exc, target) from None
    os.unlink(spare)
    return target
