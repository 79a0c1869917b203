"""Loads JSON written by tools that do not escape their strings (cyclictest --json)."""

from __future__ import annotations

import json
import re
from typing import Any

from reporter.measure.textfile import Refused

# A line holding one string member: `  "key": "value",`. cyclictest prints the
# value with a plain "%s" (its command line, its start time), so quotes and
# backslashes inside it break strict JSON.
_STRING_MEMBER_RE = re.compile(r'^(\s*"[^"\\]*"\s*:\s*)"(.*)"(\s*,?\s*)$')


def load_json(text: str, what: str) -> Any:
    """The document, repairing unescaped string members if it does not parse as it is."""
    try:
        return json.loads(text, strict=False)
    except ValueError as first:
        fixed = []
        for line in text.splitlines():
            match = _STRING_MEMBER_RE.match(line)
            if match:
                line = match.group(1) + json.dumps(match.group(2)) + match.group(3)
            fixed.append(line)
        try:
            return json.loads("\n".join(fixed), strict=False)
        except ValueError:
            if isinstance(first, json.JSONDecodeError):
                raise Refused(f"line {first.lineno}: malformed {what} JSON (truncated?): "
                              f"{first.msg}") from None
            raise Refused(f"malformed {what} JSON (truncated?): {_short(first)}") from None


def _short(exc: ValueError) -> str:
    text = str(exc)
    return text if len(text) < 80 else text[:77] + "..."
