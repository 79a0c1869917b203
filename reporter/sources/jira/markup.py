"""A week's comment as Jira stores it: wiki markup (REST v2, Server/DC) or ADF (v3, Cloud).

The inverse of `text`: both forms read back through `wiki_to_text` and
`adf_to_text` as the comment's plain text, marker line first. Wiki markup needs
the engineer's characters escaped where Jira would read them as formatting
(`*bold*`, `{code}`, `[link]`, `-strike-`, a leading `#` ...); links are written
`[URL]`. ADF is built from nodes (doc, paragraph, bulletList, listItem, text with
a link mark, hardBreak), so nothing needs escaping there.
"""

from __future__ import annotations

import re
from typing import Any

from reporter.model.jira_writes import CardComment, CommentBullet, Line

# Always special in wiki markup; `\` escapes them. A backslash itself cannot be
# escaped that way (`\\` is a line break), so it is written as an HTML entity.
_ALWAYS = set("{}[]|!")
BACKSLASH = "&#92;"
# Emphasis marks: special only at a word boundary (`-strike-`, `*bold*`, `^sup^` ...),
# so `STR-76` and `follow-up` stay as typed.
_BOUNDARY = set("*_-+^~?")
_LINE_START = re.compile(r"^(\s*)#")  # a numbered list (`*` and `-` are escaped above)


def wiki_body(comment: CardComment) -> str:
    """The comment in Jira wiki markup: the marker, a blank line, one `* ` item per bullet.

    A bullet's further lines follow its first (Jira keeps the line breaks inside a
    list item); a blank line inside a bullet becomes a forced break `\\\\`, since
    a real blank line would end the list.
    """
    out = [comment.marker, ""]
    for bullet in comment.bullets:
        for i, line in enumerate(bullet.lines):
            text = _wiki_line(line)
            if i == 0:
                out.append(f"* {text}".rstrip())
            else:
                out.append(text if text.strip() else "\\\\")
    return "\n".join(out)


def _wiki_line(line: Line) -> str:
    parts = []
    for span in line:
        if span.url is not None:
            parts.append("[" + _wiki_url(span.url) + "]")
        else:
            parts.append(_wiki_escape(span.text))
    text = "".join(parts)
    return _LINE_START.sub(lambda m: m.group(1) + "\\#", text)


def _wiki_escape(text: str) -> str:
    out = []
    for i, ch in enumerate(text):
        if ch == "\\":
            out.append(BACKSLASH)
        elif ch in _ALWAYS:
            out.append("\\" + ch)
        elif ch in _BOUNDARY:
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            out.append(ch if before.isalnum() and after.isalnum() else "\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _wiki_url(url: str) -> str:
    """A URL safe inside `[...]`: the characters that would end or split the link, encoded."""
    return url.replace("[", "%5B").replace("]", "%5D").replace("|", "%7C").replace(" ", "%20")


def adf_body(comment: CardComment) -> dict[str, Any]:
    """The comment as an Atlassian Document Format document (version 1)."""
    items = [_adf_item(bullet) for bullet in comment.bullets]
    content: list[dict[str, Any]] = [_paragraph([_text(comment.marker)])]
    if items:
        content.append({"type": "bulletList", "content": items})
    return {"type": "doc", "version": 1, "content": content}


def _adf_item(bullet: CommentBullet) -> dict[str, Any]:
    """A list item: one paragraph per run of lines between blank lines, hardBreaks inside."""
    paragraphs: list[list[Line]] = [[]]
    for line in bullet.lines:
        if not any(span.text.strip() for span in line):
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        paragraphs[-1].append(line)
    blocks = []
    for lines in (p for p in paragraphs if p):
        nodes: list[dict[str, Any]] = []
        for i, line in enumerate(lines):
            if i:
                nodes.append({"type": "hardBreak"})
            nodes += [_span(span.text, span.url) for span in line if span.text]
        blocks.append(_paragraph(nodes))
    return {"type": "listItem", "content": blocks or [_paragraph([])]}


def _paragraph(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "paragraph", "content": nodes}


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _span(text: str, url: str | None) -> dict[str, Any]:
    node = _text(text)
    if url is not None:
        node["marks"] = [{"type": "link", "attrs": {"href": url}}]
    return node
