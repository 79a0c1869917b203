"""The data folder's lock: one holder at a time, released however the holder ends."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reporter.deliver.lock import data_lock, lock_path
from reporter.errors import DeliveryError


def test_a_second_holder_waits_for_the_first(tmp_path: Path) -> None:
    order: list[str] = []
    entered = threading.Event()

    def first() -> None:
        with data_lock(tmp_path):
            entered.set()
            time.sleep(0.3)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    entered.wait(5)
    with data_lock(tmp_path, wait_s=10):
        order.append("second in")
    thread.join()
    assert order == ["first out", "second in"]


def test_waiting_too_long_is_a_delivery_error_naming_the_holder(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from reporter.deliver.lock import data_lock\n"
         "with data_lock(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(30)",
         str(tmp_path)], stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parent.parent)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(DeliveryError, match=rf"pid {holder.pid}\b.*nothing was sent"):
            with data_lock(tmp_path, wait_s=0.2):
                pass
    finally:
        holder.kill()
        holder.wait()
    # killed with SIGKILL: the kernel released its lock
    with data_lock(tmp_path, wait_s=5):
        assert lock_path(tmp_path).exists()
