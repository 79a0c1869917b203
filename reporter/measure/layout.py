"""How a sample file's rows are laid out: delimiter, columns, units and where the data starts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """How to read a sample file's rows."""

    format: str  # raw | csv | jitterdebugger-samples
    kind: str  # samples | jitterdebugger
    delimiter: bytes | None  # None: one value per line; b" ": runs of blanks
    ncols: int
    latency_col: int
    cpu_col: int | None
    time_col: int | None
    unit: str  # of the latency column
    time_unit: str  # of the time column
    data_offset: int  # byte offset of the first line after any header
    data_line: int  # its 1-based line number
    names: tuple[str, ...] = ()  # the header's column names, if any
