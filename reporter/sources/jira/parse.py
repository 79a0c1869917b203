"""Jira's JSON (issues, changelogs, comments, attachments, remote links, myself) to model objects.

Every value is checked on the way in; a payload of the wrong shape raises
ShapeError naming where, so that no `dict[str, Any]` travels further.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from reporter.model.cards import Attachment, Comment, RemoteLink, StatusChange
from reporter.sources.jira.text import adf_to_text, wiki_to_text

KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")
ID_RE = re.compile(r"^[0-9A-Za-z]{1,64}$")
# statusCategory keys are stable; their names are translated with the user's locale.
CATEGORY_NAMES = {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}


class ShapeError(ValueError):
    """A Jira payload does not have the documented shape."""


@dataclass(frozen=True)
class Me:
    """The account the pull runs as (from /myself), to tell my comments from others'."""

    account_id: str | None = None  # Cloud
    name: str | None = None  # Server/Data Center user name
    key: str | None = None  # Server/Data Center user key
    email: str | None = None

    def wrote(self, author: dict[str, Any]) -> bool:
        pairs = ((self.account_id, "accountId"), (self.key, "key"), (self.name, "name"),
                 (self.email, "emailAddress"))
        return any(mine and author.get(field) == mine for mine, field in pairs)


@dataclass(frozen=True)
class IssueFields:
    """One search hit: the card's facts and the raw lists still to be filtered."""

    key: str
    summary: str | None
    status: str | None
    status_category: str | None
    resolution: str | None
    updated: str | None
    comments: tuple[dict[str, Any], ...]
    comments_total: int
    attachments: tuple[dict[str, Any], ...]
    histories: tuple[dict[str, Any], ...] = ()  # the changelog the search embedded
    histories_total: int = 0  # how many the card has (Cloud embeds only the newest)


@dataclass(frozen=True)
class Week:
    """The week's days in the configured time zone, inclusive."""

    first: dt.date
    last: dt.date
    tz: dt.tzinfo

    def holds(self, stamp: str, where: str) -> bool:
        return self.first <= parse_time(stamp, where).astimezone(self.tz).date() <= self.last


