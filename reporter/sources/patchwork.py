"""Patchwork's REST API: the only code that knows its JSON (people, series, patches, events)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from reporter.errors import SourceError
from reporter.model.patches import Patch, StateChange
from reporter.sources.patch_http import Deadline

if TYPE_CHECKING:
    import requests

    from reporter.config import PatchworkConfig

log = logging.getLogger(__name__)

PER_PAGE = 100  # Patchwork's largest page (MAX_REST_RESULTS_PER_PAGE)
_NUMBER_RE = re.compile(r"^\[[^\]]*?(\d+)/(\d+)[^\]]*\]")
_PREFIX_RE = re.compile(r"^(\s*\[[^\]]*\]\s*)+")


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
    web_url: str
    cover_msgid: str | None
    patch_ids: tuple[int, ...]
    submitter_email: str


@dataclass(frozen=True)
class PatchInfo:
    """A patch and the series it belongs to."""

    patch: Patch
    series_ids: tuple[int, ...]
    submitter_email: str


class _Forbidden(Exception):
    """HTTP 403: the endpoint needs a token (people, users on current servers)."""


class NotFound(SourceError):
    """HTTP 404: no such endpoint, project or object."""


class PatchworkClient:
    """Reads one project of one Patchwork server, page by page, within the pull's deadline."""

    def __init__(self, config: PatchworkConfig, session: requests.Session, *,
                 timeout_s: float, deadline: Deadline, max_pages: int) -> None:
        self.base = config.url.rstrip("/")
        self.api = f"{self.base}/api/{config.api_version}"
        self.project = config.project
        self.session = session
        self.timeout_s = timeout_s
        self.deadline = deadline
        self.max_pages = max_pages

    # -- the public reads -------------------------------------------------

    def people(self, email: str) -> tuple[Person, ...] | None:
        """Every person that is `email`, or shares its user account; None when forbidden."""
        try:
            found = [_person(p) for p in self._list("people", {"q": email})]
        except _Forbidden:
            log.info("patchwork: /people/ needs a token here; filtering by e-mail only")
            return None
        mine = [p for p in found if p.email.lower() == email.lower()]
        users = {p.user_id for p in mine if p.user_id is not None}
        names = sorted({p.name for p in mine if p.name and users})
        for name in names:
            try:
                more = [_person(p) for p in self._list("people", {"q": name})]
            except _Forbidden:
                break
            mine.extend(p for p in more if p.user_id in users)
        unique = {p.id: p for p in mine}
        return tuple(unique[i] for i in sorted(unique))

    def series(self, submitter: str | int, since: dt.datetime | None,
               before: dt.datetime | None = None) -> list[SeriesInfo]:
        """The submitter's series submitted in [since, before) (either bound optional)."""
        params = self._filters(submitter, since, before)
        return [_series(s) for s in self._list("series", params)]

    def patches(self, submitter: str | int, since: dt.datetime | None,
                before: dt.datetime | None = None) -> list[PatchInfo]:
        """The submitter's patches in every state, archived ones included."""
        params = self._filters(submitter, since, before)
        return [_patch(p) for p in self._list("patches", params)]

    def _filters(self, submitter: str | int, since: dt.datetime | None,
                 before: dt.datetime | None) -> dict[str, Any]:
        params: dict[str, Any] = {"project": self.project, "submitter": submitter}
        if since is not None:
            params["since"] = _iso_param(since)
        if before is not None:
            params["before"] = _iso_param(before)
        return params

    def series_detail(self, series_id: int) -> SeriesInfo:
        return _series(self._get_json(f"{self.api}/series/{series_id}/", None))

    def state_changes(self, since: dt.datetime, before: dt.datetime) -> list[StateChange]:
        """The project's `patch-state-changed` events dated in [since, before)."""
        params = {"project": self.project, "category": "patch-state-changed",
                  "since": _iso_param(since), "before": _iso_param(before)}
        return [change for e in self._list("events", params)
                if (change := _state_change(e)) is not None]

    def read(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The JSON of one GET of `<api>/<path>` (for `reporter doctor`); NotFound on 404."""
        return self._get_json(f"{self.api}/{path}", params)

    # -- paging and errors ------------------------------------------------

    def _list(self, endpoint: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every item of a list endpoint, following `Link: <...>; rel="next"`."""
        import requests

        url: str | None = f"{self.api}/{endpoint}/"
        query: dict[str, Any] | None = {**params, "per_page": PER_PAGE}
        seen: set[str] = set()
        items: list[dict[str, Any]] = []
        while url is not None:
            full = requests.Request("GET", url, params=query).prepare().url or url
            if full in seen:
                raise SourceError(
                    f"patchwork: the Link header sent the reader back to {full}, a page "
                    f"already read, while listing {endpoint}",
                    hint="the server's paging is broken; try again later or report it to "
                    "the Patchwork admins",
                )
            seen.add(full)
            if len(seen) > self.max_pages:
                raise SourceError(
                    f"patchwork: more than {self.max_pages} pages of {endpoint} for "
                    f"{self.project}",
                    hint="raise patches.max_pages in the configuration, or check that the "
                    "submitter filter works on this server",
                )
            response = self._get(full, None)
            page = _json(response, full)
            if not isinstance(page, list):
                raise SourceError(
                    f"patchwork: {full} answered a JSON {type(page).__name__}, not a list",
                    hint="check patches.patchwork.url and api_version (1.1 or newer)",
                )
            items.extend(p for p in page if isinstance(p, dict))
            url = response.links.get("next", {}).get("url")
            if url is not None and not _same_site(url, self.base):
                raise SourceError(
                    f"patchwork: the next page of {endpoint} points to another site: {url}",
                    hint="check patches.patchwork.url (it must be the server's public URL)",
                )
            query = None
        return items

    def _get_json(self, url: str, params: Mapping[str, Any] | None) -> Any:
        return _json(self._get(url, params), url)

    def _get(self, url: str, params: Mapping[str, Any] | None) -> requests.Response:
        import requests

        self.deadline.check("patchwork", f"reading {url}")
        try:
            response = self.session.get(
                url, params=params, timeout=self.deadline.timeout(self.timeout_s),
                headers={"Accept": "application/json"},
            )
        except requests.Timeout as exc:
            raise SourceError(
                f"patchwork: no answer from {_site(url)} within {self.timeout_s:g} s",
                hint="raise patches.timeout_s, or try again later",
            ) from exc
        except requests.RequestException as exc:
            raise SourceError(
                f"patchwork: cannot reach {_site(url)}: {_reason(exc)}",
                hint="check patches.patchwork.url and the network connection",
            ) from exc
        if response.status_code == 403:
            raise _Forbidden(url)
        if response.status_code == 404:
            raise NotFound(
                f"patchwork: HTTP 404 from {url}",
                hint="check patches.patchwork.url, project and api_version",
            )
        if response.status_code == 400:
            raise SourceError(
                f"patchwork: HTTP 400 from {url}: {response.text.strip()[:200]}",
                hint="check patches.submitter (Patchwork must know the address) and "
                "patches.patchwork.project",
            )
        if response.status_code >= 400:
            raise SourceError(
                f"patchwork: HTTP {response.status_code} from {url}",
                hint="the server is failing; try again later (send --allow-stale uses the "
                "last snapshot)",
            )
        return response


# -- payload -> model (the only place that knows Patchwork's field names) ----


def parse_date(value: Any) -> str:
    """Patchwork's naive UTC timestamps as aware ISO 8601 strings."""
    if not isinstance(value, str):
        raise SourceError(f"patchwork: a date is missing or not text: {value!r}")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SourceError(f"patchwork: not a date: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
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


def _person(data: dict[str, Any]) -> Person:
    user = data.get("user")
    return Person(
        id=_int(data, "id"),
        name=str(data.get("name") or ""),
        email=str(data.get("email") or "").lower(),
        user_id=_int(user, "id") if isinstance(user, dict) else None,
    )


def _series(data: Any) -> SeriesInfo:
    if not isinstance(data, dict):
        raise SourceError(f"patchwork: a series is not a JSON object: {data!r:.80}")
    cover = data.get("cover_letter")
    patches = data.get("patches") or []
    submitter = data.get("submitter") or {}
    return SeriesInfo(
        id=_int(data, "id"),
        name=str(data.get("name") or ""),
        version=int(data.get("version") or 1),
        total=int(data.get("total") or len(patches) or 1),
        received=int(data.get("received_total") or len(patches)),
        date=parse_date(data.get("date")),
        web_url=str(data.get("web_url") or data.get("url") or ""),
        cover_msgid=strip_msgid(cover.get("msgid")) if isinstance(cover, dict) else None,
        patch_ids=tuple(_int(p, "id") for p in patches if isinstance(p, dict)),
        submitter_email=str(submitter.get("email") or "").lower()
        if isinstance(submitter, dict) else "",
    )


def _patch(data: dict[str, Any]) -> PatchInfo:
    name = str(data.get("name") or "")
    number = patch_number(name)
    raw_tags = data.get("tags")
    tags: Mapping[str, Any] = raw_tags if isinstance(raw_tags, dict) else {}
    series = data.get("series") or []
    submitter = data.get("submitter") or {}
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
        reviewed=_count(tags, "R", "Reviewed-by"),
        acked=_count(tags, "A", "Acked-by"),
        tested=_count(tags, "T", "Tested-by"),
    )
    return PatchInfo(
        patch=patch,
        series_ids=tuple(_int(s, "id") for s in series if isinstance(s, dict)),
        submitter_email=str(submitter.get("email") or "").lower()
        if isinstance(submitter, dict) else "",
    )


def _state_change(data: dict[str, Any]) -> StateChange | None:
    raw = data.get("payload")
    payload: dict[str, Any] = raw if isinstance(raw, dict) else data
    patch = payload.get("patch")
    if not isinstance(patch, dict) or "id" not in patch:
        return None
    actor = data.get("actor")
    return StateChange(
        patch_id=_int(patch, "id"),
        date=parse_date(data.get("date")),
        previous=str(payload.get("previous_state") or ""),
        current=str(payload.get("current_state") or ""),
        actor=str(actor.get("username")) if isinstance(actor, dict) and actor.get("username")
        else None,
    )


def _int(data: Any, key: str) -> int:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SourceError(f"patchwork: {key!r} is missing or not a number in {data!r:.120}")
    return value


def _count(tags: Mapping[str, Any], *keys: str) -> int:
    for key in keys:
        value = tags.get(key)
        if value is None:
            continue
        try:
            return int(value)
        except (TypeError, ValueError):
            continue
    return 0


def _json(response: requests.Response, url: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise SourceError(
            f"patchwork: the answer from {url} is not JSON",
            hint="check patches.patchwork.url (it must be the server's root, not a web page)",
        ) from None


def _iso_param(moment: dt.datetime) -> str:
    """Patchwork compares naive timestamps in UTC."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _same_site(url: str, base: str) -> bool:
    return _site(url) == _site(base)


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out",
                   "No route to host", "Temporary failure in name resolution"):
        if marker in text:
            return marker
    return type(exc).__name__


def merge_people_keys(email: str, people: Iterable[Person] | None) -> tuple[str | int, ...]:
    """The submitter filters to query: the e-mail, then every other person id found."""
    keys: list[str | int] = [email]
    for person in people or ():
        if person.email != email.lower():
            keys.append(person.id)
    return tuple(keys)
