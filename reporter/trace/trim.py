"""Cuts a trace down to the part around its spikes and writes it gzipped: what `trace
record` keeps, and how the shipped fixtures were made small."""

from __future__ import annotations

import gzip
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reporter.fsutil import fsync_dir
from reporter.trace.lines import format_ts, line_ts
from reporter.trace.scan import Index, Mark, index
from reporter.trace.source import read_blocks
from reporter.trace.spikes import TraceOptions, plans

NO_BREAK_WINDOW_US = 5000


@dataclass(frozen=True)
class Trimmed:
    path: Path
    marks: tuple[Mark, ...]
    start_ns: int  # the first and last times kept
    end_ns: int
    lines: int  # event lines kept


def trim(source: Path, out: Path, options: TraceOptions, note: str = "",
         shown: str | None = None) -> Trimmed:
    """Write to `out` (gzip, atomically) the header of `source` and its events from the
    earliest spike's read range to the end; without a spike, the last 2 x window.

    A comment line after the header says what was cut (and `note`, such as how the
    trace was recorded).
    """
    idx = index(source)
    start, end = _range(idx, options)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    kept = 0
    try:
        with gzip.open(tmp, "wb", compresslevel=9) as fh:
            header = True
            for block in read_blocks(source):
                for raw in block.data.splitlines(keepends=True):
                    ts = line_ts(raw)
                    if header:
                        if ts is None:
                            fh.write(raw)
                            continue
                        header = False
                        fh.write(_note(shown or source.name, start, end, note))
                    if ts is None:
                        if kept:  # a lost-events line among the kept ones
                            fh.write(raw)
                        continue
                    if start <= ts <= end:
                        fh.write(raw)
                        kept += 1
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(out.parent)
    return Trimmed(out, idx.marks, start, end, kept)


def _range(idx: Index, options: TraceOptions) -> tuple[int, int]:
    end = idx.end_ts or 0
    found = plans(idx, options)
    if found:
        return min(p.read_from for p in found), end
    window_us = options.window_us or NO_BREAK_WINDOW_US
    return end - int(2 * window_us * 1000), end


def _note(source: str, start: int, end: int, note: str) -> bytes:
    text = (f"# reporter trace: kept {format_ts(start)} to {format_ts(end)} of {source}"
            + (f"; {note}" if note else "") + "\n")
    return text.encode("utf-8")
