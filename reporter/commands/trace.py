"""The `trace` command: the breakdown of each latency spike in an ftrace record, its
picture (`--plot`), and `trace record` to capture one around a cyclictest break."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from reporter.cli import Context

RECORD = "record"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"reporter trace: {message}", hint="see `reporter trace --help`")


USAGE = ("reporter trace FILE [--window US] [--at TIMESTAMP] [--cpu N] [--gap US] "
         "[--plot OUT.png]\n       reporter trace record --break US [--events LIST] "
         "[--window US] [--duration S] [--output PATH] -- COMMAND...")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.usage = USAGE
    _file(parser)
    _options(parser)
    # Options after FILE, and record's `-- COMMAND...`, are parsed again by run(): argparse
    # cannot take a second positional list after options once FILE has been read.
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def _file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE|record",
                        help="the trace (/sys/kernel/tracing/trace or `trace-cmd report` "
                        "output, plain or .gz), or `record` to record one")


def _help_asked(rest: list[str]) -> bool:
    options = rest[:rest.index("--")] if "--" in rest else rest
    return "-h" in options or "--help" in options


def _help() -> str:
    parser = _Parser(prog="reporter trace", usage=USAGE,
                     description="the breakdown of each latency spike in an ftrace record")
    _file(parser)
    _options(parser)
    return parser.format_help()


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--window", type=float, metavar="US", default=None,
                        help="show [t0-US, t0+US] (default: twice the latency, at least 1000; "
                        "5000 with --at)")
    read = parser.add_argument_group("reading a trace")
    read.add_argument("--at", metavar="TIMESTAMP", default=None,
                      help="explain the moment TIMESTAMP (seconds, as the trace prints them) "
                      "instead of cyclictest's tracemarks")
    read.add_argument("--cpu", type=int, metavar="N", default=None,
                      help="show this CPU only (with --at: the CPU where the late task ran)")
    read.add_argument("--gap", type=float, metavar="US", default=None,
                      help="show stretches without events longer than this (default: a "
                      "quarter of the window)")
    read.add_argument("--plot", type=Path, metavar="OUT.png", default=None,
                      help="also draw each spike's window, one lane per CPU; needs the `plot` "
                      "extra (matplotlib)")
    rec = parser.add_argument_group("trace record (then -- COMMAND...: the load to run while "
                                    "cyclictest watches for the break; a cyclictest command "
                                    "line is run as the watcher itself)")
    rec.add_argument("--break", dest="break_us", type=int, metavar="US", default=None,
                     help="the latency that stops the trace (cyclictest -b US --tracemark)")
    rec.add_argument("--events", metavar="LIST", default=None,
                     help="events to enable, comma-separated: groups (irq) or group:event "
                     "(sched:sched_switch, timer:hrtimer_*); default: the breakdown's events")
    rec.add_argument("--duration", type=float, metavar="S", default=None,
                     help="stop after S seconds even without a break")
    rec.add_argument("--output", "-o", type=Path, metavar="PATH", default=None,
                     help="where to save (default: DATA_DIR/traces/DATE/trace-HHMMSS.txt.gz)")
    rec.add_argument("--buffer-kb", type=int, metavar="KB", default=8192,
                     help="the trace buffer per CPU while recording (default: 8192)")
    rec.add_argument("--tracefs", type=Path, metavar="DIR", default=None,
                     help="where tracefs is mounted (default: /sys/kernel/tracing, then "
                     "/sys/kernel/debug/tracing)")


def _reparse(args: argparse.Namespace) -> argparse.Namespace:
    """The options given after FILE, over those given before it; record's COMMAND."""
    second = _Parser(prog="reporter trace", add_help=False)
    _options(second)
    second.add_argument("load", nargs="*")
    later = second.parse_args(args.rest)
    defaults = second.parse_args([])
    for name, value in vars(later).items():
        if name == "load" or value != getattr(defaults, name):
            setattr(args, name, value)
    return args


