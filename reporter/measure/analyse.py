"""Turns one measurement file into a Finding: detect the format, parse it, check it."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reporter.measure import cyclictest, cyclictest_json, jitterdebugger, netperf, summary
from reporter.measure.accumulate import SampleStats
from reporter.measure.detect import SampleOptions, decisive_head, detect_format, sample_layout
from reporter.measure.distribution import PERCENTILES, Query
from reporter.measure.figures import Result, sample_results, worst_of
from reporter.measure.layout import Layout
from reporter.measure.resolve import resolve
from reporter.measure.samples import SampleReader, Sink
from reporter.measure.textfile import BLOCK_BYTES, Refused, open_binary, read_head
from reporter.model.findings import Figure, Finding

log = logging.getLogger(__name__)

BAD_ROW_LIMIT = 0.001  # a file with more bad rows than this share is refused
MAX_SMALL_BYTES = 64 << 20  # formats read whole (JSON, YAML, netperf) must be smaller


@dataclass(frozen=True)
class MeasureOptions:
    """What the measurements entry or the command line says about a file."""

    threshold_us: float | None = None
    column: str | int | None = None
    unit: str | None = None
    label: str | None = None
    card: str | None = None


def kind_of(fmt: str) -> str:
    if fmt in ("raw", "csv"):
        return "samples"
    for kind in ("cyclictest", "jitterdebugger", "netperf", "summary"):
        if fmt.startswith(kind):
            return kind
    return "unknown"


def measure_file(path: Path, options: MeasureOptions, *, display_name: str | None = None,
                 source: str | None = None, block_bytes: int = BLOCK_BYTES) -> Finding:
    """The file's figures; a file whose content cannot be trusted gives `invalid`.

    Raises InputError when the file cannot be opened at all.
    """
    result = analyse_path(path, options, block_bytes)
    return to_finding(result, options, display_name or path.name, source)


def analyse_path(path: Path, options: MeasureOptions, block_bytes: int = BLOCK_BYTES) -> Result:
    """The file's Result; its warnings are logged, naming the file."""
    with open_binary(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        result = analyse(fh, size, path, options, block_bytes)
    for warning in result.warnings:
        log.warning("%s: %s", path.name, warning)
    return result


def analyse(fh: BinaryIO, size: int, path: Path, options: MeasureOptions,
            block_bytes: int = BLOCK_BYTES) -> Result:
    fmt = "unknown"
    try:
        head, offset = read_head(fh)
        head, offset, line0 = decisive_head(fh, head, offset)
        fmt = detect_format(head)
        if fmt in ("delimited", "jitterdebugger-samples"):
            layout = sample_layout(head, offset, fmt, SampleOptions(options.column, options.unit),
                                   path, line0)
            fmt = layout.format
            result = _samples(fh, size, layout, options, block_bytes)
        else:
            result = _other(fh, size, offset, fmt, options)
    except Refused as exc:
        return Result(format=fmt if fmt != "delimited" else "csv", kind=kind_of(fmt),
                      overall=None, invalid=str(exc))
    return _check(result)


def _samples(fh: BinaryIO, size: int, layout: Layout, options: MeasureOptions,
             block_bytes: int) -> Result:
    stats = SampleStats(options.threshold_us)
    reader = SampleReader(layout, lambda us, cpu, _t: stats.add(us, cpu))
    totals = reader.run(fh, size, block_bytes)
    streams = stats.streams()
    found: dict[tuple[int | None, float], Figure] = {}
    queries: dict[tuple[int | None, float], tuple[int | None, Query]] = {}
    for key, series in streams:
        for p in PERCENTILES:
            where = series.dist.locate(p)
            if isinstance(where, Query):
                queries[(key, p)] = (key, where)
            elif where is not None:
                found[(key, p)] = where
    if queries and not totals.stopped_early:
        # A second pass reads the exact values in the buckets that hold the ranks.
        def again(sink: Sink) -> None:
            SampleReader(layout, sink).run(fh, size, block_bytes)

        found.update(resolve(queries, again))
    overall, per_cpu = sample_results(stats, found)
    dist = streams[0][1].dist
    duration = None
    if totals.first_time_s is not None and totals.last_time_s is not None:
        span = totals.last_time_s - totals.first_time_s
        duration = span if span > 0 else None
    invalid = None
    if totals.stopped_early:
        invalid = (f"more than {BAD_ROW_LIMIT:.1%} of the rows are bad (at least "
                   f"{totals.bad_rows} bad rows in the first {totals.rows}); reading stopped")
    return Result(format=layout.format, kind=layout.kind, overall=overall, per_cpu=per_cpu,
                  duration_s=duration, rows=totals.rows, bad_rows=totals.bad_rows,
                  excused_bad=totals.excused_bad, bad_examples=tuple(totals.bad_examples),
                  invalid=invalid, distribution=dist, layout=layout)


def _other(fh: BinaryIO, size: int, offset: int, fmt: str, options: MeasureOptions) -> Result:
    threshold = options.threshold_us
    if fmt == "cyclictest-text":
        return cyclictest.parse_text(fh, offset, threshold, options.unit)
    if size > MAX_SMALL_BYTES:
        raise Refused(f"{size} bytes is too large for a {fmt} file")
    if fmt.startswith("netperf"):
        return netperf.parse(fh, offset, fmt, threshold, options.unit)
    fh.seek(offset)
    raw = fh.read()
    if b"\x00" in raw:
        raise Refused("NUL bytes in the file")
    text = raw.decode("utf-8", "replace")
    if fmt == "cyclictest-json":
        return cyclictest_json.parse_json(text, threshold, options.unit)
    if fmt == "jitterdebugger-json":
        return jitterdebugger.parse_results(text, threshold, options.unit)
    return summary.parse_summary(text, fmt, threshold, options.unit)


def _check(result: Result) -> Result:
    """Refuse a file with too many bad rows, or without a single good one."""
    if result.invalid:
        return result
    counted = result.bad_rows - result.excused_bad
    if counted and counted > BAD_ROW_LIMIT * result.rows:
        share = counted / result.rows if result.rows else 1.0
        return _invalid(result, f"{counted} of {result.rows} rows are bad ({share:.2%}, more "
                                f"than the {BAD_ROW_LIMIT:.1%} allowed)")
    if result.overall is None or not (result.overall.samples or result.overall.max_us):
        return _invalid(result, "no valid samples")
    return result


def _invalid(result: Result, reason: str) -> Result:
    return Result(format=result.format, kind=result.kind, overall=None, rows=result.rows,
                  bad_rows=result.bad_rows, excused_bad=result.excused_bad,
                  bad_examples=result.bad_examples, invalid=reason, warnings=result.warnings)


def to_finding(result: Result, options: MeasureOptions, name: str,
               source: str | None) -> Finding:
    common = dict(file=name, kind=result.kind, format=result.format, card=options.card,
                  label=options.label, source=source, threshold_us=options.threshold_us,
                  rows=result.rows, bad_rows=result.bad_rows,
                  bad_examples=result.bad_examples)
    o = result.overall
    if result.invalid or o is None:
        return Finding(**common, invalid=result.invalid or "no valid samples")  # type: ignore[arg-type]
    return Finding(
        **common,  # type: ignore[arg-type]
        **o.figures(),
        duration_s=result.duration_s,
        cpus=len(result.per_cpu),
        worst_cpu=worst_of(result.per_cpu),
        throughput=result.throughput,
    )
