"""A local Patchwork REST server (API 1.3) on 127.0.0.1 that answers as Patchwork 3.2.1 does.

What it copies from the real server (tests/fixtures/patches/README.md says where each
fact was seen): event `date`s are naive server-local times (`TIME_ZONE`, by default
Australia/Canberra) and `since`/`before` on events compare them; patch and series dates
are naive UTC; `tags` is always `{}`; a filter value it cannot use (an unknown project
or submitter, one unknown value among several, a bad date) answers 200 `[]`;
`/projects/NAME/` answers 404 for a project it does not have; `/people/` answers 403
without a token; lists carry `Link` headers with `next`/`prev`/`first`/`last`, their
query keys sorted and `page` always given; events come newest first.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.servers.loopback import LoopbackHTTPServer


@dataclass
class PatchworkData:
    """The server's database: lists of API objects in the real JSON shapes."""

    project: str = "uboot"
    project_id: int = 1
    timezone: str = "Australia/Canberra"  # the server's TIME_ZONE: event dates are in it
    people: list[dict[str, Any]] = field(default_factory=list)
    patches: list[dict[str, Any]] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # patch id ->
    cover_comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Behaviour:
    """Switches for the failure tests."""

    page_size: int = 2  # small, so that lists take several pages
    people_forbidden: bool = True  # /people/ answers 403 to anonymous readers (3.2.1)
    loop_endpoint: str | None = None  # this list's "next" link points back to page 1
    endless_endpoint: str | None = None  # this list always has a next page
    status: int | None = None  # every request answers this status
    retry_after: str | None = None  # ... with this Retry-After header
    not_json: bool = False
    # An address no person has answers 400 with the submitter filter's message. No
    # release does this (2.x and 3.x turn the ValidationError into an empty list, as
    # recorded from 3.2.1); the doctor's tests use it for its 400 branch.
    strict_submitter: bool = False


class PatchworkServer(LoopbackHTTPServer):
    """`with PatchworkServer(data) as pw:` serves `pw.url`; `pw.requests` logs the paths."""

    def __init__(self, data: PatchworkData, behaviour: Behaviour | None = None) -> None:
        self.data = data
        self.behaviour = behaviour or Behaviour()
        self.requests: list[str] = []
        super().__init__(_Handler)

    def count(self, prefix: str) -> int:
        """How many requests went to paths starting with `prefix` (after /api/1.3)."""
        return sum(1 for r in self.requests if r.startswith(f"/api/1.3{prefix}"))


