"""The tracefs files `trace record` touches: finding the mount, checking that it can be
written, enabling events, and putting every setting back as it was."""

from __future__ import annotations

import errno
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from reporter.errors import InputError, UsageError

log = logging.getLogger(__name__)

MOUNTS = (Path("/sys/kernel/tracing"), Path("/sys/kernel/debug/tracing"))
# The events of a latency breakdown (issue 15): groups, or group:event; the x86
# interrupt vectors where the kernel has them.
DEFAULT_EVENTS = (
    "irq:irq_handler_entry", "irq:irq_handler_exit", "irq:softirq_raise", "irq:softirq_entry",
    "irq:softirq_exit", "sched:sched_switch", "sched:sched_waking", "sched:sched_wakeup",
    "workqueue:workqueue_execute_start", "workqueue:workqueue_execute_end", "napi", "net",
    "timer:hrtimer_start", "timer:hrtimer_cancel", "timer:hrtimer_expire_entry",
    "timer:hrtimer_expire_exit", "ipi", "irq_vectors:local_timer_entry",
    "irq_vectors:local_timer_exit", "irq_vectors:reschedule_entry",
    "irq_vectors:reschedule_exit", "irq_vectors:call_function_entry",
    "irq_vectors:call_function_exit", "irq_vectors:call_function_single_entry",
    "irq_vectors:call_function_single_exit",
)
MOUNT_HINT = "as root: mount -t tracefs nodev /sys/kernel/tracing"


def find(root: Path | None = None) -> Path:
    """The tracefs directory (its `trace` file exists), or InputError saying how to mount it."""
    for candidate in (root,) if root is not None else MOUNTS:
        try:
            if (candidate / "trace").is_file() and (candidate / "tracing_on").is_file():
                return candidate
        except PermissionError:
            raise InputError(f"tracefs at {candidate} cannot be read: permission denied",
                             hint="run `reporter trace record` as root") from None
    where = root or MOUNTS[0]
    raise InputError(f"tracefs is not mounted: no {where / 'trace'}", hint=MOUNT_HINT)


def check_writable(root: Path) -> None:
    """InputError when tracing_on cannot be written (not root, or mounted read-only)."""
    path = root / "tracing_on"
    try:
        with path.open("r+", encoding="ascii") as fh:
            fh.write(fh.read().strip() or "0")
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise InputError(f"tracefs at {root} is mounted read-only",
                             hint="remount it read-write, as root") from None
        raise InputError(f"tracefs at {root} is not writable: {exc.strerror}",
                         hint="run `reporter trace record` as root") from None


def resolve_events(root: Path, specs: tuple[str, ...]) -> list[str]:
    """`irq`, `sched:sched_switch`, `timer:hrtimer_*` -> event directories (group/event)
    that this kernel has; those it lacks are left out with a note on the log."""
    out: list[str] = []
    events = root / "events"
    for spec in specs:
        group, _, pattern = spec.partition(":")
        if not (events / group).is_dir():
            log.info("trace record: no %s events on this kernel; left out", group)
            continue
        regex = re.compile((pattern or "*").replace("*", ".*") + "$")
        found = sorted(p.name for p in (events / group).iterdir()
                       if (p / "enable").is_file() and regex.match(p.name))
        if not found:
            log.info("trace record: no event %s on this kernel; left out", spec)
        out += [f"{group}/{name}" for name in found if f"{group}/{name}" not in out]
    if not out:
        raise UsageError(f"--events {','.join(specs)}: none of these events exists in "
                         f"{events}", hint="see the names under that directory")
    return out


def _read(path: Path) -> str:
    return path.read_text(encoding="ascii").strip()


def _write(path: Path, value: str) -> None:
    with path.open("w", encoding="ascii") as fh:
        fh.write(value)


@dataclass
class Saved:
    """The settings `record` changes, as they were before, to be put back."""

    root: Path
    tracing_on: str
    buffer_kb: str
    enabled: dict[str, str] = field(default_factory=dict)

    def restore(self) -> list[str]:
        """Put everything back; returns what could not be restored (and carries on)."""
        problems = []
        steps = [("tracing_on", "0")]
        steps += [(f"events/{ev}/enable", value) for ev, value in self.enabled.items()]
        steps += [("trace", ""), ("buffer_size_kb", self.buffer_kb),
                  ("tracing_on", self.tracing_on)]
        for name, value in steps:
            try:
                _write(self.root / name, value)
            except OSError as exc:
                problems.append(f"{name}: {exc.strerror}")
        return problems


def save(root: Path, events: list[str]) -> Saved:
    size = _read(root / "buffer_size_kb")
    m = re.search(r"expanded: (\d+)", size)  # "7 (expanded: 1408)": not yet allocated
    saved = Saved(root, _read(root / "tracing_on"), m.group(1) if m else size.split()[0])
    for ev in events:
        saved.enabled[ev] = _read(root / "events" / ev / "enable")
    tracer = _read(root / "current_tracer")
    if tracer != "nop":
        log.warning("trace record: the current tracer is %s, not nop; its output will be in "
                    "the trace too", tracer)
    return saved


def start(saved: Saved, events: list[str], buffer_kb: int) -> None:
    """Stop tracing, empty the buffer, size it, enable the events, start tracing."""
    root = saved.root
    _write(root / "tracing_on", "0")
    _write(root / "trace", "")
    _write(root / "buffer_size_kb", str(buffer_kb))
    for ev in events:
        _write(root / "events" / ev / "enable", "1")
    _write(root / "tracing_on", "1")


def stop(root: Path) -> None:
    _write(root / "tracing_on", "0")
