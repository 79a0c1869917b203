"""What a sent week writes back to Jira (jira.post_comments): each card's comment and move.

A comment starts with the week's marker line, `Weekly report, week ending
2023-02-17:`. The marker is how a run recognises a comment an earlier run posted
(and was killed before recording), and how a pull tells reporter's own comments
from news: a comment whose first line is a marker is never harvested into a report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MARKER_RE = re.compile(r"Weekly report, week ending (\d{4}-\d{2}-\d{2}):")


def marker(week_end: dt.date) -> str:
    """The comment's first line, the same for every card of the week."""
    return f"Weekly report, week ending {week_end.isoformat()}:"


def marked_week(text: str) -> dt.date | None:
    """The week whose marker opens `text` (a comment as plain text), or None."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    found = MARKER_RE.fullmatch(first)
    if found is None:
        return None
    try:
        return dt.date.fromisoformat(found.group(1))
    except ValueError:
        return None


@dataclass(frozen=True)
class Span:
    """A piece of one line: text, or a link shown as its URL."""

    text: str
    url: str | None = None  # a link: `text` is the URL itself


Line = tuple[Span, ...]


@dataclass(frozen=True)
class CommentBullet:
    """One bullet of the email under the card: its lines, blank ones kept (as `()`)."""

    lines: tuple[Line, ...]


@dataclass(frozen=True)
class CardComment:
    """The one comment a card gets for the week: the marker, then its bullets."""

    card: str
    week_end: dt.date
    bullets: tuple[CommentBullet, ...]

    @property
    def marker(self) -> str:
        return marker(self.week_end)

    def plain_text(self) -> str:
        """The comment as plain text: the marker, a blank line, `* ` bullets."""
        out = [self.marker, ""]
        for bullet in self.bullets:
            for i, line in enumerate(bullet.lines):
                text = "".join(span.text for span in line)
                out.append((("* " if i == 0 else "  ") + text).rstrip())
        return "\n".join(out)


@dataclass(frozen=True)
class CardTransition:
    """`status: NAME` in the card's notes: the workflow transition of that name."""

    card: str
    name: str


@dataclass(frozen=True)
class WritePlan:
    """Everything the week asks of Jira, in the email's card order."""

    week_end: dt.date
    comments: tuple[CardComment, ...] = ()
    transitions: tuple[CardTransition, ...] = ()
    order: tuple[str, ...] = ()  # the cards of the email, in its order

    def cards(self) -> tuple[str, ...]:
        """Every card the plan touches, each once, in the email's order."""
        touched = {c.card for c in self.comments} | {t.card for t in self.transitions}
        ordered = [key for key in self.order if key in touched]
        return tuple(ordered + sorted(touched - set(ordered)))

    def comment_for(self, card: str) -> CardComment | None:
        return next((c for c in self.comments if c.card == card), None)

    def transition_for(self, card: str) -> CardTransition | None:
        return next((t for t in self.transitions if t.card == card), None)