class _Handler(BaseHTTPRequestHandler):
    server_state: PatchworkServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        state = self.server_state
        state.requests.append(self.path)
        behaviour = state.behaviour
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if behaviour.status is not None:
            extra = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else None
            self._send(behaviour.status, {"detail": "Server Error."}, extra)
            return
        segments = [s for s in parts.path.split("/") if s]
        if segments == ["api", "1.3"]:
            self._send(200, {name: f"{state.url}/api/1.3/{name}/" for name in (
                "bundles", "covers", "events", "patches", "people", "projects", "series",
                "users")})
            return
        if len(segments) < 3 or segments[:2] != ["api", "1.3"]:
            self._send(404, {"detail": "Not found."})
            return
        endpoint = segments[2]
        if endpoint == "projects" and len(segments) == 4:
            self._detail(endpoint, segments[3])
            return
        if behaviour.not_json:
            self._raw(200, b"<html><body>Patchwork</body></html>", "text/html")
            return
        if endpoint == "people" and behaviour.people_forbidden:
            self._send(403, {"detail": "Authentication credentials were not provided."})
            return
        rest = segments[3:]
        if endpoint in ("patches", "covers") and len(rest) == 2 and rest[1] == "comments":
            self._comments(endpoint, rest[0], query, parts.path)
            return
        if len(rest) == 1:
            self._detail(endpoint, rest[0])
            return
        unknown = self._unknown_submitter(query)
        if unknown is not None:
            self._send(400, {"submitter": [f'"{unknown}" is not a valid value.']})
            return
        items = self._filtered(endpoint, query)
        if items is None:
            self._send(404, {"detail": "Not found."})
            return
        self._page(endpoint, items, query, parts.path)

    def _detail(self, endpoint: str, key: str) -> None:
        data = self.server_state.data
        if endpoint == "projects":
            if key in (data.project, str(data.project_id)):
                self._send(200, _project(data, self.server_state.url))
            else:
                self._send(404, {"detail": "No Project matches the given query."})
            return
        items = {"series": data.series, "patches": data.patches}.get(endpoint)
        found = [i for i in items or [] if str(i["id"]) == key]
        if found and endpoint == "patches":  # PatchDetailSerializer adds these
            self._send(200, {**_shown(found[0]), "content": "", "diff": "", "headers": {},
                             "prefixes": []})
        elif found:
            self._send(200, _shown(found[0]))
        else:
            model = {"series": "Series", "patches": "Patch"}.get(endpoint, "object")
            self._send(404, {"detail": f"No {model} matches the given query."})

    def _comments(self, endpoint: str, key: str, query: dict[str, list[str]], path: str
                  ) -> None:
        data = self.server_state.data
        if endpoint == "patches":
            known = {str(p["id"]) for p in data.patches}
            table = data.comments
        else:
            known = {str(s["cover_letter"]["id"]) for s in data.series if s["cover_letter"]}
            table = data.cover_comments
        if key not in known:
            model = "Patch" if endpoint == "patches" else "Cover"
            self._send(404, {"detail": f"No {model} matches the given query."})
            return
        self._page("comments", list(table.get(int(key), [])), query, path)

    # -- filters as Patchwork applies them ------------------------------------

    def _unknown_submitter(self, query: dict[str, list[str]]) -> str | None:
        state = self.server_state
        if not state.behaviour.strict_submitter:
            return None
        known = {str(p["id"]) for p in state.data.people} | {
            p["email"].lower() for p in state.data.people}
        unknown = [s for s in query.get("submitter", []) if s.lower() not in known]
        return unknown[0] if unknown else None

    def _filtered(self, endpoint: str, query: dict[str, list[str]]) -> list[dict[str, Any]] | None:
        data = self.server_state.data
        if endpoint == "people":
            term = (query.get("q") or [""])[0].lower()
            return [p for p in data.people
                    if term in p["name"].lower() or term in p["email"].lower()]
        if endpoint == "projects":
            return [_project(data, self.server_state.url)]
        if endpoint not in ("patches", "series", "events"):
            return None
        items = list(getattr(data, endpoint))
        try:
            items = self._apply(endpoint, items, query)
        except _Unusable:
            return []  # DjangoFilterBackend: a ValidationError becomes queryset.none()
        if endpoint == "events":
            items.sort(key=lambda i: i["date"], reverse=True)  # Patchwork orders by -date
        else:
            items.sort(key=lambda i: i["id"])
        return items

    def _apply(self, endpoint: str, items: list[dict[str, Any]], query: dict[str, list[str]]
               ) -> list[dict[str, Any]]:
        data = self.server_state.data
        if "project" in query:
            if any(v not in (data.project, str(data.project_id)) for v in query["project"]):
                raise _Unusable
        if "submitter" in query:
            wanted = {self._person_key(v) for v in query["submitter"]}
            items = [i for i in items if i["submitter"]["id"] in wanted]
        if "series" in query:
            ids = {int(v) for v in query["series"] if v.isdigit()}
            if len(ids) != len(query["series"]) or not ids <= {s["id"] for s in data.series}:
                raise _Unusable
            if endpoint == "events":
                items = [i for i in items if (i.get("series") or {}).get("id") in ids]
            else:
                items = [i for i in items if any(s["id"] in ids for s in i["series"])]
        if "patch" in query and endpoint == "events":
            ids = {int(v) for v in query["patch"] if v.isdigit()}
            if len(ids) != len(query["patch"]) or not ids <= {p["id"] for p in data.patches}:
                raise _Unusable
            items = [i for i in items if (i["payload"].get("patch") or {}).get("id") in ids]
        if "msgid" in query and endpoint == "patches":
            items = [i for i in items if i["msgid"] == f"<{query['msgid'][0]}>"]
        if "category" in query:
            items = [i for i in items if i["category"] in query["category"]]
        if "state" in query:
            items = [i for i in items if i["state"] in query["state"]]
        if "archived" in query:
            flag = query["archived"][0] == "true"
            items = [i for i in items if i["archived"] == flag]
        if "since" in query:
            since = _naive(query["since"][0])
            items = [i for i in items if _naive(i["date"]) >= since]
        if "before" in query:
            before = _naive(query["before"][0])
            items = [i for i in items if _naive(i["date"]) < before]
        return items

    def _person_key(self, value: str) -> int:
        """A submitter filter value as Patchwork's PersonFilter reads it: an id, else an
        e-mail (case-insensitive); one it does not know makes the whole filter unusable."""
        data = self.server_state.data
        people = {p["id"]: p["email"] for p in data.people}
        for item in (*data.patches, *data.series):
            people.setdefault(item["submitter"]["id"], item["submitter"]["email"])
        if value.isdigit() and int(value) in people:
            return int(value)
        for pid, email in people.items():
            if email.lower() == value.lower():
                return pid
        raise _Unusable

    def _page(self, endpoint: str, items: list[dict[str, Any]], query: dict[str, list[str]],
              path: str) -> None:
        behaviour = self.server_state.behaviour
        size = min(int((query.get("per_page") or [behaviour.page_size])[0]), behaviour.page_size)
        page = int((query.get("page") or ["1"])[0])
        last = max(1, -(-len(items) // size))
        chunk = [_shown(i) for i in items[(page - 1) * size:page * size]]

        def link(number: int) -> str:
            # As DRF's replace_query_param writes it: keys sorted, page always given.
            params = {k: v for k, v in query.items() if k != "page"}
            params["page"] = [str(number)]
            pairs = [(k, x) for k in sorted(params) for x in params[k]]
            return f"{self.server_state.url}{path}?{urlencode(pairs)}"

        links = []
        if endpoint == behaviour.loop_endpoint:
            links.append(f'<{link(1)}>; rel="next"')
        elif endpoint == behaviour.endless_endpoint:
            links.append(f'<{link(page + 1)}>; rel="next"')
        elif page < last:
            links.append(f'<{link(page + 1)}>; rel="next"')
        if page > 1:
            links.append(f'<{link(page - 1)}>; rel="prev"')
        links.append(f'<{link(1)}>; rel="first"')
        links.append(f'<{link(last)}>; rel="last"')
        self._send(200, chunk, {"Link": ", ".join(links)})

    # -- output -----------------------------------------------------------

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._raw(status, json.dumps(body).encode(), "application/json", headers)

    def _raw(self, status: int, body: bytes, content_type: str,
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Allow", "GET, HEAD, OPTIONS")
        self.send_header("Vary", "Accept, Cookie")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _Unusable(Exception):
    """A filter value Patchwork cannot use: the list is empty, still 200."""


def _shown(item: dict[str, Any]) -> dict[str, Any]:
    """An object as the server sends it: `tags` empty, as PatchSerializer.get_tags returns."""
    if "tags" not in item:
        return item
    out = copy.deepcopy(item)
    out["tags"] = {}
    return out


def _project(data: PatchworkData, url: str) -> dict[str, Any]:
    """A project as /api/1.3/projects/<id>/ shows it (recorded: patchwork-3.2.1/project.json)."""
    base = f"{url}/api/1.3"
    return {"id": data.project_id, "url": f"{base}/projects/{data.project_id}/",
            "name": "U-Boot", "link_name": data.project, "list_id": "u-boot.lists.denx.de",
            "list_email": "u-boot@lists.denx.de", "web_url": "", "scm_url": "",
            "webscm_url": "", "maintainers": [], "subject_match": "",
            "list_archive_url": "", "list_archive_url_format": "", "commit_url_format": ""}


def _naive(text: str) -> dt.datetime:
    """A filter or stored date as Patchwork compares them: naive (USE_TZ = False)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _Unusable from None
    return moment.replace(tzinfo=None) if moment.tzinfo is None else \
        moment.astimezone(dt.UTC).replace(tzinfo=None)


def local_naive(utc_text: str, zone: str) -> str:
    """A naive UTC time as a server in `zone` stores an event's date: naive local."""
    from zoneinfo import ZoneInfo

    moment = dt.datetime.fromisoformat(utc_text).replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None).isoformat()
