"""Plain-text layout helpers: display width, header truncation, wrapping generated text."""

from __future__ import annotations

import re
import textwrap
import unicodedata

WIDTH = 80
BULLET_INDENT = 2


def display_width(text: str) -> int:
    """Terminal columns: East Asian wide and fullwidth characters take two."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def one_line(text: str) -> str:
    """Data shown on one line (a summary): every run of white space becomes one space."""
    return re.sub(r"\s+", " ", text).strip()


def card_header(key: str, summary: str | None, width: int = WIDTH) -> str:
    """`[KEY] (summary)`, the summary cut at a word boundary with ` ...` to fit `width`."""
    if not summary:
        return f"[{key}]"
    summary = one_line(summary)
    line = f"[{key}] ({summary})"
    if display_width(line) <= width:
        return line
    head, tail = f"[{key}] (", " ...)"
    budget = width - display_width(head) - display_width(tail)
    words = summary.split(" ")
    kept: list[str] = []
    for word in words:
        candidate = " ".join([*kept, word])
        if display_width(candidate) > budget:
            break
        kept.append(word)
    cut = " ".join(kept)
    if not cut:  # one word longer than the line: cut inside it
        cut = _cut_to_width(summary, budget)
    return f"{head}{cut.rstrip()}{tail}"


def _cut_to_width(text: str, budget: int) -> str:
    out = ""
    for ch in text:
        if display_width(out + ch) > budget:
            break
        out += ch
    return out


def wrap_generated(text: str, width: int = WIDTH - BULLET_INDENT) -> str:
    """Wrap text the tool generated (comments, findings, patch lines) to fit a bullet.

    Each line is wrapped on its own, keeping its leading indentation for the lines it
    is broken into; blank lines stay blank. Words longer than the line (URLs) are not cut.
    """
    out: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if not line:
            out.append("")
            continue
        indent = line[: len(line) - len(line.lstrip())]
        if display_width(line) <= width:
            out.append(line)
            continue
        out.extend(textwrap.wrap(line, width=width, subsequent_indent=indent,
                                 break_long_words=False, break_on_hyphens=False) or [""])
    return "\n".join(out)


def bullet(text: str) -> str:
    """`* ` and the first line; further lines indented two spaces; blank lines stay blank."""
    lines = text.split("\n")
    out = [f"* {lines[0]}".rstrip()]
    out.extend(("  " + line).rstrip() for line in lines[1:])
    return "\n".join(out)


def bullet_list(items: list[str] | tuple[str, ...], loose: bool) -> str:
    return ("\n\n" if loose else "\n").join(bullet(item) for item in items)


def is_loose(items: list[str] | tuple[str, ...]) -> bool:
    """A list is loose (blank line between bullets) when any bullet holds a blank line."""
    return any(any(not line.strip() for line in item.split("\n")) for item in items)