def parse_time(stamp: Any, where: str) -> dt.datetime:
    """Jira's `2023-02-08T10:00:00.000+0900` (Python 3.11 reads it), always aware."""
    if not isinstance(stamp, str):
        raise ShapeError(f"{where}: expected a date and time, got {_kind(stamp)}")
    try:
        value = dt.datetime.fromisoformat(stamp)
    except ValueError:
        raise ShapeError(f"{where}: not a date and time: {stamp[:40]!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def parse_me(raw: Any) -> Me:
    data = _obj(raw, "myself")
    return Me(account_id=_opt_str(data, "accountId", "myself"),
              name=_opt_str(data, "name", "myself"),
              key=_opt_str(data, "key", "myself"),
              email=_opt_str(data, "emailAddress", "myself"))


def parse_server_info(raw: Any) -> str:
    """serverInfo.deploymentType: "Cloud", or "Server"/"DataCenter"."""
    data = _obj(raw, "serverInfo")
    kind = data.get("deploymentType")
    if not isinstance(kind, str) or not kind:
        if isinstance(data.get("versionNumbers"), list):
            return "Server"  # Jira Server before 7.x did not say
        raise ShapeError("serverInfo: no deploymentType and no versionNumbers")
    return kind


def jql_parse_errors(raw: Any) -> tuple[str, ...]:
    """The errors /rest/api/3/jql/parse found in the one query it was given; () when none."""
    queries = _obj(raw, "jql/parse").get("queries")
    if not isinstance(queries, list) or len(queries) != 1:
        raise ShapeError("jql/parse: not one parsed query")
    errors = _obj(queries[0], "jql/parse.queries[0]").get("errors") or []
    if not isinstance(errors, list):
        raise ShapeError("jql/parse: errors is not a list")
    return tuple(str(e) for e in errors)


def search_page(raw: Any, where: str) -> list[dict[str, Any]]:
    data = _obj(raw, where)
    issues = data.get("issues")
    if not isinstance(issues, list):
        raise ShapeError(f"{where}: no issues list")
    return [_obj(item, f"{where}.issues[{i}]") for i, item in enumerate(issues)]


def parse_issue(raw: dict[str, Any], where: str) -> IssueFields:
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise ShapeError(f"{where}.key: expected an issue key, got {_kind(key)}"
                         " (were the fields asked by name?)")
    where = f"{key}"
    fields = _obj(raw.get("fields"), f"{where}.fields")
    status = fields.get("status")
    status_name = category = None
    if status is not None:
        status = _obj(status, f"{where}.status")
        status_name = _opt_str(status, "name", f"{where}.status")
        cat = status.get("statusCategory")
        if cat is not None:
            cat = _obj(cat, f"{where}.status.statusCategory")
            cat_key = cat.get("key")
            category = (CATEGORY_NAMES.get(cat_key) if isinstance(cat_key, str) else None) \
                or _opt_str(cat, "name", f"{where}.status.statusCategory")
    resolution = fields.get("resolution")
    resolution_name = (_opt_str(_obj(resolution, f"{where}.resolution"), "name",
                                f"{where}.resolution") if resolution is not None else None)
    comments: list[dict[str, Any]] = []
    total = 0
    comment_field = fields.get("comment")
    if comment_field is not None:
        cf = _obj(comment_field, f"{where}.comment")
        items = cf.get("comments", [])
        if not isinstance(items, list):
            raise ShapeError(f"{where}.comment.comments: expected a list")
        comments = [_obj(c, f"{where}.comment.comments[{i}]") for i, c in enumerate(items)]
        total = cf.get("total", len(comments))
        if not isinstance(total, int) or isinstance(total, bool):
            raise ShapeError(f"{where}.comment.total: expected a number")
    attachments = fields.get("attachment") or []
    if not isinstance(attachments, list):
        raise ShapeError(f"{where}.attachment: expected a list")
    updated = fields.get("updated")
    if updated is not None:
        parse_time(updated, f"{where}.updated")
    summary = _opt_str(fields, "summary", where)
    histories: list[dict[str, Any]] = []
    histories_total = 0
    changelog = raw.get("changelog")
    if changelog is not None:
        log_obj = _obj(changelog, f"{where}.changelog")
        histories = _list_of(log_obj.get("histories", []), f"{where}.changelog.histories")
        histories_total = _count(log_obj.get("total", len(histories)), f"{where}.changelog.total")
    return IssueFields(
        key=key,
        summary=" ".join(summary.split()) if summary is not None else None,
        status=status_name,
        status_category=category,
        resolution=resolution_name,
        updated=updated,
        comments=tuple(comments),
        comments_total=max(total, len(comments)),
        attachments=tuple(_obj(a, f"{where}.attachment[{i}]")
                          for i, a in enumerate(attachments)),
        histories=tuple(histories),
        histories_total=max(histories_total, len(histories)),
    )


def changelog_page(raw: Any, where: str) -> tuple[list[dict[str, Any]], int]:
    """Cloud's `GET /rest/api/3/issue/KEY/changelog` (PageBeanChangelog): values, total."""
    data = _obj(raw, where)
    values = _list_of(data.get("values"), f"{where}.values")
    return values, _count(data.get("total", len(values)), f"{where}.total")


def status_changes(histories: list[dict[str, Any]] | tuple[dict[str, Any], ...], where: str
                   ) -> list[StatusChange]:
    """The status transitions of a changelog (Server's and Cloud's histories alike):
    each history's items whose `field` (or Cloud's `fieldId`) is `status`."""
    out: list[tuple[dt.datetime, StatusChange]] = []
    for i, history in enumerate(histories):
        at = f"{where}[{i}]"
        items = _list_of(history.get("items", []), f"{at}.items")
        moves = [item for item in items
                 if item.get("field") == "status" or item.get("fieldId") == "status"]
        if not moves:
            continue
        created = history.get("created")
        when = parse_time(created, f"{at}.created")
        for item in moves:
            out.append((when, StatusChange(date=str(created),
                                           from_status=_opt_str(item, "fromString", at) or "",
                                           to_status=_opt_str(item, "toString", at) or "")))
    out.sort(key=lambda pair: pair[0])
    return [change for _, change in out]


def parse_comment(raw: dict[str, Any], where: str, me: Me | None) -> Comment:
    cid = raw.get("id")
    if not isinstance(cid, (str, int)) or isinstance(cid, bool):
        raise ShapeError(f"{where}.id: expected an id")
    author = raw.get("author") or raw.get("updateAuthor") or {}
    author = _obj(author, f"{where}.author")
    body = raw.get("body")
    if isinstance(body, str):
        text = wiki_to_text(body)
    elif isinstance(body, dict):
        text = adf_to_text(body)
    elif body is None:
        text = ""
    else:
        raise ShapeError(f"{where}.body: expected wiki text or an ADF document")
    created = raw.get("created")
    parse_time(created, f"{where}.created")
    return Comment(
        id=str(cid),
        author=_opt_str(author, "displayName", where) or "",
        author_id=(_opt_str(author, "accountId", where) or _opt_str(author, "name", where)
                   or _opt_str(author, "key", where) or ""),
        created=str(created),
        body=text,
        mine=bool(me and me.wrote(author)),
    )


def parse_attachment(raw: dict[str, Any], where: str) -> tuple[Attachment, str | None]:
    """The attachment's metadata and the URL of its content."""
    aid = raw.get("id")
    if isinstance(aid, int) and not isinstance(aid, bool):
        aid = str(aid)
    if not isinstance(aid, str) or not ID_RE.match(aid):
        raise ShapeError(f"{where}.id: expected an attachment id")
    filename = _opt_str(raw, "filename", where) or ""
    size = raw.get("size", 0)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ShapeError(f"{where}.size: expected a size in bytes")
    created = raw.get("created")
    parse_time(created, f"{where}.created")
    return (Attachment(id=aid, filename=filename,
                       mime_type=_opt_str(raw, "mimeType", where) or "",
                       size=size, created=str(created)),
            _opt_str(raw, "content", where))


def parse_remote_link(raw: Any, where: str) -> RemoteLink | None:
    data = _obj(raw, where)
    obj = _obj(data.get("object") or {}, f"{where}.object")
    url = _opt_str(obj, "url", f"{where}.object")
    if not url or not re.match(r"^https?://\S+$", url):
        return None  # only web links can be listed as references
    title = _opt_str(obj, "title", f"{where}.object") or ""
    return RemoteLink(url=url, title=" ".join(title.split()))


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ShapeError(f"{where}: expected an object, got {_kind(value)}")
    return value


def _list_of(value: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ShapeError(f"{where}: expected a list, got {_kind(value)}")
    return [_obj(item, f"{where}[{i}]") for i, item in enumerate(value)]


def _count(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ShapeError(f"{where}: expected a number, got {_kind(value)}")
    return value


def _opt_str(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ShapeError(f"{where}.{key}: expected text, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "an object", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)
