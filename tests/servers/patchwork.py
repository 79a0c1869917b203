"""A local Patchwork REST server (API 1.3 shapes) on 127.0.0.1 for the patch-status tests."""

from __future__ import annotations

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
    people: list[dict[str, Any]] = field(default_factory=list)
    patches: list[dict[str, Any]] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Behaviour:
    """Switches for the failure tests."""

    page_size: int = 2  # small, so that lists take several pages
    people_forbidden: bool = False  # /people/ answers 403, as on patchwork.ozlabs.org
    loop_endpoint: str | None = None  # this list's "next" link points back to page 1
    endless_endpoint: str | None = None  # this list always has a next page
    status: int | None = None  # every request answers this status
    not_json: bool = False
    # An address no person has answers 400, as Patchwork's submitter filter does
    # (patchwork/api/filters.py: "%(pk)s" is not a valid value).
    strict_submitter: bool = False


class PatchworkServer(LoopbackHTTPServer):
    """`with PatchworkServer(data) as pw:` serves `pw.url`; `pw.requests` logs the paths."""

    def __init__(self, data: PatchworkData, behaviour: Behaviour | None = None) -> None:
        self.data = data
        self.behaviour = behaviour or Behaviour()
        self.requests: list[str] = []
        super().__init__(_Handler)


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
            self._send(behaviour.status, {"detail": "Server Error."})
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
            if segments[3] in (state.data.project, "1"):
                self._send(200, _project(state.url, state.data.project))
            else:
                self._send(404, {"detail": "Not found."})
            return
        if behaviour.not_json:
            self._raw(200, b"<html><body>Patchwork</body></html>", "text/html")
            return
        if endpoint == "people" and behaviour.people_forbidden:
            self._send(403, {"detail": "Authentication credentials were not provided."})
            return
        if len(segments) == 4:
            items = {"series": state.data.series, "patches": state.data.patches}.get(endpoint)
            found = [i for i in items or [] if str(i["id"]) == segments[3]]
            if found:
                self._send(200, found[0])
            else:
                self._send(404, {"detail": "Not found."})
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
        if endpoint not in ("patches", "series", "events"):
            return None
        items = list(getattr(data, endpoint))
        project = (query.get("project") or [None])[0]
        if project is not None and project != data.project:
            return []  # Patchwork rejects an unknown project; the tests never send one
        if "submitter" in query:
            wanted = {s.lower() for s in query["submitter"]}
            items = [i for i in items if str(i["submitter"]["id"]) in wanted
                     or i["submitter"]["email"].lower() in wanted]
        if "category" in query:
            items = [i for i in items if i["category"] in query["category"]]
        if "state" in query:
            items = [i for i in items if i["state"] in query["state"]]
        if "archived" in query:
            flag = query["archived"][0] == "true"
            items = [i for i in items if i["archived"] == flag]
        if "since" in query:
            since = _when(query["since"][0])
            items = [i for i in items if _when(i["date"]) >= since]
        if "before" in query:
            before = _when(query["before"][0])
            items = [i for i in items if _when(i["date"]) < before]
        if endpoint == "events":
            items.sort(key=lambda i: i["date"], reverse=True)  # Patchwork orders by -date
        else:
            items.sort(key=lambda i: i["id"])
        return items

    def _page(self, endpoint: str, items: list[dict[str, Any]], query: dict[str, list[str]],
              path: str) -> None:
        behaviour = self.server_state.behaviour
        size = min(int((query.get("per_page") or [behaviour.page_size])[0]), behaviour.page_size)
        page = int((query.get("page") or ["1"])[0])
        last = max(1, -(-len(items) // size))
        chunk = items[(page - 1) * size:page * size]

        def link(number: int) -> str:
            params = {k: v for k, v in query.items() if k != "page"}
            pairs = [(k, x) for k, vs in params.items() for x in vs]
            if number > 1:
                pairs.append(("page", str(number)))
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


def _when(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment.replace(tzinfo=None) if moment.tzinfo is None else \
        moment.astimezone(dt.UTC).replace(tzinfo=None)


def _project(base: str, link_name: str) -> dict[str, Any]:
    """A project as /api/1.3/projects/<id>/ shows it (patchwork/api/project.py's fields)."""
    return {"id": 1, "url": f"{base}/api/1.3/projects/1/", "name": "U-Boot",
            "link_name": link_name, "list_id": "u-boot.lists.denx.de",
            "list_email": "u-boot@lists.denx.de", "web_url": "https://www.denx.de/wiki/U-Boot",
            "scm_url": "https://source.denx.de/u-boot/u-boot.git", "webscm_url": "",
            "maintainers": [], "subject_match": "", "list_archive_url": "",
            "list_archive_url_format": "", "commit_url_format": ""}
