"""Reads chosen columns of a block whose lines all have one skeleton, without the others.

The skeleton of a line is its bytes that are not digits (separators, decimal points,
the end of line); `samples.SampleReader` has checked that every line of the block has
the same one, so the k-th separator of each line is the k-th non-digit byte of it.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt

    from reporter.measure.layout import Layout


def by_position(data: bytes, pattern: bytes, lay: Layout, n: int,
                 time_col: int | None) -> tuple[Any, Any, Any, int] | None:
    """Only the needed columns, located by their separators: every line has the skeleton
    `pattern` (its bytes that are not digits), so the k-th separator of each line is the
    k-th non-digit byte. Each field's last 8 bytes are loaded as one 64-bit word and
    its digits converted together (SWAR), so the cost hardly depends on the columns."""
    import numpy as np

    arr = np.frombuffer(data, dtype=np.uint8)
    width = len(pattern)
    pos = np.flatnonzero((arr - np.uint8(48)) > np.uint8(9)).reshape(n, width)
    bounds = _field_bounds(pattern, lay.delimiter)
    line_start = np.empty(n, dtype=np.int64)
    line_start[0] = -1
    line_start[1:] = pos[:-1, width - 1]
    padded = b"00000000" + data  # so that the 8 bytes before any position exist
    words = np.ndarray(shape=(len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))

    def field(col: int) -> Any:
        before, after, dot = bounds[col]
        start = line_start if before < 0 else pos[:, before]
        end = pos[:, after]
        if dot is None:
            length = end - start - 1
            return _number(words, end, length, 18) if int(length.min()) >= 1 else None
        point = pos[:, dot]
        frac = end - point - 1
        whole = _number(words, point, point - start - 1, MAX_EXACT_DIGITS)
        part = _number(words, end, frac, MAX_EXACT_DIGITS)
        if whole is None or part is None or int((point - start - 1 + frac).min()) < 1 \
                or int((point - start - 1 + frac).max()) > MAX_EXACT_DIGITS:
            return None
        scale = np.power(10, frac)
        return (whole * scale + part) / scale.astype(np.float64)  # one rounding: exact

    lat = field(lay.latency_col)
    if lat is None:
        return None
    cpu = field(lay.cpu_col) if lay.cpu_col is not None else None
    times = field(time_col) if time_col is not None else None
    if (lay.cpu_col is not None and cpu is None) or (time_col is not None and times is None):
        return None
    if times is not None:
        times = times.astype(np.float64)
    return lat, cpu, times, n


def _field_bounds(pattern: bytes, delimiter: bytes | None) -> list[tuple[int, int, int | None]]:
    """For each field: the skeleton index of the separator before it (-1: line start),
    of the one after it, and of its decimal point (None: an integer)."""
    out: list[tuple[int, int, int | None]] = []
    before, dot = -1, None
    sep = delimiter[0] if delimiter else -1
    for i, ch in enumerate(pattern):
        if ch == 0x2E:
            dot = i
        elif ch == sep or ch in (0x0D, 0x0A):
            if ch == 0x0A and pattern[i - 1:i] == b"\r":
                continue  # the field ended at the \r
            out.append((before, i, dot))
            before, dot = i, None
    return out


MAX_EXACT_DIGITS = 15  # integers up to 15 digits convert to float64 exactly
_ASCII_ZEROS = 0x3030303030303030
_MASKS: Any = None  # _MASKS[k]: the last k bytes of a little-endian word, set on first use


def _masks() -> Any:
    import numpy as np

    return np.array([0] + [((1 << (8 * k)) - 1) << (8 * (8 - k)) for k in range(1, 9)],
                    dtype=np.uint64)


def _number(words: Any, end: Any, length: Any, most: int) -> Any:
    """The integers written in the `length` bytes before each `end` (a decimal point
    part may be empty: 0); None when a field has more than `most` digits."""
    import numpy as np

    lo, hi = int(length.min()), int(length.max())
    if lo < 0 or hi > most:
        return None
    if hi > 8:
        return _long_number(words, end, length, hi)
    if hi == 1 and lo == 1:  # one digit (a CPU number, say): one byte each
        return (words[end] >> np.uint64(56)).astype(np.int64) - 48
    global _MASKS
    if _MASKS is None:
        _MASKS = _masks()
    w = words[end]
    mask = _MASKS[length]  # the bytes of the number
    zeros = np.uint64(_ASCII_ZEROS)
    x = ((w & mask) | (zeros & ~mask)) - zeros
    # Eight digits at once (simdjson's parse_eight_digits_unrolled, little-endian).
    x = x * np.uint64(10) + (x >> np.uint64(8))
    x = ((x & np.uint64(0x000000FF000000FF)) * np.uint64(100 + (1000000 << 32))
         + ((x >> np.uint64(16)) & np.uint64(0x000000FF000000FF))
         * np.uint64(1 + (10000 << 32))) >> np.uint64(32)
    return x.astype(np.int64)


def _long_number(words: Any, end: Any, length: Any, hi: int) -> Any:
    """Fields of 9 to 18 digits: the last eight, then the ones before them."""
    import numpy as np

    low = _number(words, end, np.minimum(length, 8), 8)
    high = _number(words, end - 8, np.maximum(length - 8, 0), 8)
    return high * 100_000_000 + low


def by_fromstring(data: bytes, to_space: bytes, lay: Layout, n: int, dotted: list[bool],
                  time_col: int | None) -> tuple[Any, Any, Any, int] | None:
    """Blank-separated columns: numpy parses every number of the block."""
    import numpy as np

    cpu: Any = None
    times: Any = None
    if dotted[lay.latency_col] or (time_col is not None and dotted[time_col]):
        vals = _parse(data.translate(to_space), np.float64, n * lay.ncols)
        if vals is None:
            return None
        vals = vals.reshape(n, lay.ncols)
        lat = vals[:, lay.latency_col]
        if lay.cpu_col is not None:
            cpu = vals[:, lay.cpu_col].astype(np.int64)
        if time_col is not None:
            times = vals[:, time_col]
    else:
        # Integers only where they matter: deleting the dots makes any decimal field
        # one (meaningless) integer, so every line has exactly ncols numbers.
        ivals = _parse(data.translate(to_space, b"."), np.int64, n * lay.ncols)
        if ivals is None:
            return None
        ivals = ivals.reshape(n, lay.ncols)
        lat = np.ascontiguousarray(ivals[:, lay.latency_col])
        if lay.cpu_col is not None:
            cpu = np.ascontiguousarray(ivals[:, lay.cpu_col])
        if time_col is not None:
            times = ivals[:, time_col].astype(np.float64)
    return lat, cpu, times, n


def _parse(buf: bytes, dtype: Any, expected: int) -> npt.NDArray[Any] | None:
    """All numbers of `buf` (blank-separated), or None unless there are exactly `expected`."""
    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy warns (and will raise) on unparsable data
        try:
            vals = np.fromstring(buf, dtype=dtype, sep=" ")
        except (ValueError, DeprecationWarning):
            return None
    return vals if vals.size == expected else None
