"""Writes YAML scalars, keys and bullets as text that reads back exactly as the given string."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml


def _loads(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return _NOT_YAML


_NOT_YAML = object()


# What a YAML reader accepts as it is (PyYAML's reader.NON_PRINTABLE, inverted), less the
# characters YAML 1.1 reads as line breaks (NEL, LS, PS) and the byte order mark; anything
# else must be written as an escape inside a double-quoted scalar.
_ESCAPE = re.compile(
    "[^\x09\x0A\x0D\x20-\x7E\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]"
    "|[\u2028\u2029\ufeff]")


def _printable(text: str) -> bool:
    """Characters a YAML plain, single-quoted or block scalar may hold as they are."""
    return _ESCAPE.search(text) is None


def double_quoted(text: str) -> str:
    """A JSON string, with the characters YAML refuses escaped: it holds any text on one line."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def single_line_scalar(text: str, *, flow: bool = False) -> str:
    """`text` as a one-line scalar: plain when YAML reads it back unchanged, else quoted."""
    if "\n" not in text and "\r" not in text and _printable(text):
        probe = f"[{text}]" if flow else f"- {text}"
        if text and text == text.strip() and _loads(probe) == [text]:
            return text
        quoted = "'" + text.replace("'", "''") + "'"
        if _loads(f"[{quoted}]" if flow else f"- {quoted}") == [text]:
            return quoted
    return double_quoted(text)


def key_text(key: str) -> str:
    """A mapping key (a section title or card key) as YAML text."""
    if "\n" not in key and _printable(key) and key == key.strip() and key:
        if _loads(f"{key}: x") == {key: "x"}:
            return key
        quoted = "'" + key.replace("'", "''") + "'"
        if _loads(f"{quoted}: x") == {key: "x"}:
            return quoted
    return double_quoted(key)


def block_item_lines(text: str, dash_column: int) -> list[str]:
    """The lines (without line ends) of the sequence item `- text` with its dash at `dash_column`.

    One-line text becomes a plain or quoted scalar; text of several lines becomes a literal
    block (`- |`) so that the engineer's line breaks and indentation read as written.
    """
    pad = " " * dash_column
    lines = text.split("\n")
    if len(lines) == 1:
        return [f"{pad}- {single_line_scalar(text)}"]
    if "\r" in text or not _printable(text.replace("\n", "")):
        return [f"{pad}- {double_quoted(text)}"]
    body_pad = " " * (dash_column + 2)
    # An indentation indicator is needed when the first line starts with a space; "clip"
    # chomping keeps one final line break, which the notes reader strips.
    first = next((line for line in lines if line.strip()), "")
    header = "|2" if first.startswith((" ", "\t")) else "|"
    out = [f"{pad}- {header}"]
    out.extend(f"{body_pad}{line}" if line else "" for line in lines)
    candidate = "\n".join(out) + "\n"
    parsed = _loads(candidate)
    if not (isinstance(parsed, list) and len(parsed) == 1 and isinstance(parsed[0], str)
            and parsed[0].rstrip("\n") == text.rstrip("\n")):
        return [f"{pad}- {double_quoted(text)}"]
    return out


def mapping_value_lines(key: str, text: str, column: int) -> list[str]:
    """The lines of `key: text` at `column`; text of several lines becomes a literal block."""
    item = block_item_lines(text, column)
    head = item[0][column + 2:]  # what followed "- ": the scalar, or `|`/`|2`
    out = [f"{' ' * column}{key_text(key)}: {head}"]
    out.extend(item[1:])  # a literal block's lines are already indented past the key
    return out
