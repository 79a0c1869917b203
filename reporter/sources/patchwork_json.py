"""Patchwork's JSON to model objects: the only code that knows its field names.

Dates: a patch's, a series' and a comment's `date` is the mail's Date header in naive
UTC (`find_date` in patchwork/parser.py), while an event's `date` is the server's
local time, naive (`tz_utils.now` with `USE_TZ = False` and `TIME_ZONE`, by default
`Australia/Canberra`, in patchwork/settings/base.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from reporter.errors import SourceError
from reporter.model.patches import TAG_KINDS, Patch, ReviewTag, StateChange

_NUMBER_RE = re.compile(r"^\[[^\]]*?(\d+)/(\d+)[^\]]*\]")
_PREFIX_RE = re.compile(r"^(\s*\[[^\]]*\]\s*)+")
# A trailer on its own line; quoted lines start with ">" and never match.
_TRAILER_RE = re.compile(r"^[ \t]*(reviewed|acked|tested)-by:[ \t]*(\S.*?)[ \t]*$",
                         re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Person:
    """A Patchwork person: one e-mail address, maybe linked to a user account."""

    id: int
    name: str
    email: str
    user_id: int | None


@dataclass(frozen=True)
class SeriesInfo:
    """A series as Patchwork lists it, before the archive and git are consulted."""

    id: int
    name: str
    version: int
    total: int
    received: int
    date: str
    web_url: str  # the project's patch list for the series, every state and archived too
    cover_msgid: str | None
    patch_ids: tuple[int, ...]
    submitter_email: str
    cover_id: int | None = None


@dataclass(frozen=True)
class PatchInfo:
    """A patch and the series it belongs to."""

    patch: Patch
    series_ids: tuple[int, ...]
    submitter_email: str


@dataclass(frozen=True)
class EventPatch:
    """The patch a `patch-state-changed` event names (the event embeds no submitter)."""

    id: int
    msgid: str


def parse_date(value: Any) -> str:
    """Patchwork's naive UTC timestamps (patches, series, comments) as aware ISO 8601."""
    return _moment(value, dt.UTC)


def parse_local_date(value: Any, zone: ZoneInfo) -> str:
    """An event's naive server-local timestamp as aware ISO 8601 in UTC."""
    return _moment(value, zone)


