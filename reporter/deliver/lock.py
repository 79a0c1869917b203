"""The data folder's lock (data/.lock): one sending run at a time."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from reporter.errors import DeliveryError
from reporter.store.lock import file_lock

LOCK_NAME = ".lock"
DEFAULT_WAIT_S = 900.0  # longer than a pull and a send with their retries


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_NAME


@contextlib.contextmanager
def data_lock(data_dir: Path, *, wait_s: float = DEFAULT_WAIT_S) -> Iterator[None]:
    """Hold data/.lock from reading the ledger to recording the result (see store.lock).

    Waiting past `wait_s` is a DeliveryError (exit 1, nothing was sent); a data_dir
    that cannot be written is a LocalFileError (exit 2).
    """
    with file_lock(lock_path(data_dir), wait_s=wait_s, busy=DeliveryError,
                   then="nothing was sent"):
        yield
