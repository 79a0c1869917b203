"""Tells a measurement file's format from its content, and how to read sample files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reporter.measure.layout import Layout
from reporter.measure.samples import NUMBER_RE
from reporter.measure.textfile import HEAD_BYTES, Refused, iter_lines
from reporter.measure.units import unit_in_header, unit_name

FORMATS = (
    "raw", "csv", "jitterdebugger-samples", "cyclictest-summary", "cyclictest-hist",
    "cyclictest-json", "jitterdebugger-json", "netperf-csv", "netperf-columns",
    "netperf-keyval", "summary-yaml", "summary-json", "cyclictest-text",
)

T_LINE_RE = re.compile(r"^(?:\x1b\[[0-9;]*[A-Za-z])*T:\s*\d+\s*\(\s*\d+\)\s*P:\s*\d+\s+I:\s*\d+",
                       re.MULTILINE)
_HIST_RE = re.compile(r"^# (?:Histogram|Total:|Min Latencies:|Max Latencies:)", re.MULTILINE)
# netperf: the test banner, a KEY=value line of a known selector, or a header of the
# selectors' human names (reporter.measure.netperf lists them).
_NETPERF_BANNER_RE = re.compile(r"^\S.* TEST from \S+ .* to \S+", re.MULTILINE)
_NETPERF_KEYVAL_RE = re.compile(
    r"^(?:MIN_LATENCY|MAX_LATENCY|MEAN_LATENCY|P50_LATENCY|P90_LATENCY|P99_LATENCY|"
    r"STDDEV_LATENCY|RT_LATENCY|THROUGHPUT|THROUGHPUT_UNITS|ELAPSED_TIME|TRANSACTION_RATE|"
    r"PROTOCOL|DIRECTION|SOCKET_TYPE)=", re.MULTILINE)
_NETPERF_HUMAN_RE = re.compile(
    r"(?:Minimum|Maximum|Mean|Stddev|50th Percentile|90th Percentile|99th Percentile) "
    r"Latency Microseconds|Elapsed Time \(sec\)|Throughput Units")
_YAML_KEY_RE = re.compile(r"^[A-Za-z_][\w.]*\s*:(?:\s|$)")
_JD_SAMPLE_RE = re.compile(r"^\d+;\d+\.\d+;\d+$")
LATENCY_NAME_RE = re.compile(r"lat|delay|rtt|jitter|wake|response|usec|nsec|value", re.I)
TIME_NAME_RE = re.compile(
    r"^(?:t|ts|time|timestamp|elapsed|sec|secs|seconds|clock)(?:[\s_(\[-].*)?$", re.I)
CPU_NAME_RE = re.compile(r"^(?:cpu|cpuid|cpu_id|core|thread|tid)(?:[\s_(\[-].*)?$", re.I)


@dataclass(frozen=True)
class SampleOptions:
    """What the measurements entry (or the command line) says about a file."""

    column: str | int | None = None  # a header name, or a column number counting from 1
    unit: str | None = None  # when the file does not say


def detect_format(head: bytes) -> str:
    """One of FORMATS (or `cyclictest-text`, `delimited`), from the decisive bytes of the file.

    The head starts at the file's first line that is not blank or a comment (see
    `decisive_head`), so a long preamble does not hide the format.
    """
    sample = head[:4096]
    if not head.strip():
        raise Refused("empty file: no samples")
    if _binary(sample):
        raise Refused("binary data, not a text measurement file")
    text = head.decode("utf-8", "replace")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        if '"cmdline:"' in text or '"rt_test_version:"' in text or (
                '"thread"' in text and '"num_threads"' in text):
            return "cyclictest-json"  # its own colon-ended keys, even in a truncated file
        if '"cpu"' in text and '"histogram"' in text:
            return "jitterdebugger-json"
        return "summary-json"
    if _HIST_RE.search(text) or T_LINE_RE.search(text):
        return "cyclictest-text"  # summary or histogram: the parser reads the whole file
    if _NETPERF_KEYVAL_RE.search(text):
        return "netperf-keyval"
    if _NETPERF_BANNER_RE.search(text) or _NETPERF_HUMAN_RE.search(text):
        return "netperf-csv" if _netperf_csv(text) else "netperf-columns"
    first = _first_meaningful(text)
    if first is not None and _YAML_KEY_RE.match(first):
        return "summary-yaml"
    if first is not None and _JD_SAMPLE_RE.match(first):
        return "jitterdebugger-samples"
    return "delimited"


def decisive_head(fh: BinaryIO, head: bytes, offset: int) -> tuple[bytes, int, int]:
    """(head, its byte offset, lines before it): the head from the first meaningful line on.

    A head of only blank and comment lines is followed, in bounded memory, up to the
    first other line; a cyclictest histogram header among the comments decides at once.
    """
    if len(head) < HEAD_BYTES or _first_meaningful(head.decode("utf-8", "replace")) is not None:
        return head, offset, 0
    pos = offset
    for number, line in iter_lines(fh, offset):
        text = line.decode("utf-8", "replace").strip()
        if _HIST_RE.match(text) or (text and not text.startswith("#")):
            fh.seek(pos)
            return fh.read(HEAD_BYTES), pos, number - 1
        pos += len(line)
    return head, offset, 0  # only comments: detection says so


def _netperf_csv(text: str) -> bool:
    """A header line of human names separated by commas (-o), not padded columns (-O)."""
    return any("," in line and _NETPERF_HUMAN_RE.search(line) for line in text.splitlines())


def sample_layout(head: bytes, offset0: int, fmt: str, options: SampleOptions,
                  path: Path, line0: int = 0) -> Layout:
    """How to read the rows of a raw, CSV or jitterdebugger samples file.

    `head` starts at byte `offset0`, after `line0` lines of the file.
    """
    lines = head.split(b"\n")
    if len(head) >= HEAD_BYTES:
        lines.pop()  # a partial line
    meaningful: list[tuple[int, int, str]] = []  # (line number, byte offset, text)
    pos = 0
    for number, raw in enumerate(lines, start=line0 + 1):
        text = raw.decode("utf-8", "replace").strip()
        if text and not text.startswith("#"):
            meaningful.append((number, pos, text))
            if len(meaningful) >= 40:
                break
        pos += len(raw) + 1
    if not meaningful:
        raise Refused("no samples: the file holds only comments or blank lines")

    if fmt == "jitterdebugger-samples":
        jd_unit = options.unit or _jitterdebugger_unit(path) or "us"
        return Layout(format=fmt, kind="jitterdebugger", delimiter=b";", ncols=3,
                      latency_col=2, cpu_col=0, time_col=1, unit=jd_unit, time_unit="s",
                      data_offset=offset0, data_line=line0 + 1)

    texts = [t for _, _, t in meaningful]
    delimiter, ncols = _delimiter(texts)
    first_fields = _split(texts[0], delimiter)
    has_header = any(not NUMBER_RE.match(f) for f in first_fields)
    names = tuple(f.strip().strip('"').strip() for f in first_fields) if has_header else ()
    if has_header and len(names) != ncols:
        raise Refused(f"the header has {len(names)} columns but the rows have {ncols}")
    if has_header and len(meaningful) == 1:
        raise Refused("no samples: the file holds a header and no rows")
    latency = _latency_column(names, ncols, options.column)
    time_col = _named(names, TIME_NAME_RE, exclude=latency)
    cpu_col = _named(names, CPU_NAME_RE, exclude=latency)
    unit: str | None = (unit_in_header(names[latency]) if names else None) or options.unit
    if unit is None:
        data = texts[1] if has_header else texts[0]
        fields = _split(data, delimiter)
        match = NUMBER_RE.match(fields[latency]) if latency < len(fields) else None
        unit = unit_name(match.group(2)) if match and match.group(2) else None
    time_unit = (unit_in_header(names[time_col]) if names and time_col is not None else None)
    if has_header:
        line, off, _ = meaningful[0]
        data_line = line + 1
        data_offset = offset0 + off + len(lines[line - line0 - 1]) + 1
    else:
        data_line, data_offset = line0 + 1, offset0
    return Layout(
        format="csv" if (has_header or ncols > 1) else "raw",
        kind="samples",
        delimiter=delimiter,
        ncols=ncols,
        latency_col=latency,
        cpu_col=cpu_col,
        time_col=time_col,
        unit=unit or "us",
        time_unit=time_unit or "s",
        data_offset=data_offset,
        data_line=data_line,
        names=names,
    )


def _binary(sample: bytes) -> bool:
    """Mostly control bytes or undecodable bytes: not text (a stray NUL is just a bad row)."""
    if not sample:
        return False
    text = sample.decode("utf-8", "replace")
    odd = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f\x1b"))
    return odd * 10 > len(text) * 3


def _first_meaningful(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    return None


def _delimiter(texts: list[str]) -> tuple[bytes | None, int]:
    """The field separator and the number of fields that most lines agree on."""
    sample = texts[:40]
    for cand in (",", ";", "\t"):
        counts = [t.count(cand) for t in sample]
        common = max(set(counts), key=counts.count)
        if common > 0 and counts.count(common) * 10 >= len(counts) * 8:
            return cand.encode("ascii"), common + 1
    # Blank-separated columns only when their fields are numbers: "121 us" is one value.
    counts = [len(t.split()) for t in sample]
    common = max(set(counts), key=counts.count)
    numeric = [t for t in sample[1:] if all(_plain_number(f) for f in t.split())]
    if common > 1 and counts.count(common) * 10 >= len(counts) * 8 \
            and len(numeric) * 10 >= (len(sample) - 1) * 8:
        return b" ", common
    return None, 1


def _plain_number(text: str) -> bool:
    match = NUMBER_RE.match(text)
    return match is not None and not match.group(2)


def _split(text: str, delimiter: bytes | None) -> list[str]:
    if delimiter is None:
        return [text]
    if delimiter == b" ":
        return text.split()
    return [f.strip() for f in text.split(delimiter.decode("ascii"))]


def _latency_column(names: tuple[str, ...], ncols: int, column: str | int | None) -> int:
    if column is not None:
        text = str(column).strip()
        if isinstance(column, int) or text.isdigit():
            number = int(text)
            if not 1 <= number <= ncols:
                raise Refused(f"column {number} does not exist: the rows have {ncols} "
                              "columns (columns count from 1)")
            return number - 1
        for i, name in enumerate(names):
            if name.lower() == text.lower():
                return i
        if not names:
            raise Refused(f"column {text!r}: the file has no header line; give the column's "
                          "number instead")
        raise Refused(f"no column named {text!r}; the columns are: {', '.join(names)}")
    if ncols == 1:
        return 0
    if names:
        for i, name in enumerate(names):
            if LATENCY_NAME_RE.search(name) and not TIME_NAME_RE.match(name) \
                    and not CPU_NAME_RE.match(name):
                return i
        raise Refused(f"cannot tell which column holds the latency (columns: "
                      f"{', '.join(names)})", )
    return ncols - 1  # no header: the last column, by the usual "x,y" convention


def _named(names: tuple[str, ...], pattern: re.Pattern[str], exclude: int) -> int | None:
    for i, name in enumerate(names):
        if i != exclude and pattern.match(name):
            return i
    return None


def _jitterdebugger_unit(path: Path) -> str | None:
    """jitterdebugger's samples carry no unit; its results.json next to them does."""
    results = path.parent / "results.json"
    try:
        doc = json.loads(results.read_text(encoding="utf-8"))
        resolution = doc["sysinfo"]["resolution_in_ns"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {1: "ns", 1000: "us"}.get(resolution)