def _moment(value: Any, zone: dt.tzinfo) -> str:
    if not isinstance(value, str):
        raise SourceError(f"patchwork: a date is missing or not text: {value!r}")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SourceError(f"patchwork: not a date: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC).isoformat()


def strip_msgid(value: Any) -> str:
    text = str(value or "").strip()
    return text[1:-1] if text.startswith("<") and text.endswith(">") else text


def clean_subject(name: str) -> str:
    """A subject without its leading bracketed prefixes: "[v2,1/3] cmd: x" -> "cmd: x"."""
    return _PREFIX_RE.sub("", name).strip()


def patch_number(name: str) -> tuple[int, int] | None:
    match = _NUMBER_RE.match(name.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def person(data: dict[str, Any]) -> Person:
    user = data.get("user")
    return Person(
        id=_int(data, "id"),
        name=str(data.get("name") or ""),
        email=str(data.get("email") or "").lower(),
        user_id=_int(user, "id") if isinstance(user, dict) else None,
    )


def series_info(data: Any) -> SeriesInfo:
    if not isinstance(data, dict):
        raise SourceError(f"patchwork: a series is not a JSON object: {data!r:.80}")
    cover = data.get("cover_letter")
    patches = data.get("patches") or []
    submitter = data.get("submitter") or {}
    return SeriesInfo(
        id=_int(data, "id"),
        name=str(data.get("name") or ""),
        version=_int(data, "version", 1),
        total=_int(data, "total", len(patches) or 1),
        received=_int(data, "received_total", len(patches)),
        date=parse_date(data.get("date")),
        web_url=every_state(str(data.get("web_url") or data.get("url") or "")),
        cover_msgid=strip_msgid(cover.get("msgid")) if isinstance(cover, dict) else None,
        patch_ids=tuple(_int(p, "id") for p in patches if isinstance(p, dict)),
        submitter_email=_email(submitter),
        cover_id=_int(cover, "id") if isinstance(cover, dict) else None,
    )


def every_state(list_url: str) -> str:
    """The series' patch list with every state and archived patches shown.

    The list view hides patches whose state is not "action required" (`state=*` lifts
    that) and archived ones (`archive=both`): patchwork/filters.py, StateFilter and
    ArchiveFilter. Without them an accepted series shows "No patches to display".
    """
    if "/list/?" not in list_url or "state=" in list_url:
        return list_url
    return f"{list_url}&state=*&archive=both"


def patch_info(data: dict[str, Any]) -> PatchInfo:
    name = str(data.get("name") or "")
    number = patch_number(name)
    series = data.get("series") or []
    patch = Patch(
        id=_int(data, "id"),
        msgid=strip_msgid(data.get("msgid")),
        name=name,
        date=parse_date(data.get("date")),
        state=str(data.get("state") or "new"),
        archived=bool(data.get("archived")),
        web_url=str(data.get("web_url") or data.get("url") or ""),
        number=number[0] if number else 1,
        commit_ref=data.get("commit_ref") or None,
        # `tags` is not read: PatchSerializer.get_tags returns {} in every release since
        # 2.0; the review tags come from the comments (`comment_tags`) or the archive.
    )
    return PatchInfo(
        patch=patch,
        series_ids=tuple(_int(s, "id") for s in series if isinstance(s, dict)),
        submitter_email=_email(data.get("submitter") or {}),
    )


def event_patch(data: dict[str, Any]) -> EventPatch | None:
    payload = data.get("payload")
    patch = payload.get("patch") if isinstance(payload, dict) else None
    if not isinstance(patch, dict) or "id" not in patch:
        return None
    return EventPatch(id=_int(patch, "id"), msgid=strip_msgid(patch.get("msgid")))


def state_change(data: dict[str, Any], zone: ZoneInfo) -> StateChange | None:
    raw = data.get("payload")
    payload: dict[str, Any] = raw if isinstance(raw, dict) else data
    patch = payload.get("patch")
    if not isinstance(patch, dict) or "id" not in patch:
        return None
    actor = data.get("actor")
    return StateChange(
        patch_id=_int(patch, "id"),
        date=parse_local_date(data.get("date"), zone),
        previous=str(payload.get("previous_state") or ""),
        current=str(payload.get("current_state") or ""),
        actor=str(actor.get("username")) if isinstance(actor, dict) and actor.get("username")
        else None,
    )


def comment_tags(comments: Iterable[Any], target_msgid: str, mine: Iterable[str]
                 ) -> list[ReviewTag]:
    """`Reviewed-by:`/`Acked-by:`/`Tested-by:` lines of a patch's or cover's comments.

    A comment by one of the submitter's addresses does not count (he acks his own
    replies), nor does a quoted line.
    """
    from reporter.sources.mbox import normalize_person

    own = {a.lower() for a in mine}
    tags = []
    for item in comments:
        if not isinstance(item, dict):
            raise SourceError(f"patchwork: a comment is not a JSON object: {item!r:.80}")
        if _email(item.get("submitter") or {}) in own:
            continue
        content = item.get("content")
        if not isinstance(content, str) or "-by:" not in content.lower():
            continue
        date = parse_date(item.get("date"))
        msgid = strip_msgid(item.get("msgid"))
        for match in _TRAILER_RE.finditer(content):
            kind = f"{match.group(1).lower().capitalize()}-by"
            name, email = normalize_person(match.group(2))
            if kind in TAG_KINDS and name:
                tags.append(ReviewTag(kind=kind, name=name, email=email,
                                      patch_msgid=target_msgid, date=date, msgid=msgid))
    return tags


def _email(submitter: Any) -> str:
    return str(submitter.get("email") or "").lower() if isinstance(submitter, dict) else ""


def _int(data: Any, key: str, default: int | None = None) -> int:
    value = data.get(key) if isinstance(data, dict) else None
    if default is not None and not value:  # optional (a series' version, total)
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise SourceError(f"patchwork: {key!r} is missing or not a number in {data!r:.120}")
    return value
