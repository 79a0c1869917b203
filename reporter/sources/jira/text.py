"""Comment bodies to plain text: Jira wiki markup (REST v2) and Atlassian Document Format (v3).

Links become `text <URL>` (or the bare URL), the form the notes use, so that
compose numbers them as references like any other URL. Lists become `- item`
(`1. item` when numbered), nested by two spaces; code keeps its lines.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

# -- shared ---------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def tidy(text: str) -> str:
    """No control characters, no trailing spaces, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    text = _CONTROL.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


def _link(text: str, url: str) -> str:
    text = text.strip()
    if not text or text == url:
        return url
    return f"{text} <{url}>"


# -- wiki markup (REST API v2) ------------------------------------------------------

_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\[\]|{}]+")
_BLOCK = re.compile(r"\{(code|noformat)(?::[^}]*)?\}(.*?)\{\1\}", re.S)
_MACRO = re.compile(r"\{(?:quote|panel|color|anchor|section|column|info|note|tip|warning|"
                    r"expand|toc|status)(?::[^}]*)?\}")
_LINK = re.compile(r"\[([^\[\]\n]*?)\]")
_IMAGE = re.compile(r"!([^!\s|][^!\n|]*?)(?:\|[^!\n]*)?!")
_LIST = re.compile(r"^([*#-]+)\s+(.*)$")
_HEADING = re.compile(r"^h[1-6]\.\s*(.*)$")
_ESCAPED = re.compile(r"(?<!\\)\\([-*_+?{}\[\]!|#^~])")
_EMPHASIS = [
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w])_(?=\S)([^_\n]*?)(?<=\S)_(?![\w])"), r"\1"),
    (re.compile(r"\?\?(?=\S)(.*?)(?<=\S)\?\?"), r"\1"),
    (re.compile(r"\{\{(.*?)\}\}"), r"\1"),
]


def wiki_to_text(markup: str) -> str:
    """Jira wiki markup (what REST v2 returns for comment bodies) as plain text."""
    keep: list[str] = []

    def stash(value: str) -> str:
        keep.append(value)
        return f"\x00{len(keep) - 1}\x00"

    text = markup.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    # Code and noformat blocks keep their text as is.
    text = _BLOCK.sub(lambda m: stash(m.group(2).strip("\n")), text)
    # An escaped character (`\*`, `\[`) is text, never the start of markup.
    text = _ESCAPED.sub(lambda m: stash(m.group(1)), text)
    text = _MACRO.sub("", text)
    text = _LINK.sub(lambda m: _wiki_link(m.group(1), stash), text)
    text = _URL.sub(lambda m: stash(m.group(0)), text)
    text = _IMAGE.sub(lambda m: m.group(1).strip(), text)
    out: list[str] = []
    counters: dict[int, int] = {}
    for line in text.split("\n"):
        out.append(_wiki_line(line, counters))
    text = "\n".join(out)
    text = re.sub(r"\\\\", "\n", text)  # \\ is a forced line break
    text = re.sub(r"\\([-*_+?{}\[\]!|#^~\\])", r"\1", text)
    # Restore stashed pieces (a stashed link may hold a stashed URL).
    for _ in range(2):
        text = re.sub(r"\x00(\d+)\x00", lambda m: keep[int(m.group(1))], text)
    return tidy(text)


def _wiki_link(inner: str, stash: Any) -> str:
    if inner.startswith("~"):  # [~username] or [~accountid:...]
        return "@" + inner[1:].split(":", 1)[-1]
    if inner.startswith("^"):  # an attachment
        return inner[1:]
    text, _, target = inner.rpartition("|")
    target = target.strip()
    if re.match(r"^(?:https?|ftp|mailto):", target):
        url = target.removeprefix("mailto:")
        return str(stash(_link(text, url)))
    if not text and target.startswith("#"):
        return target[1:]
    return f"[{inner}]"  # not a link (e.g. "[WIP]"): leave it as written


def _wiki_line(line: str, counters: dict[int, int]) -> str:
    stripped = line.strip()
    if re.fullmatch(r"-{4,}", stripped):
        return ""
    heading = _HEADING.match(stripped)
    if heading:
        counters.clear()
        return _emphasis(heading.group(1))
    if stripped.startswith("bq. "):
        counters.clear()
        return "> " + _emphasis(stripped[4:])
    if stripped.startswith("|"):
        counters.clear()
        cells = [c.strip() for c in re.split(r"\|\|?", stripped.strip("|"))]
        return " | ".join(_emphasis(c) for c in cells)
    listed = _LIST.match(stripped)
    if listed and not (set(listed.group(1)) == {"-"} and len(listed.group(1)) > 1):
        marks, body = listed.groups()
        depth = len(marks)
        for deeper in [d for d in counters if d > depth]:
            del counters[deeper]
        indent = "  " * (depth - 1)
        if marks[-1] == "#":
            counters[depth] = counters.get(depth, 0) + 1
            return f"{indent}{counters[depth]}. {_emphasis(body)}"
        counters.pop(depth, None)
        return f"{indent}- {_emphasis(body)}"
    if stripped:
        counters.clear()
    return _emphasis(line)


