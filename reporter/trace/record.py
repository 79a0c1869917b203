"""Records a trace around a latency break: cyclictest watches for the break while the
load runs, and the window around the break is saved (the `trace record` command)."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from reporter.errors import InputError, UsageError
from reporter.trace import tracefs
from reporter.trace.scan import Mark
from reporter.trace.spikes import TraceOptions
from reporter.trace.trim import trim

log = logging.getLogger(__name__)

CYCLICTEST = ("cyclictest", "-q", "-S", "-m", "-p", "90", "-i", "1000")
POLL_S = 0.05
STOP_TIMEOUT_S = 5.0
LOCK_PATH = Path(tempfile.gettempdir()) / "reporter-trace-record.lock"


@dataclass(frozen=True)
class RecordOptions:
    break_us: int
    command: tuple[str, ...]  # the load; or cyclictest itself
    output: Path
    events: tuple[str, ...] = tracefs.DEFAULT_EVENTS
    window_us: float | None = None
    duration_s: float | None = None
    buffer_kb: int = 8192
    tracefs_root: Path | None = None


@dataclass(frozen=True)
class Recorded:
    path: Path | None  # None when nothing was saved
    mark: Mark | None  # the break, when one came
    seconds: float
    events: tuple[str, ...]
    command_status: int | None  # the load's exit status, when it ended by itself


def cyclictest_command(opts: RecordOptions) -> tuple[tuple[str, ...], bool]:
    """The cyclictest to run and whether it is the user's COMMAND itself (then `-b` and
    `--tracemark` are added where missing)."""
    if opts.command and Path(opts.command[0]).name == "cyclictest":
        cmd = list(opts.command)
        if not any(a == "-b" or a.startswith(("-b", "--breaktrace")) for a in cmd[1:]):
            cmd += ["-b", str(opts.break_us)]
        if "--tracemark" not in cmd:
            cmd.append("--tracemark")
        return tuple(cmd), True
    return (*CYCLICTEST, "-b", str(opts.break_us), "--tracemark"), False


def record(opts: RecordOptions) -> Recorded:
    """Enable the events, run cyclictest and the load, save the window around the break.

    The tracing state is restored afterwards, also on Ctrl-C or SIGTERM (which then
    propagate as KeyboardInterrupt, nothing saved).
    """
    root = tracefs.find(opts.tracefs_root)
    tracefs.check_writable(root)
    cyclictest, is_command = cyclictest_command(opts)
    if shutil.which(cyclictest[0]) is None:
        raise UsageError(f"{cyclictest[0]} is not installed",
                         hint="apt-get install rt-tests")
    events = tracefs.resolve_events(root, opts.events)
    with _lock(), _sigterm_as_interrupt(), contextlib.ExitStack() as stack:
        saved = tracefs.save(root, events)
        children: list[subprocess.Popen[bytes]] = []
        began = time.monotonic()
        try:
            tracefs.start(saved, events, opts.buffer_kb)
            errors = stack.enter_context(tempfile.TemporaryFile())
            children.append(subprocess.Popen(  # noqa: S603 - an argv list, no shell
                cyclictest, stdout=subprocess.DEVNULL, stderr=errors))
            if not is_command:
                children.append(_start_load(opts.command))
            status = _wait(children, is_command, opts.duration_s, began)
            tracefs.stop(root)
            _check_watcher(children[0], errors, is_command)
            seconds = time.monotonic() - began
            return _save(root, opts, events, seconds, status)
        finally:
            _stop_all(children)
            problems = saved.restore()
            if problems:
                log.error("trace record: could not restore %s", "; ".join(problems))


def _check_watcher(watcher: subprocess.Popen[bytes], errors: Any, is_command: bool) -> None:
    """cyclictest that failed (a bad option, no permission for its priority): its message."""
    code = watcher.poll()
    if code is None or code == 0 or is_command:
        return
    errors.seek(0)
    text = errors.read().decode("utf-8", "replace").strip().splitlines()
    raise UsageError(f"trace record: cyclictest failed (exit {code}): "
                     f"{text[-1] if text else 'no message'}")


def _start_load(command: tuple[str, ...]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(  # noqa: S603 - the user's own COMMAND, no shell
            command, stdout=subprocess.DEVNULL)
    except OSError as exc:
        raise UsageError(f"cannot run {command[0]}: {exc.strerror}") from None


def _wait(children: list[subprocess.Popen[bytes]], is_command: bool,
          duration_s: float | None, began: float) -> int | None:
    """Until cyclictest ends (a break, or its own end), the load ends, or time is up."""
    watcher = children[0]
    load = children[1] if len(children) > 1 else None
    while True:
        if watcher.poll() is not None:
            return watcher.returncode if is_command else None
        if load is not None and load.poll() is not None:
            return load.returncode
        if duration_s is not None and time.monotonic() - began >= duration_s:
            return None
        time.sleep(POLL_S)


def _save(root: Path, opts: RecordOptions, events: list[str], seconds: float,
          status: int | None) -> Recorded:
    opts.output.parent.mkdir(parents=True, exist_ok=True)
    fd, raw = tempfile.mkstemp(prefix=".trace-", suffix=".txt", dir=opts.output.parent)
    try:
        with os.fdopen(fd, "wb") as fh, (root / "trace").open("rb") as src:
            shutil.copyfileobj(src, fh, 4 << 20)
        note = f"recorded by reporter trace record --break {opts.break_us}"
        try:
            kept = trim(Path(raw), opts.output, TraceOptions(window_us=opts.window_us), note,
                        shown=str(root / "trace"))
        except InputError as exc:
            if "holds no events" in exc.message:
                raise InputError("trace record: the trace holds no events",
                                 hint="were the events enabled? see --events") from None
            raise
    finally:
        Path(raw).unlink(missing_ok=True)
    mark = kept.marks[-1] if kept.marks else None
    return Recorded(opts.output, mark, seconds, tuple(events), status)


def _stop_all(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    """One recording at a time on this machine: the tracing buffer is global."""
    with LOCK_PATH.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError("another `reporter trace record` is recording on this machine",
                             hint="wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
