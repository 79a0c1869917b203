"""Reads the engineer's dated personal events, data/events.yaml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reporter.errors import InputError
from reporter.model.notes import Event
from reporter.yamldoc import KeyPath, YamlDoc, YamlSyntaxError, load_yaml_file


def events_path(data_dir: Path) -> Path:
    return data_dir / "events.yaml"


def load_events(data_dir: Path) -> tuple[Event, ...]:
    path = events_path(data_dir)
    try:
        doc = load_yaml_file(path)
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except YamlSyntaxError as exc:
        raise InputError(str(exc)) from None
    return parse_events(doc)


def parse_events(doc: YamlDoc) -> tuple[Event, ...]:
    if doc.data is None:
        return ()
    if not isinstance(doc.data, list):
        raise InputError(f"{doc.where(())}: expected a list of events "
                         "({date: ..., text: ...} or {from: ..., to: ..., text: ...})")
    out = []
    for i, item in enumerate(doc.data):
        kp: KeyPath = (i,)
        if not isinstance(item, dict):
            raise InputError(f"{doc.where(kp)}: an event is a mapping with date (or from/to) "
                             "and text")
        unknown = set(map(str, item)) - {"date", "from", "to", "text"}
        if unknown:
            raise InputError(f"{doc.where(kp + (sorted(unknown)[0],))}: unknown key",
                             hint="an event has date, or from and to, and text")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip() or "\n" in text.strip():
            raise InputError(f"{doc.where(kp + ('text',))}: text must be one line of text")
        if "date" in item:
            if "from" in item or "to" in item:
                raise InputError(f"{doc.where(kp)}: give either date, or from and to")
            first = last = _date(doc, kp + ("date",), item["date"])
        else:
            if "from" not in item or "to" not in item:
                raise InputError(f"{doc.where(kp)}: an event needs date, or from and to")
            first = _date(doc, kp + ("from",), item["from"])
            last = _date(doc, kp + ("to",), item["to"])
            if last < first:
                raise InputError(f"{doc.where(kp + ('to',))}: ends before it starts")
        out.append(Event(first=first, last=last, text=text.strip()))
    return tuple(out)


def _date(doc: YamlDoc, kp: KeyPath, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"{doc.where(kp)}: not a date (YYYY-MM-DD): {value!r}")