def run(ctx: Context, args: argparse.Namespace) -> int:
    if _help_asked(args.rest):  # `reporter trace record --help`
        ctx.stdout.write(_help())
        return 0
    args = _reparse(args)
    _check_numbers(args)
    if args.file == RECORD:
        return _record(ctx, args)
    if args.load:
        raise UsageError(f"trace: unexpected {' '.join(args.load)!r} after FILE",
                         hint="only `trace record` takes a COMMAND")
    if args.break_us is not None or args.events or args.duration or args.output \
            or args.tracefs:
        raise UsageError("trace: --break, --events, --duration, --output and --tracefs "
                         "belong to `reporter trace record`")
    from reporter.trace.analyse import analyse_trace
    from reporter.trace.lines import parse_timestamp
    from reporter.trace.spikes import TraceOptions
    from reporter.trace.wording import breakdown

    at_ns = None
    if args.at is not None:
        at_ns = parse_timestamp(args.at)
        if at_ns is None:
            raise UsageError(f"--at {args.at!r}: not a time in seconds, such as 191.670430")
    path = Path(args.file)
    options = TraceOptions(window_us=args.window, at_ns=at_ns, cpu=args.cpu, gap_us=args.gap)
    analysis = analyse_trace(path, options, display_name=str(path))
    if args.cpu is not None:
        known = {c.cpu for s in analysis.spikes for c in s.cpus}
        if analysis.spikes and args.cpu not in known:
            raise UsageError(f"--cpu {args.cpu}: the trace has CPUs {_cpus(known)}")
    ctx.stdout.write(breakdown(analysis, args.cpu))
    ctx.stdout.flush()
    if args.plot is not None:
        from reporter.trace.plot import plot_trace

        if not analysis.spikes:
            raise UsageError("--plot: no spike to draw", hint="give --at TIMESTAMP")
        written = plot_trace(path, analysis, options, args.plot)
        for out in written:
            ctx.stderr.write(f"reporter: plot written to {out}\n")
    return 0


def _record(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.trace import tracefs
    from reporter.trace.lines import format_ts
    from reporter.trace.record import RecordOptions, record

    if args.break_us is None:
        raise UsageError("trace record: --break US is required",
                         hint="the latency in usecs that stops the trace")
    if not args.load:
        raise UsageError("trace record: no COMMAND", hint="give the load after --, for "
                         "example: -- netperf -H 127.0.0.1 -t TCP_RR -l 60")
    if args.at is not None or args.cpu is not None or args.gap is not None or args.plot:
        raise UsageError("trace record: --at, --cpu, --gap and --plot are for reading a trace")
    output = args.output or _default_output(ctx)
    events = tuple(e.strip() for e in args.events.split(",") if e.strip()) \
        if args.events else tracefs.DEFAULT_EVENTS
    result = record(RecordOptions(
        break_us=args.break_us, command=tuple(args.load), output=output, events=events,
        window_us=args.window, duration_s=args.duration, buffer_kb=args.buffer_kb,
        tracefs_root=args.tracefs))
    if result.mark is not None:
        m = result.mark
        what = (f"break: {m.comm}-{m.pid} on cpu#{m.cpu}, {m.latency_us} usecs > "
                f"{m.threshold_us} at {format_ts(m.ts)}")
    else:
        what = f"no break above {args.break_us} usecs; kept the end of the trace"
    ctx.stdout.write(f"{result.path}: {what} ({result.seconds:.1f} s, "
                     f"{len(result.events)} events enabled)\n")
    if result.mark is not None:
        ctx.stdout.write(f"see: reporter trace {result.path}\n")
    return 0


def _default_output(ctx: Context) -> Path:
    if ctx.config is None:
        raise ConfigError("trace record saves under the configuration's data_dir, and there "
                          "is no configuration", hint="give --config, or --output PATH")
    local = ctx.now.astimezone(ctx.config.tz)
    return (ctx.config.data_dir / "traces" / local.date().isoformat()
            / f"trace-{local:%H%M%S}.txt.gz")


def _check_numbers(args: argparse.Namespace) -> None:
    for name in ("window", "gap", "duration"):
        value = getattr(args, name)
        if value is not None and not (math.isfinite(value) and value > 0):
            raise UsageError(f"--{name} {value:g}: must be a positive number")
    if args.break_us is not None and args.break_us <= 0:
        raise UsageError(f"--break {args.break_us}: must be a positive number of usecs")
    if args.buffer_kb <= 0:
        raise UsageError(f"--buffer-kb {args.buffer_kb}: must be positive")
    if args.cpu is not None and args.cpu < 0:
        raise UsageError(f"--cpu {args.cpu}: CPUs count from 0")


def _cpus(known: set[int]) -> str:
    return ", ".join(str(c) for c in sorted(known))

