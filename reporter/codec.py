"""Converts frozen dataclasses to JSON-ready values and back, by their type hints."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

T = TypeVar("T")


class CodecError(ValueError):
    """A stored value does not fit the dataclass it should become."""


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def from_jsonable(cls: type[T], data: Any, where: str = "$") -> T:
    return typing.cast(T, _convert(cls, data, where))


def _convert(tp: Any, data: Any, where: str) -> Any:
    origin = get_origin(tp)
    if tp is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        args = get_args(tp)
        if data is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, data, where)
            except CodecError as exc:
                errors.append(str(exc))
        raise CodecError("; ".join(errors) or f"{where}: unexpected null")
    if origin is tuple:
        args = get_args(tp)
        if not isinstance(data, list):
            raise CodecError(f"{where}: expected a list, got {type(data).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(data))
        if len(args) != len(data):
            raise CodecError(f"{where}: expected {len(args)} items, got {len(data)}")
        return tuple(_convert(a, v, f"{where}[{i}]")
                     for i, (a, v) in enumerate(zip(args, data, strict=True)))
    if origin is dict:
        key_t, val_t = get_args(tp)
        if not isinstance(data, dict):
            raise CodecError(f"{where}: expected an object")
        return {_convert(key_t, k, where): _convert(val_t, v, f"{where}.{k}")
                for k, v in data.items()}
    if origin is typing.Literal:
        if data not in get_args(tp):
            raise CodecError(f"{where}: {data!r} is not one of {get_args(tp)}")
        return data
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise CodecError(f"{where}: expected an object for {tp.__name__}")
        hints = get_type_hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise CodecError(f"{where}.{f.name}: missing")
        return tp(**kwargs)
    if tp is dt.date:
        try:
            return dt.date.fromisoformat(data)
        except (TypeError, ValueError) as exc:
            raise CodecError(f"{where}: not a date: {data!r}") from exc
    if tp is dt.datetime:
        try:
            return dt.datetime.fromisoformat(data)
        except (TypeError, ValueError) as exc:
            raise CodecError(f"{where}: not a date and time: {data!r}") from exc
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise CodecError(f"{where}: expected a number, got {data!r}")
        return float(data)
    if tp in (str, int, bool):
        if not isinstance(data, tp) or (tp is int and isinstance(data, bool)):
            raise CodecError(f"{where}: expected {tp.__name__}, got {data!r}")
        return data
    raise CodecError(f"{where}: cannot convert to {tp!r}")