def _emphasis(text: str) -> str:
    for pattern, repl in _EMPHASIS:
        text = pattern.sub(repl, text)
    return text


# -- Atlassian Document Format (REST API v3) ----------------------------------------

_CONTAINERS = {"panel", "layoutSection", "layoutColumn", "bodiedExtension", "extensionFrame",
               "multiBodiedExtension", "tableCell", "tableHeader", "listItem"}


def adf_to_text(doc: Any) -> str:
    """An ADF document (what REST v3 returns for comment bodies) as plain text."""
    if not isinstance(doc, dict):
        return ""
    return tidy("\n\n".join(_blocks(_children(doc))))


def _children(node: dict[str, Any]) -> list[dict[str, Any]]:
    content = node.get("content")
    if not isinstance(content, list):
        return []
    return [c for c in content if isinstance(c, dict)]


def _attrs(node: dict[str, Any]) -> dict[str, Any]:
    attrs = node.get("attrs")
    return attrs if isinstance(attrs, dict) else {}


def _blocks(nodes: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for node in nodes:
        kind = node.get("type")
        if kind in ("paragraph", "heading"):
            out.append(_inline(_children(node)))
        elif kind in ("bulletList", "orderedList"):
            out.append(_list(node, ordered=kind == "orderedList"))
        elif kind == "taskList" or kind == "decisionList":
            out.append("\n".join(_task(item) for item in _children(node)))
        elif kind == "codeBlock":
            out.append("".join(str(c.get("text", "")) for c in _children(node)))
        elif kind == "blockquote":
            inner = "\n\n".join(_blocks(_children(node)))
            out.append("\n".join(f"> {line}" if line else ">" for line in inner.split("\n")))
        elif kind == "rule":
            continue
        elif kind == "table":
            out.append(_table(node))
        elif kind in ("expand", "nestedExpand"):
            title = str(_attrs(node).get("title") or "").strip()
            out.extend(([title] if title else []) + _blocks(_children(node)))
        elif kind in ("blockCard", "embedCard"):
            url = _attrs(node).get("url")
            if isinstance(url, str):
                out.append(url)
        elif kind in ("mediaSingle", "mediaGroup", "media"):
            continue  # pictures: nothing to say in plain text
        elif kind in _CONTAINERS or _children(node):
            out.extend(_blocks(_children(node)))
        elif isinstance(node.get("text"), str):
            out.append(_inline([node]))
    return [b for b in out if b.strip()]


def _list(node: dict[str, Any], *, ordered: bool) -> str:
    start = _attrs(node).get("order", 1)
    number = start if isinstance(start, int) else 1
    lines: list[str] = []
    for item in _children(node):
        marker = f"{number}. " if ordered else "- "
        number += 1
        body = "\n".join(_blocks(_children(item))) or ""
        first, *rest = body.split("\n")
        lines.append(marker + first)
        lines += [("  " + line) if line else "" for line in rest]
    return "\n".join(lines)


def _task(item: dict[str, Any]) -> str:
    done = _attrs(item).get("state") in ("DONE", "DECIDED")
    return ("[x] " if done else "[ ] ") + _inline(_children(item))


def _table(node: dict[str, Any]) -> str:
    rows = []
    for row in _children(node):
        cells = [" ".join(" ".join(_blocks(_children(cell))).split()) for cell in _children(row)]
        rows.append(" | ".join(cells))
    return "\n".join(rows)


def _inline(nodes: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for node in nodes:
        kind = node.get("type")
        attrs = _attrs(node)
        if kind == "text":
            text = str(node.get("text", ""))
            href = next((m.get("attrs", {}).get("href") for m in node.get("marks") or []
                         if isinstance(m, dict) and m.get("type") == "link"), None)
            parts.append(_link(text, href) if isinstance(href, str) else text)
        elif kind == "hardBreak":
            parts.append("\n")
        elif kind == "mention":
            name = str(attrs.get("text") or attrs.get("id") or "someone")
            parts.append(name if name.startswith("@") else "@" + name)
        elif kind == "emoji":
            parts.append(str(attrs.get("text") or attrs.get("shortName") or ""))
        elif kind == "inlineCard":
            parts.append(str(attrs.get("url") or ""))
        elif kind == "status":
            parts.append(str(attrs.get("text") or ""))
        elif kind == "date":
            parts.append(_adf_date(attrs.get("timestamp")))
        elif isinstance(node.get("text"), str):
            parts.append(node["text"])
        else:
            parts.append(_inline(_children(node)))
    return "".join(parts)


def _adf_date(stamp: Any) -> str:
    try:
        millis = int(stamp)
    except (TypeError, ValueError):
        return ""
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC).date().isoformat()
