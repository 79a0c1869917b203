"""`reporter trace record`: live recordings where tracefs is writable (skipped, with the
reason, elsewhere), the tracing state put back (also on Ctrl-C and SIGTERM), and the
refusals when tracefs is missing, unreadable or read-only."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.errors import InputError
from reporter.trace import tracefs
from reporter.trace.analyse import analyse_trace
from reporter.trace.scan import index
from reporter.trace.spikes import TraceOptions
from tests.conftest import ROOT, write_config

SETTINGS = ("tracing_on", "buffer_size_kb", "events/sched/sched_switch/enable",
            "events/irq/irq_handler_entry/enable", "events/timer/hrtimer_start/enable",
            "events/workqueue/workqueue_execute_start/enable")


def _live_tracefs() -> Path:
    """The real tracefs, or skip saying why it cannot be used."""
    try:
        root = tracefs.find()
        tracefs.check_writable(root)
    except InputError as exc:
        pytest.skip(f"no writable tracefs here: {exc}")
    if shutil.which("cyclictest") is None:
        pytest.skip("cyclictest is not installed (Debian's rt-tests)")
    return root


def _state(root: Path) -> dict[str, str]:
    return {name: (root / name).read_text().strip() for name in SETTINGS
            if (root / name).exists()}


def test_records_a_one_second_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _live_tracefs()
    before = _state(root)
    out = tmp_path / "one-second.txt.gz"
    status = main(["trace", "record", "--break", "1000000", "--duration", "1", "--window",
                   "500000", "-o", str(out), "--", "sleep", "30"])
    stdout, _ = capsys.readouterr()
    assert status == 0
    assert _state(root) == before
    assert stdout.startswith(f"{out}: no break above 1000000 usecs; kept the end of the trace")
    idx = index(out)
    assert idx.start_ts is not None and idx.end_ts is not None
    assert 0.5e9 < idx.end_ts - idx.start_ts <= 1.0e9  # the last second, as --window asked
    assert idx.marks == ()
    assert analyse_trace(out, TraceOptions()).spikes == ()


def test_a_break_is_saved_under_data_dir_and_explained(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _live_tracefs()
    before = _state(root)
    config = write_config(tmp_path)
    now = dt.datetime(2023, 2, 16, 1, 2, 3, tzinfo=dt.UTC)  # 10:02:03 in Tokyo
    status = main(["--config", str(config), "trace", "record", "--break", "1", "--", "sleep",
                   "10"], now=now)
    stdout, _ = capsys.readouterr()
    assert status == 0
    assert _state(root) == before
    saved = tmp_path / "data" / "traces" / "2023-02-16" / "trace-100203.txt.gz"
    assert stdout.startswith(f"{saved}: break: cyclictest-")
    spike = analyse_trace(saved, TraceOptions()).spikes[0]
    assert spike.mark is not None and spike.mark.threshold_us == 1
    assert spike.victim is not None and spike.victim.task.comm == "cyclictest"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_recording_puts_everything_back(tmp_path: Path, sig: int) -> None:
    root = _live_tracefs()
    before = _state(root)
    out = tmp_path / "never.txt.gz"
    proc = subprocess.Popen(
        [sys.executable, "-m", "reporter", "trace", "record", "--break", "1000000", "-o",
         str(out), "--", "sleep", "60"],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
    switch = root / "events" / "sched" / "sched_switch" / "enable"
    deadline = time.monotonic() + 20
    while switch.read_text().strip() != "1" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert switch.read_text().strip() == "1", "the recording never started"
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err == "reporter: error: interrupted\n"
    assert _state(root) == before
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_missing_tracefs_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    status = main(["trace", "record", "--break", "100", "--tracefs", str(tmp_path / "empty"),
                   "-o", str(tmp_path / "t.gz"), "--", "true"])
    _, err = capsys.readouterr()
    assert status == 2
    assert err == (f"reporter: error: tracefs is not mounted: no {tmp_path / 'empty' / 'trace'}"
                   " (as root: mount -t tracefs nodev /sys/kernel/tracing)\n")


def test_a_read_only_tracefs_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake, ro = tmp_path / "fake", tmp_path / "ro"
    fake.mkdir()
    ro.mkdir()
    for name in ("trace", "tracing_on"):
        (fake / name).write_text("0\n")
    bind = subprocess.run(["mount", "--bind", str(fake), str(ro)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount here to make a read-only tracefs: {bind.stderr!r}")
    try:
        remount = subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)],
                                 capture_output=True)
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {remount.stderr!r}")
        status = main(["trace", "record", "--break", "100", "--tracefs", str(ro), "-o",
                       str(tmp_path / "t.gz"), "--", "true"])
    finally:
        subprocess.run(["umount", str(ro)], check=True)
    _, err = capsys.readouterr()
    assert status == 2
    assert err == (f"reporter: error: tracefs at {ro} is mounted read-only (remount it "
                   "read-write, as root)\n")


def test_tracefs_not_writable_by_this_user_exits_2(tmp_path: Path) -> None:
    try:
        tracefs.find()
    except InputError as exc:
        pytest.skip(f"no tracefs here: {exc}")
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the command as another user")
    # The checkout may sit in a folder only root can read (a CI clone in mktemp -d):
    # the other user runs a copy of the package from a folder anyone can read.
    readable = Path(tempfile.mkdtemp(prefix="reporter-nobody-"))
    try:
        readable.chmod(0o755)
        shutil.copytree(ROOT / "reporter", readable / "reporter",
                        ignore=shutil.ignore_patterns("__pycache__"))
        result = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
             "-m", "reporter", "trace", "record", "--break", "100", "-o", "/nonexistent/t.gz",
             "--", "true"],
            env={"PYTHONPATH": str(readable), "HOME": "/nonexistent",
                 "PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(readable)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "(run `reporter trace record` as root)" in result.stderr
    assert "cannot be read: permission denied" in result.stderr \
        or "is not writable: Permission denied" in result.stderr


def test_record_needs_a_place_to_save(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "record", "--break", "100", "--", "true"]) == 2
    _, err = capsys.readouterr()
    assert err == ("reporter: error: trace record saves under the configuration's data_dir, "
                   "and there is no configuration (give --config, or --output PATH)\n")


def test_record_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "t.gz")
    for args, message in (
            (["--", "true"], "--break US is required"),
            (["--break", "100", "-o", out], "no COMMAND"),
            (["--break", "0", "-o", out, "--", "true"], "--break 0: must be a positive number"),
            (["--break", "100", "--at", "5", "-o", out, "--", "true"], "are for reading")):
        assert main(["trace", "record", *args]) == 2, args
        _, err = capsys.readouterr()
        assert message in err and err.count("\n") == 1, (args, err)


def test_help_of_record(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "record", "--help"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("usage: reporter trace FILE [--window US]")
    assert "--break US" in out and "--tracefs DIR" in out
