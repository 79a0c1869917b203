"""Paging: Cloud's enhanced search (nextPageToken), Server's search (startAt), comment lists,
Cloud's per-issue changelog."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from reporter.sources.jira import failures
from reporter.sources.jira.connect import Connection
from reporter.sources.jira.parse import (
    ShapeError,
    changelog_page,
    jql_parse_errors,
    parse_time,
    search_page,
)

log = logging.getLogger(__name__)

# Asked by name: Cloud's enhanced search returns only ids otherwise.
FIELDS = ("summary", "status", "resolution", "updated", "comment", "attachment")
# The status transitions come with the search: no request per card. Server embeds the
# whole changelog; Cloud the newest histories only, and `changelog_tail` reads the rest.
EXPAND = "changelog"
PAGE_SIZE = 100


def search(conn: Connection, jql: str, max_pages: int) -> list[dict[str, Any]]:
    """Every issue the JQL finds, in Jira's order, each once."""
    issues = _search_cloud(conn, jql, max_pages) if conn.cloud else \
        _search_server(conn, jql, max_pages)
    seen: set[Any] = set()
    unique = []
    for issue in issues:
        key = issue.get("key")
        if key not in seen:  # an issue edited while paging can show up twice
            seen.add(key)
            unique.append(issue)
    return unique


def _search_cloud(conn: Connection, jql: str, max_pages: int) -> list[dict[str, Any]]:
    """/rest/api/3/search/jql: stops on isLast, a missing token or an empty page;
    fails on a token seen before or on more than max_pages pages."""
    issues: list[dict[str, Any]] = []
    token: str | None = None
    seen_tokens: set[str] = set()
    for page in range(1, max_pages + 1):
        what = f"search page {page}"
        data = conn.call(what, conn.client.enhanced_search_issues, jql, nextPageToken=token,
                         maxResults=PAGE_SIZE, fields=list(FIELDS), expand=EXPAND,
                         json_result=True)
        batch = _page(data, what)
        issues += batch
        log.info("jira: %s: %d cards", what, len(batch))
        following = data.get("nextPageToken")
        if data.get("isLast") is True or not batch or not following:
            return issues
        if not isinstance(following, str):
            raise failures.bad_shape(what, "nextPageToken is not text")
        if following in seen_tokens:
            raise failures.repeated_token(page)
        seen_tokens.add(following)
        token = following
    raise failures.too_many_pages("the search", max_pages)


def _search_server(conn: Connection, jql: str, max_pages: int) -> list[dict[str, Any]]:
    """/rest/api/2/search: pages by startAt until total is reached or a page is empty."""
    issues: list[dict[str, Any]] = []
    start = 0
    for page in range(1, max_pages + 1):
        what = f"search page {page}"
        data = conn.call(what, conn.client.search_issues, jql, startAt=start,
                         maxResults=PAGE_SIZE, fields=list(FIELDS), expand=EXPAND,
                         json_result=True)
        batch = _page(data, what)
        issues += batch
        log.info("jira: %s: %d cards", what, len(batch))
        total = data.get("total")
        if not isinstance(total, int) or isinstance(total, bool):
            raise failures.bad_shape(what, "no total")
        start += len(batch)
        if not batch or start >= total:
            return issues
    raise failures.too_many_pages("the search", max_pages)


def all_comments(conn: Connection, key: str, total: int, max_pages: int
                 ) -> list[dict[str, Any]]:
    """The full comment list of `key` from /issue/KEY/comment, when the search cut it."""
    comments: list[dict[str, Any]] = []
    for page in range(1, max_pages + 1):
        what = f"comments of {key}"
        batch = conn.call(what, conn.client.comments, key, start_at=len(comments),
                          max_results=PAGE_SIZE)
        raw = [r for r in (getattr(c, "raw", None) for c in batch) if isinstance(r, dict)]
        if len(raw) != len(batch):
            raise failures.bad_shape(what, "a comment is not an object")
        comments += raw
        log.info("jira: %s, page %d: %d", what, page, len(raw))
        if not raw or len(comments) >= total:
            return comments
    raise failures.too_many_pages(f"the comments of {key}", max_pages)


def changelog_tail(conn: Connection, key: str, total: int, since: dt.datetime,
                   max_pages: int) -> list[dict[str, Any]]:
    """Cloud: the newest histories of `key` back to `since`, from /issue/KEY/changelog.

    The endpoint pages oldest first, so the reading starts at the last page and goes
    back a page at a time until a history older than `since` has been read.
    """
    histories: list[dict[str, Any]] = []
    start = max(0, total - PAGE_SIZE)
    size = total - start
    for page in range(1, max_pages + 1):
        what = f"changelog of {key}"
        raw = conn.call(what, conn.client._get_json, f"issue/{key}/changelog",
                        params={"startAt": start, "maxResults": size})
        try:
            values, _ = changelog_page(raw, what)
            oldest = parse_time(values[0].get("created"), f"{what}.values[0].created") \
                if values else None
        except ShapeError as exc:
            raise failures.bad_shape(what, str(exc)) from None
        histories = values + histories
        log.info("jira: %s, page %d: %d histories", key, page, len(values))
        if start == 0 or oldest is None or oldest < since:
            return histories
        start, size = max(0, start - PAGE_SIZE), min(start, PAGE_SIZE)
    raise failures.too_many_pages(f"the changelog of {key}", max_pages)


def _page(data: Any, what: str) -> list[dict[str, Any]]:
    try:
        return search_page(data, what)
    except ShapeError as exc:
        raise failures.bad_shape(what, str(exc)) from None


def jql_errors(conn: Connection, jql: str) -> tuple[str, ...] | None:
    """What Jira Cloud finds wrong with `jql` (/rest/api/3/jql/parse, strict validation);
    () when it parses. None on Server/Data Center, which has no such endpoint: a search
    answers HTTP 400 there instead."""
    if not conn.cloud:
        return None
    response = conn.session.post(f"{conn.server}/rest/api/3/jql/parse",
                                 params={"validation": "strict"}, json={"queries": [jql]})
    try:
        data = response.json()
    except ValueError:
        raise failures.bad_json("jql/parse") from None
    try:
        return jql_parse_errors(data)
    except ShapeError as exc:
        raise failures.bad_shape("jql/parse", str(exc)) from None


def first_page(conn: Connection, jql: str) -> tuple[int, bool]:
    """How many cards the first page of the search holds, and whether more follow."""
    what = "search page 1"
    if conn.cloud:
        data = conn.call(what, conn.client.enhanced_search_issues, jql, nextPageToken=None,
                         maxResults=PAGE_SIZE, fields=["summary"], json_result=True)
        batch = _page(data, what)
        return len(batch), data.get("isLast") is False and bool(data.get("nextPageToken"))
    data = conn.call(what, conn.client.search_issues, jql, startAt=0, maxResults=PAGE_SIZE,
                     fields=["summary"], json_result=True)
    batch = _page(data, what)
    total = data.get("total")
    return len(batch), isinstance(total, int) and total > len(batch)
