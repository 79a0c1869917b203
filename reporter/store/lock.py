"""Advisory file locks under data_dir: one holder at a time, released however it exits."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from reporter.errors import LocalFileError, ReporterError, local_file_error
from reporter.fsutil import make_dirs

POLL_S = 0.05


@contextlib.contextmanager
def file_lock(path: Path, *, wait_s: float, busy: type[ReporterError] = LocalFileError,
              then: str = "nothing was changed", folder: bool = False) -> Iterator[None]:
    """Hold an exclusive flock(2) on `path`, waiting up to `wait_s` for another holder.

    The kernel drops the lock when its holder exits, however it exits (SIGKILL
    included), so a crashed run never leaves it held. The file keeps the holder's pid
    for messages only; it is never removed (removing it would let two runs lock two
    different files). With `folder`, `path` is a folder (created when missing) and the
    lock is on the folder itself: no lock file is left behind. Waiting too long raises
    `busy`; a folder that cannot be written raises LocalFileError (exit 2) with the
    path and the system's reason.
    """
    try:
        make_dirs(path if folder else path.parent)
        fd = (os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC) if folder
              else os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
    except OSError as exc:
        raise local_file_error(exc, exc.filename or path, doing="cannot take the lock",
                               then=f"; {then}",
                               hint="check that data_dir is writable and not full") from None
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy(
                        f"{path}: another reporter run{_holder(fd)} has held the lock for "
                        f"over {wait_s:.0f} s; {then}",
                        hint="let it finish, or stop it, then run again",
                    ) from None
                time.sleep(POLL_S)
        if not folder:
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except OSError:
                pass  # the pid is for messages only; a full disk must not stop the run
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""
