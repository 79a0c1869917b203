"""Patchwork's REST API: one project's people, series, patches, events and comments.

The payloads become model objects in `patchwork_json`; this module owns the HTTP:
paging by `Link` headers, the deadline, and the errors that name the fix.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from reporter.errors import SourceError
from reporter.model.patches import ReviewTag, StateChange
from reporter.sources.patch_http import Deadline, bind_deadline
from reporter.sources.patchwork_json import (
    PatchInfo,
    Person,
    SeriesInfo,
    clean_subject,
    comment_tags,
    event_patch,
    parse_date,
    patch_info,
    patch_number,
    person,
    series_info,
    state_change,
    strip_msgid,
)

if TYPE_CHECKING:
    import requests

    from reporter.config import PatchworkConfig

__all__ = ["PatchInfo", "PatchworkClient", "Person", "SeriesInfo", "clean_subject",
           "merge_people_keys", "parse_date", "patch_number", "strip_msgid"]

log = logging.getLogger(__name__)

PER_PAGE = 100  # well under Patchwork's largest page (MAX_REST_RESULTS_PER_PAGE, 250 in 3.2)
EVENT_MARGIN = dt.timedelta(days=1)  # asked beyond the week, then filtered exactly
_IDS_PER_QUERY = 50  # `patch=1&patch=2...` values in one events query


class _Forbidden(Exception):
    """HTTP 403: the endpoint needs a token (people, users on current servers)."""


class _Missing(Exception):
    """HTTP 404 where the caller names what is missing."""


class NotFound(SourceError):
    """HTTP 404: no such endpoint, project or object."""


class PatchworkClient:
    """Reads one project of one Patchwork server, page by page, within the pull's deadline."""

    def __init__(self, config: PatchworkConfig, session: requests.Session, *,
                 timeout_s: float, deadline: Deadline, max_pages: int) -> None:
        self.base = config.url.rstrip("/")
        self.api = f"{self.base}/api/{config.api_version}"
        self.project = config.project
        self.zone = ZoneInfo(config.timezone)
        self.session = session
        self.timeout_s = timeout_s
        self.deadline = deadline
        self.max_pages = max_pages
        self.requests_sent = 0
        bind_deadline(session, deadline, "patchwork", self.base)  # no read outlives it

    # -- the public reads -------------------------------------------------

    def check_project(self) -> None:
        """`/api/projects/NAME/`: a project the server does not have is a SourceError.

        List filters cannot tell: Patchwork answers 200 `[]` to any filter value it
        cannot use (patchwork/api/filters.py turns the ValidationError into `none()`).
        """
        url = f"{self.api}/projects/{self.project}/"
        try:
            self._get(url, None, missing_ok=True)
        except _Forbidden:
            return  # not a missing project: the reads that follow say what is wrong
        except _Missing:
            names = self._project_names()  # a SourceError here: not a Patchwork API at all
            known = f"; it has {', '.join(names)}" if names else ""
            raise SourceError(
                f"patchwork: {self.base} has no project {self.project!r}{known}",
                hint="set patches.patchwork.project to the project's link name, as in "
                f"{self.base}/project/NAME/list/",
            ) from None

    def _project_names(self) -> list[str]:
        try:
            page = self._get_json(f"{self.api}/projects/", {"per_page": PER_PAGE})
        except _Forbidden:
            return []
        names = [str(p.get("link_name") or "") for p in page if isinstance(p, dict)] \
            if isinstance(page, list) else []
        return sorted(n for n in names if n)[:20]

    def people(self, email: str) -> tuple[Person, ...] | None:
        """Every person that is `email`, or shares its user account; None when forbidden."""
        try:
            found = [person(p) for p in self._list("people", {"q": email})]
        except _Forbidden:
            log.info("patchwork: /people/ needs a token here; filtering by e-mail only")
            return None
        mine = [p for p in found if p.email.lower() == email.lower()]
        users = {p.user_id for p in mine if p.user_id is not None}
        names = sorted({p.name for p in mine if p.name and users})
        for name in names:
            try:
                more = [person(p) for p in self._list("people", {"q": name})]
            except _Forbidden:
                break
            mine.extend(p for p in more if p.user_id in users)
        unique = {p.id: p for p in mine}
        return tuple(unique[i] for i in sorted(unique))

    def series(self, submitter: str | int, since: dt.datetime | None,
               before: dt.datetime | None = None) -> list[SeriesInfo]:
        """The submitter's series submitted in [since, before) (either bound optional)."""
        params = self._filters(submitter, since, before)
        return [series_info(s) for s in self._list("series", params)]

    def patches(self, submitter: str | int, since: dt.datetime | None,
                before: dt.datetime | None = None) -> list[PatchInfo]:
        """The submitter's patches in every state, archived ones included."""
        params = self._filters(submitter, since, before)
        return [patch_info(p) for p in self._list("patches", params)]

    def has_patches(self, submitter: str) -> bool:
        """Whether the project holds any patch from this address (one small request)."""
        page = self._list("patches", {"project": self.project, "submitter": submitter},
                          per_page=1, first_page_only=True)
        return bool(page)

    def _filters(self, submitter: str | int, since: dt.datetime | None,
                 before: dt.datetime | None) -> dict[str, Any]:
        params: dict[str, Any] = {"project": self.project, "submitter": submitter}
        if since is not None:
            params["since"] = _iso_param(since, dt.UTC)
        if before is not None:
            params["before"] = _iso_param(before, dt.UTC)
        return params

    def series_detail(self, series_id: int) -> SeriesInfo:
        return series_info(self._get_json(f"{self.api}/series/{series_id}/", None))

    def patch_detail(self, patch_id: int) -> PatchInfo | None:
        """One patch, with its submitter; None when the server no longer has it."""
        url = f"{self.api}/patches/{patch_id}/"
        try:
            data = _json(self._get(url, None, missing_ok=True), url)
        except _Missing:
            log.info("patchwork: patch %d is gone (HTTP 404)", patch_id)
            return None
        if not isinstance(data, dict):
            raise SourceError(f"patchwork: patch {patch_id} is not a JSON object")
        return patch_info(data)

    def series_patches(self, series_id: int) -> list[PatchInfo]:
        """Every patch of one series, with its state (`/patches/?series=ID`)."""
        params = {"project": self.project, "series": series_id}
        return [patch_info(p) for p in self._list("patches", params)]

    def state_changes(self, since: dt.datetime, before: dt.datetime
                      ) -> list[tuple[StateChange, str]]:
        """The project's `patch-state-changed` events in [since, before), each with the
        message-id of its patch.

        Event dates are the server's local time: the query asks in that time with a
        margin of EVENT_MARGIN each side, and the converted dates are then filtered.
        """
        params = {"project": self.project, "category": "patch-state-changed",
                  "since": _iso_param(since - EVENT_MARGIN, self.zone),
                  "before": _iso_param(before + EVENT_MARGIN, self.zone)}
        out = []
        for item in self._list("events", params):
            change = state_change(item, self.zone)
            named = event_patch(item)
            if change is None or named is None:
                continue
            if since <= dt.datetime.fromisoformat(change.date) < before:
                out.append((change, named.msgid))
        return out

    def patch_events(self, patch_ids: Iterable[int]) -> list[StateChange]:
        """Every `patch-state-changed` event of these patches, whenever it happened."""
        ids = sorted(set(patch_ids))
        out: list[StateChange] = []
        for start in range(0, len(ids), _IDS_PER_QUERY):
            params = {"category": "patch-state-changed", "patch": ids[start:start +
                                                                       _IDS_PER_QUERY]}
            out.extend(c for item in self._list("events", params)
                       if (c := state_change(item, self.zone)) is not None)
        return out

    def patch_tags(self, patch_id: int, msgid: str, mine: Sequence[str]) -> list[ReviewTag]:
        """The review tags of one patch's comments (`/patches/ID/comments/`)."""
        return comment_tags(self._list(f"patches/{patch_id}/comments", {}), msgid, mine)

    def cover_tags(self, cover_id: int, msgid: str, mine: Sequence[str]) -> list[ReviewTag]:
        """The review tags of a cover letter's comments: for the whole series."""
        return comment_tags(self._list(f"covers/{cover_id}/comments", {}), msgid, mine)

    def read(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The JSON of one GET of `<api>/<path>` (for `reporter doctor`); NotFound on 404."""
        return self._get_json(f"{self.api}/{path}", params)

    # -- paging and errors ------------------------------------------------

    def _list(self, endpoint: str, params: Mapping[str, Any], *, per_page: int = PER_PAGE,
              first_page_only: bool = False) -> list[dict[str, Any]]:
        """Every item of a list endpoint, following `Link: <...>; rel="next"`."""
        import requests

        url: str | None = f"{self.api}/{endpoint}/"
        query: dict[str, Any] | None = {**params, "per_page": per_page}
        seen: set[str] = set()
        items: list[dict[str, Any]] = []
        while url is not None:
            full = requests.Request("GET", url, params=query).prepare().url or url
            if _page_key(full) in seen:
                raise SourceError(
                    f"patchwork: the Link header sent the reader back to {full}, a page "
                    f"already read, while listing {endpoint}",
                    hint="the server's paging is broken; try again later or report it to "
                    "the Patchwork admins",
                )
            seen.add(_page_key(full))
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
            url = None if first_page_only else response.links.get("next", {}).get("url")
            if url is not None and not _same_site(url, self.base):
                raise SourceError(
                    f"patchwork: the next page of {endpoint} points to another site: {url}",
                    hint="check patches.patchwork.url (it must be the server's public URL)",
                )
            query = None
        return items

    def _get_json(self, url: str, params: Mapping[str, Any] | None) -> Any:
        return _json(self._get(url, params), url)

    def _get(self, url: str, params: Mapping[str, Any] | None, *,
             missing_ok: bool = False) -> requests.Response:
        import requests

        self.deadline.check("patchwork", f"reading {url}")
        self.requests_sent += 1
        try:
            response = self.session.get(
                url, params=params, timeout=self.deadline.timeout(self.timeout_s),
                headers={"Accept": "application/json"},
            )
        except requests.Timeout as exc:
            raise SourceError(
                f"patchwork: timed out: no answer from {_site(url)} within {self.timeout_s:g} s",
                hint="raise patches.timeout_s, or try again later",
            ) from exc
        except requests.RequestException as exc:
            raise SourceError(
                f"patchwork: cannot reach {_site(url)}: {_reason(exc)}",
                hint="check patches.patchwork.url and the network connection",
            ) from exc
        if response.status_code == 403:
            raise _Forbidden(url)
        if response.status_code == 404 and missing_ok:
            raise _Missing(url)
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


def _json(response: requests.Response, url: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise SourceError(
            f"patchwork: the answer from {url} is not JSON",
            hint="check patches.patchwork.url (it must be the server's root, not a web page)",
        ) from None


def _iso_param(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """A naive timestamp in `zone`: UTC for patches and series, the server's for events."""
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")


def _page_key(url: str) -> str:
    """A list page's URL with its query sorted and `page=1` spelt out: the first page asked
    without `page` and the `first` link that names it are the same page."""
    from urllib.parse import parse_qsl, urlencode

    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k == "page" for k, _ in pairs):
        pairs.append(("page", "1"))
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(sorted(pairs))}"


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
    for found in people or ():
        if found.email != email.lower():
            keys.append(found.id)
    return tuple(keys)
