"""The validating walk over the YAML document: typed getters that collect every problem."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from email.headerregistry import Address
from email.utils import getaddresses
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reporter.yamldoc import KeyPath, YamlDoc

ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MISSING = object()


class Checker:
    """Walks the YAML document, converts values and collects every problem."""

    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.problems: list[str] = []
        self.base = doc.path.parent

    def fail(self, keypath: KeyPath, message: str) -> None:
        self.problems.append(f"{self.doc.where(keypath)}: {message}")

    def mapping(self, value: Any, keypath: KeyPath, allowed: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(keypath, f"expected a mapping, got {kind_of(value)}")
            return None
        for key in value:
            if key not in allowed:
                hint = closest(str(key), allowed)
                extra = f" (did you mean {hint!r}?)" if hint else ""
                self.fail(keypath + (str(key),), f"unknown key{extra}")
        return value

    def get(
        self,
        m: dict[str, Any],
        keypath: KeyPath,
        key: str,
        kind: type | tuple[type, ...],
        default: Any = MISSING,
        check: Callable[[Any], str | None] | None = None,
    ) -> Any:
        kp = keypath + (key,)
        if key not in m or m[key] is None:
            if default is MISSING:
                self.fail(kp, "missing required value")
                return None
            return default
        value = m[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(TYPE_NAMES.get(k, k.__name__) for k in kinds)
            self.fail(kp, f"expected {names}, got {kind_of(value)}")
            return default if default is not MISSING else None
        if check:
            problem = check(value)
            if problem:
                self.fail(kp, problem)
                return default if default is not MISSING else None
        return value

    def choice(self, m: dict[str, Any], keypath: KeyPath, key: str, options: tuple[str, ...],
               default: Any = MISSING) -> Any:
        return self.get(m, keypath, key, str, default,
                        lambda v: None if v in options else f"must be one of {', '.join(options)}")

    def str_list(self, m: dict[str, Any], keypath: KeyPath, key: str,
                 default: Any = MISSING, check: Callable[[str], str | None] | None = None,
                 ) -> tuple[str, ...]:
        value = self.get(m, keypath, key, list, default)
        if value is None:
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.fail(keypath + (key, i), f"expected text, got {kind_of(item)}")
                continue
            problem = check(item) if check else None
            if problem:
                self.fail(keypath + (key, i), problem)
                continue
            out.append(item)
        return tuple(out)

    def path(self, text: str) -> Path:
        p = Path(os.path.expanduser(text))
        return Path(os.path.normpath(p if p.is_absolute() else (self.base / p)))


TYPE_NAMES = {str: "text", int: "an integer", float: "a number", bool: "true or false",
               list: "a list", dict: "a mapping"}


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    return TYPE_NAMES.get(type(value), type(value).__name__)


def closest(key: str, allowed: set[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.75)
    return matches[0] if matches else None


def check_tz(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r} (use an IANA name like Asia/Tokyo)"
    return None


def check_url(value: str) -> str | None:
    if not re.match(r"^https?://[^\s/]+", value):
        return "must be an http:// or https:// URL"
    return None


def check_env(value: str) -> str | None:
    return None if ENV_RE.match(value) else "must be the name of an environment variable"


def check_email(value: str) -> str | None:
    return None if re.match(r"^[^@\s<>]+@[^@\s<>]+$", value) else "not an e-mail address"


def check_card_key(value: str) -> str | None:
    return None if re.match(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$", value) else "not a card key (STR-76)"


def check_mailbox(value: str) -> str | None:
    if "\n" in value or "\r" in value:
        return "must be one line"
    pairs = getaddresses([value])
    if len(pairs) != 1 or not pairs[0][1] or "@" not in pairs[0][1]:
        return f"not one e-mail address: {value!r}"
    try:
        Address(display_name=pairs[0][0], addr_spec=pairs[0][1])
    except (ValueError, IndexError) as exc:
        return f"not an e-mail address: {exc}"
    return None


def check_subject(value: str) -> str | None:
    if "\n" in value or "\r" in value:
        return "must be one line"
    try:
        value.format(week_end="2000-01-01")
    except (KeyError, IndexError, ValueError):
        return "may only use the placeholder {week_end}"
    return None


def positive(value: float) -> str | None:
    return None if value > 0 else "must be greater than 0"
