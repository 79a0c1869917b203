"""Mailman's pipermail archive: a message-id -> its `<YYYY>-<Month>/<NNNNNN>.html` page."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from reporter.sources.patch_http import Deadline, bind_deadline

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# archidxentry.html of Mailman 2: <LI><A HREF="483962.html">subject
# </A><A NAME="483962">&nbsp;</A>\n<I>author\n</I>
_ENTRY_RE = re.compile(
    r'<LI><A\s+HREF="(\d+\.html)">(.*?)</A><A\s+NAME="\d+">&nbsp;</A>\s*<I>(.*?)</I>',
    re.IGNORECASE | re.DOTALL,
)
# article.html: the reply link carries the message's own id in In-Reply-To.
_REPLY_ID_RE = re.compile(r"In-Reply-To=([^\"&\s]+)", re.IGNORECASE)
_PREFIX_RE = re.compile(r"^(\s*(\[[^\]]*\]|re:|fwd?:)\s*)+", re.IGNORECASE)
MAX_CANDIDATES = 6


@dataclass(frozen=True)
class IndexEntry:
    """One line of a month's date index."""

    page: str  # "483962.html"
    subject: str
    author: str


def month_url(base: str, day: dt.date) -> str:
    return f"{base.rstrip('/')}/{day.year}-{MONTHS[day.month - 1]}/"


def parse_date_index(text: str) -> list[IndexEntry]:
    return [IndexEntry(page=page, subject=_text(subject), author=_text(author))
            for page, subject, author in _ENTRY_RE.findall(text)]


def page_message_id(text: str) -> str | None:
    """The Message-ID that an article page answers to (from its mailto: reply link)."""
    match = _REPLY_ID_RE.search(text)
    if not match:
        return None
    value = unquote(html.unescape(match.group(1))).strip()
    return value[1:-1] if value.startswith("<") and value.endswith(">") else value


def same_subject(a: str, b: str) -> bool:
    return _norm(a) == _norm(b)


def resolve(session: requests.Session, base: str, msgid: str, date: dt.datetime,
            subject: str, *, timeout_s: float, deadline: Deadline) -> str | None:
    """The page of `msgid` in the archive, or None when it cannot be found (use lore then).

    The month comes from the message date; near a month's edge the neighbour is read
    too, since the archive files by its own clock. Candidate pages are those whose
    subject matches; the one whose reply link names `msgid` is the answer.
    """
    bind_deadline(session, deadline, "pipermail", base)
    for day in _months_to_try(date):
        index_url = month_url(base, day)
        text = _get_text(session, f"{index_url}date.html", timeout_s, deadline)
        if text is None:
            continue
        candidates = [e for e in parse_date_index(text) if same_subject(e.subject, subject)]
        for entry in candidates[:MAX_CANDIDATES]:
            page = _get_text(session, f"{index_url}{entry.page}", timeout_s, deadline)
            if page is not None and page_message_id(page) == msgid:
                return f"{index_url}{entry.page}"
    log.info("pipermail: no page found for %s; linking lore instead", msgid)
    return None


def _get_text(session: requests.Session, url: str, timeout_s: float,
              deadline: Deadline) -> str | None:
    import requests

    from reporter.errors import DeadlineError

    if deadline.passed():
        return None
    try:
        response = session.get(url, timeout=deadline.timeout(timeout_s))
    except DeadlineError as exc:
        log.warning("%s; linking lore instead", exc.message)
        return None
    except requests.RequestException as exc:
        if deadline.passed():
            log.warning("pipermail: timed out: the pull's deadline of %g s passed while "
                        "reading %s; linking lore instead", deadline.seconds, url)
        else:
            log.warning("pipermail: cannot read %s (%s); linking lore instead",
                        url, type(exc).__name__)
        return None
    if response.status_code != 200:
        if response.status_code != 404:
            log.warning("pipermail: HTTP %d from %s; linking lore instead",
                        response.status_code, url)
        return None
    response.encoding = response.encoding or "latin-1"
    return response.text


def _months_to_try(date: dt.datetime) -> list[dt.date]:
    day = date.astimezone(dt.UTC).date()
    months = [day.replace(day=1)]
    before = (day - dt.timedelta(days=1)).replace(day=1)
    after = (day + dt.timedelta(days=1)).replace(day=1)
    for other in (before, after):
        if other not in months:
            months.append(other)
    return months


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _norm(subject: str) -> str:
    return " ".join(_PREFIX_RE.sub("", subject).split()).casefold()
