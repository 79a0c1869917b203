"""Numbers the URLs of the email: `<URL>` or a bare URL becomes `[N]`, in order of first use."""

from __future__ import annotations

import re
from dataclasses import dataclass

# `<https://...>` keeps everything inside the brackets; a bare URL stops at white
# space or a bracket, and loses trailing sentence punctuation (see _trim_bare).
URL_RE = re.compile(r"<(https?://[^\s<>]+)>|(https?://[^\s<>\[\]]+)")
_TRAILING = ".,;:!?'\""


@dataclass(frozen=True)
class Ref:
    number: int
    url: str


class Numbering:
    """Assigns numbers across the whole email; a URL cited again keeps its number."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._new: list[Ref] = []

    def number(self, url: str) -> int:
        if url not in self._numbers:
            n = len(self._numbers) + 1
            self._numbers[url] = n
            self._new.append(Ref(n, url))
        return self._numbers[url]

    def cite(self, text: str) -> str:
        """Replace every URL in `text` with its `[N]`, keeping the author's spacing."""

        def repl(match: re.Match[str]) -> str:
            if match.group(1):
                return f"[{self.number(match.group(1))}]"
            url, rest = _trim_bare(match.group(2))
            return f"[{self.number(url)}]{rest}" if url else match.group(0)

        return URL_RE.sub(repl, text)

    def take_new(self) -> tuple[Ref, ...]:
        """The references first numbered since the last call: the ones a section lists."""
        new, self._new = tuple(self._new), []
        return new


def split_urls(text: str) -> list[tuple[str, str | None]]:
    """`text` cut into (text, None) and (URL, URL) pieces, URLs found as `cite` finds them:
    `<URL>` loses its brackets, a bare URL its trailing sentence punctuation."""
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for match in URL_RE.finditer(text):
        url, rest = (match.group(1), "") if match.group(1) else _trim_bare(match.group(2))
        if not url:
            continue
        if match.start() > at:
            pieces.append((text[at:match.start()], None))
        pieces.append((url, url))
        if rest:
            pieces.append((rest, None))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


def _trim_bare(url: str) -> tuple[str, str]:
    """Split sentence punctuation and an unbalanced `)` off the end of a bare URL."""
    rest = ""
    while url:
        if url[-1] in _TRAILING:
            rest = url[-1] + rest
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            rest = url[-1] + rest
            url = url[:-1]
        else:
            break
    if re.fullmatch(r"https?://", url):
        return "", ""
    return url, rest
