"""The week's snapshot: one JSON file per source under data/snapshots/<week>/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, TypeVar

from reporter.codec import CodecError, from_jsonable, to_jsonable
from reporter.errors import InputError
from reporter.fsutil import write_json_atomic

T = TypeVar("T")
FORMAT_VERSION = 1


def snapshot_dir(data_dir: Path, week_end: dt.date) -> Path:
    return data_dir / "snapshots" / week_end.isoformat()


def part_path(data_dir: Path, week_end: dt.date, source: str) -> Path:
    return snapshot_dir(data_dir, week_end) / f"{source}.json"


def write_part(data_dir: Path, week_end: dt.date, source: str, value: Any) -> Path:
    """Store one source's pull atomically; the previous file stays until the rename."""
    path = part_path(data_dir, week_end, source)
    write_json_atomic(path, {"format": FORMAT_VERSION, "source": source,
                             "week_end": week_end.isoformat(), "data": to_jsonable(value)})
    return path


def read_part(data_dir: Path, week_end: dt.date, source: str, cls: type[T]) -> T | None:
    """The stored pull of `source` for the week, or None when there is none."""
    path = part_path(data_dir, week_end, source)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the snapshot: {exc.strerror}") from None
    try:
        doc = json.loads(raw)
        if not isinstance(doc, dict) or doc.get("source") != source:
            raise CodecError("not a snapshot file")
        if doc.get("format") != FORMAT_VERSION:
            raise CodecError(f"unknown format {doc.get('format')!r}")
        return from_jsonable(cls, doc["data"], "data")
    except (ValueError, KeyError) as exc:
        raise InputError(
            f"{path}: corrupt snapshot: {exc}",
            hint=f"run `reporter pull --week {week_end}` to fetch it again, or restore the file",
        ) from None


def weeks_with(data_dir: Path, source: str | None = None) -> list[dt.date]:
    """The weeks that have a stored pull of `source` (of any source: None), oldest first."""
    root = data_dir / "snapshots"
    out = []
    if root.is_dir():
        for child in root.iterdir():
            try:
                week = dt.date.fromisoformat(child.name)
            except ValueError:
                continue
            if (child / f"{source}.json").is_file() if source else any(child.glob("*.json")):
                out.append(week)
    return sorted(out)


def latest_before(data_dir: Path, source: str, week_end: dt.date) -> dt.date | None:
    earlier = [w for w in weeks_with(data_dir, source) if w < week_end]
    return earlier[-1] if earlier else None
