"""The data folder's lock (data/.lock): one sending run at a time."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from reporter.errors import DeliveryError

LOCK_NAME = ".lock"
DEFAULT_WAIT_S = 900.0  # longer than a pull and a send with their retries
POLL_S = 0.05


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_NAME


@contextlib.contextmanager
def data_lock(data_dir: Path, *, wait_s: float = DEFAULT_WAIT_S) -> Iterator[None]:
    """Hold an exclusive flock(2) on data/.lock, waiting up to `wait_s` for another run.

    The kernel drops the lock when its holder exits, however it exits (SIGKILL
    included), so a crashed run never leaves the data folder locked. The file keeps
    the holder's pid for messages only; it is never removed (removing it would let
    two runs lock two different files).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = lock_path(data_dir)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    raise DeliveryError(
                        f"{path}: another reporter run{holder} has held the lock for over "
                        f"{wait_s:.0f} s; nothing was sent",
                        hint="let it finish, or stop it, then run again",
                    ) from None
                time.sleep(POLL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""
