"""The `measure` command: the findings of one measurement file, as the email would show them."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from reporter.errors import InputError, UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="the measurement file")
    parser.add_argument("--threshold", type=float, metavar="US", default=None,
                        help="count what lies above this many usecs (default: the threshold "
                        "of the measurements entry whose files match FILE, if any). For "
                        "sample files: spikes, i.e. runs of consecutive samples above it, "
                        "per CPU stream where the file has a CPU column ('N spikes > T "
                        "usecs'); for histograms and summaries: samples ('N samples > T "
                        "usecs')")
    parser.add_argument("--column", metavar="C", default=None,
                        help="the latency column of a CSV file: its header name, or its "
                        "number counting from 1")
    parser.add_argument("--unit", choices=("ns", "us", "ms", "s"), default=None,
                        help="the unit of the values when the file does not say (default: "
                        "us); cyclictest's text output never says: give ns for a run with -N")
    parser.add_argument("--plot", type=Path, metavar="OUT.png", default=None,
                        help="also draw the histogram (log scale) and, when the rows carry "
                        "times, the latency over time; needs the `plot` extra (matplotlib)")


def run(ctx: Any, args: argparse.Namespace) -> int:
    from reporter.measure.analyse import analyse_path, to_finding
    from reporter.report.findings import finding_lines

    if args.threshold is not None and not (math.isfinite(args.threshold) and args.threshold > 0):
        raise UsageError(f"--threshold {args.threshold:g}: must be a positive number of usecs")
    options = _options(ctx.config, args)
    from reporter.trace.finding import is_trace

    if args.file.is_file() and is_trace(args.file):
        raise UsageError(f"{args.file}: an ftrace record, not latency samples",
                         hint=f"`reporter trace {args.file}` explains its spikes")
    result = analyse_path(args.file, options)
    finding = to_finding(result, options, args.file.name, str(args.file))
    out = ctx.stdout
    for i, line in enumerate(finding_lines(finding, None)):
        out.write(("* " if i == 0 else "  ") + line + "\n")
    if finding.bad_rows:
        shown = len(finding.bad_examples)
        more = f" (the first {shown} shown)" if finding.bad_rows > shown else ""
        noun = "bad row" if finding.bad_rows == 1 else "bad rows"
        out.write(f"\n{finding.bad_rows} {noun} of {finding.rows}{more}:\n")
        for bad in finding.bad_examples:
            out.write(f"  line {bad.line}: {bad.reason}\n")
    if finding.invalid is not None:
        raise InputError(f"{args.file}: the data was invalid: {finding.invalid}",
                         hint="fix or regenerate the file; reporter never summarises bad data")
    if args.plot is not None:
        from reporter.measure.plot import plot_measurement

        plot_measurement(args.file, result, finding, args.plot)
        ctx.stderr.write(f"reporter: plot written to {args.plot}\n")
    return 0


def _options(config: Any, args: argparse.Namespace) -> Any:
    """The command line first, then the measurements entry whose files match FILE."""
    from reporter.measure.analyse import MeasureOptions

    entry = None
    if config is not None and config.measurements:
        from reporter.sources.measurements import glob_matches

        entry = glob_matches(config, args.file)
    return MeasureOptions(
        threshold_us=args.threshold if args.threshold is not None
        else (entry.threshold_us if entry else None),
        column=args.column if args.column is not None else (entry.column if entry else None),
        unit=args.unit if args.unit is not None else (entry.unit if entry else None),
        label=entry.label if entry else None,
        card=entry.card if entry else None,
    )
