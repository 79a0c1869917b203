"""A local Jira, Cloud or Server, on 127.0.0.1:0 answering the REST calls reporter makes.

It serves the payload shapes of tests/fixtures/jira (see the README there):
serverInfo, myself, field, Cloud's /rest/api/3/search/jql (nextPageToken,
isLast, no total; only the fields asked for), Server's /rest/api/2/search
(startAt, total), an issue's comments and remote links, and attachment
content (Cloud redirects it to a media host, like api.media.atlassian.com).
With `expand=changelog` the search embeds each issue's changelog: all of it on
Server, the newest `inline_histories` on Cloud, whose `/issue/KEY/changelog`
pages the whole of it (PageBeanChangelog). The write-back: an issue's comment
and status, adding a comment (ADF on v3, wiki text on v2), and a small
workflow's transitions.
Tests script faults per path (`script`) and read what was asked (`requests`).
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from tests.servers.jira_writes import WORKFLOW, JiraWrites, Workflow
from tests.servers.loopback import Trickle, TrickleWriter, trickle_delay

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "jira"
DOC_BASE = "https://your-domain.atlassian.net"  # the host in the documented examples


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Reply:
    """A scripted answer: status, headers (a value may be a function, called when sent),
    body (bytes, text, JSON-able, or a function of the request), and a delay."""

    status: int = 200
    body: Any = b""
    headers: Mapping[str, str | Callable[[], str]] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Base:
    """Start/stop and the request log, shared by the Jira and the media host."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: list[Seen] = []
        self._scripts: list[tuple[re.Pattern[str], list[Reply]]] = []
        self._httpd: _Server | None = None
        self._url = ""
        self._thread: threading.Thread | None = None
        self.trickle: dict[str, Trickle] = {}  # path pattern -> seconds per byte sent
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        """The base URL (kept after stop(), to test a server that went away)."""
        assert self._url, "start() first"
        return self._url

    def start(self) -> _Base:
        owner = self
        self._stopping.clear()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                owner._handle(self)

            def do_POST(self) -> None:  # noqa: N802
                owner._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def setup(self) -> None:
                super().setup()
                self.wfile = TrickleWriter(  # type: ignore[assignment]
                    self.wfile, lambda: trickle_delay(owner.trickle, getattr(self, "path", "")),
                    owner._stopping)

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._url = f"http://127.0.0.1:{self._httpd.server_port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, path_pattern: str, *replies: Reply) -> None:
        """The next requests whose path matches get these replies, in order."""
        with self._lock:
            self._scripts.append((re.compile(path_pattern), list(replies)))

    def seen(self, path_pattern: str = "") -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if re.search(path_pattern, r.path)]

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        seen = Seen(h.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                    {k: v for k, v in h.headers.items()}, body)
        with self._lock:
            self.requests.append(seen)
            reply = None
            for pattern, queue in self._scripts:
                if queue and pattern.search(parts.path):
                    reply = queue.pop(0)
                    break
        if reply is None:
            reply = self.answer(seen)
        self._send(h, reply, seen)

    def answer(self, seen: Seen) -> Reply:
        return Reply(404, {"errorMessages": ["not found"], "errors": {}})

    def _send(self, h: BaseHTTPRequestHandler, reply: Reply, seen: Seen) -> None:
        if reply.delay_s:
            time.sleep(reply.delay_s)
        body = reply.body(seen) if callable(reply.body) else reply.body
        headers = {k: (v() if callable(v) else v) for k, v in reply.headers.items()}
        if isinstance(body, (dict, list)):
            data = json.dumps(body).replace(DOC_BASE, self.url).encode("utf-8")
            headers.setdefault("Content-Type", "application/json;charset=UTF-8")
        elif isinstance(body, str):
            data = body.encode("utf-8")
            headers.setdefault("Content-Type", "text/plain;charset=UTF-8")
        else:
            data = bytes(body)
            headers.setdefault("Content-Type", "application/octet-stream")
        chunked = headers.get("Transfer-Encoding") == "chunked"
        try:
            h.send_response(reply.status)
            for name, value in headers.items():
                h.send_header(name, value)
            if not chunked and "Content-Length" not in headers:
                h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            if chunked:  # no length announced: the client learns the size as it reads
                for i in range(0, len(data), 1024):
                    piece = data[i:i + 1024]
                    h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                h.wfile.write(b"0\r\n\r\n")
            else:
                h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a read timeout test)


class MediaHost(_Base):
    """Another origin serving /file/<id>/binary?token=..., like api.media.atlassian.com."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}

    def answer(self, seen: Seen) -> Reply:
        m = re.fullmatch(r"/file/([^/]+)/binary", seen.path)
        if m and m.group(1) in self.files and seen.query.get("token"):
            return Reply(200, self.files[m.group(1)])
        return Reply(404, b"")


class LocalJira(JiraWrites, _Base):
    """Jira Cloud (deployment="Cloud") or Server/Data Center ("Server") with one user."""

    def __init__(self, deployment: str = "Cloud", *, user: str = "takahiro.akashi@linaro.org",
                 token: str | None = "jira-test-token", auth: str = "basic",
                 max_results_cap: int = 100) -> None:
        super().__init__()
        self.deployment = deployment
        self.user = user
        self.token = token
        self.auth = auth  # basic (user + token) | bearer (token) | none
        self.max_results_cap = max_results_cap
        self.issues: list[dict[str, Any]] = []
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.inline_comments = 20  # how many comments the search embeds per issue
        self.remote_links: dict[str, list[dict[str, Any]]] = {}
        self.changelogs: dict[str, list[dict[str, Any]]] = {}  # oldest first
        self.inline_histories = 100  # Cloud: how many of the newest the search embeds
        self.contents: dict[str, bytes] = {}
        self.media: MediaHost | None = None  # Cloud: content redirects there when set
        # The workflow: status -> the transitions it offers (id, name, to status, category).
        self.workflow: Workflow = copy.deepcopy(WORKFLOW)
        self.now_stamp = "2023-02-13T09:01:00.000+0900"  # `created` of posted comments
        self._tokens: dict[str, int] = {}

    @property
    def cloud(self) -> bool:
        return self.deployment == "Cloud"

    # -- building data ----------------------------------------------------------------

    def add_issue(self, key: str, summary: str, *, status: str = "In Progress",
                  category: str = "indeterminate", resolution: str | None = None,
                  updated: str = "2023-02-09T18:20:11.250+0900",
                  comments: list[dict[str, Any]] | None = None,
                  attachments: list[dict[str, Any]] | None = None,
                  changelog: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """An issue built from the documented example (issue-cloud.json / issue-server.json)."""
        issue: dict[str, Any] = copy.deepcopy(
            fixture("issue-cloud.json" if self.cloud else "issue-server.json"))
        number = 10000 + len(self.issues) + 1
        issue["id"] = str(number)
        issue["key"] = key
        issue["self"] = issue["self"].replace("10076", str(number))
        f = issue["fields"]
        f["summary"] = summary
        f["status"]["name"] = status
        f["status"]["statusCategory"]["key"] = category
        f["status"]["statusCategory"]["name"] = {
            "new": "To Do", "indeterminate": "In Progress", "done": "Done"}[category]
        f["resolution"] = ({"self": f"{DOC_BASE}/rest/api/2/resolution/10000", "id": "10000",
                            "description": "Work has been completed on this issue.",
                            "name": resolution} if resolution else None)
        f["updated"] = updated
        self.comments[key] = list(comments or [])
        self.changelogs[key] = list(changelog or [])
        f["attachment"] = list(attachments or [])
        self.issues.append(issue)
        return issue

    def comment(self, cid: str, body: Any, *, created: str, mine: bool = True,
                author_name: str = "Alex Bennée") -> dict[str, Any]:
        """A comment in the example's shape; `body` is ADF (Cloud) or wiki text (Server)."""
        template: dict[str, Any] = copy.deepcopy(fixture(
            "issue-cloud.json" if self.cloud else "issue-server.json"
        )["fields"]["comment"]["comments"][0])
        template["id"] = cid
        template["self"] = template["self"].replace("10301", cid)
        template["body"] = body
        template["created"] = template["updated"] = created
        if not mine:
            for who in ("author", "updateAuthor"):
                a = template[who]
                a["displayName"] = author_name
                if self.cloud:
                    a["accountId"] = "5b10ac8d82e05b22cc7d4ef5"
                else:
                    a["name"] = a["key"] = "alex.bennee"
                    a["emailAddress"] = "alex.bennee@linaro.org"
        return template

    def history(self, hid: str, created: str, from_status: str, to_status: str, *,
                other_field: bool = False) -> dict[str, Any]:
        """One changelog entry (Changelog: id, author, created, items) moving the status;
        `other_field` adds an item for another field, as an edit in the same go does."""
        ids = {"To Do": "10000", "In Progress": "3", "In Review": "10002", "Done": "10001"}
        author = copy.deepcopy(fixture("issue-cloud.json" if self.cloud else "issue-server.json"
                                       )["fields"]["comment"]["comments"][0]["author"])
        item: dict[str, Any] = {"field": "status", "fieldtype": "jira",
                                "from": ids.get(from_status, "1"), "fromString": from_status,
                                "to": ids.get(to_status, "1"), "toString": to_status}
        items = [item]
        if other_field:
            items.insert(0, {"field": "assignee", "fieldtype": "jira", "from": None,
                             "fromString": None, "to": "alex", "toString": "Alex Bennée"})
        if self.cloud:  # Cloud's ChangeDetails also carry the field's id
            for entry in items:
                entry["fieldId"] = entry["field"]
        return {"id": hid, "author": author, "created": created, "items": items}

    def attachment(self, aid: str, filename: str, content: bytes, *, created: str,
                   mime: str = "text/csv", size: int | None = None) -> dict[str, Any]:
        template: dict[str, Any] = copy.deepcopy(fixture(
            "issue-cloud.json" if self.cloud else "issue-server.json"
        )["fields"]["attachment"][0])
        template["id"] = aid
        template["self"] = template["self"].replace("10400", aid)
        template["filename"] = filename
        template["created"] = created
        template["mimeType"] = mime
        template["size"] = len(content) if size is None else size
        template["content"] = (
            f"{DOC_BASE}/rest/api/3/attachment/content/{aid}" if self.cloud
            else f"{DOC_BASE}/secure/attachment/{aid}/{quote(filename, safe='')}")
        self.contents[aid] = content
        return template

    # -- answering ----------------------------------------------------------------------

    def answer(self, seen: Seen) -> Reply:
        path = seen.path
        if re.fullmatch(r"/rest/api/[23]/serverInfo", path):
            info = fixture("serverinfo-cloud.json" if self.cloud else "serverinfo-server.json")
            return Reply(200, info)  # readable without logging in, as on real Jira
        denied = self._check_auth(seen)
        if denied:
            return denied
        m = re.fullmatch(r"/rest/api/([23])/(.+)", path)
        if m:
            version, rest = m.groups()
            written = self.write_api(seen, version, rest)
            if written is not None:
                return written
            if rest == "myself":
                return Reply(200, fixture("myself-cloud.json" if self.cloud
                                          else "myself-server.json"))
            if rest == "field":
                return Reply(200, fixture("field.json"))
            if rest == "jql/parse" and self.cloud and seen.method == "POST":
                return self._parse_jql(seen)
            if rest in ("search/jql", "search"):
                refused = _jql_error(seen.query.get("jql", [""])[0])
                if refused and rest == ("search/jql" if self.cloud else "search"):
                    return Reply(400, {"errorMessages": [refused], "errors": {}})
            if rest == "search/jql":
                if not self.cloud:
                    return Reply(404, {"errorMessages": ["null for uri: " + path],
                                       "errors": {}})
                return self._search_jql(seen)
            if rest == "search":
                if self.cloud:
                    return Reply(410, fixture("gone-410.json"))
                return self._search_server(seen)
            c = re.fullmatch(r"issue/([A-Z][A-Z0-9_]+-\d+)/comment", rest)
            if c:
                return self._comment_page(c.group(1), seen)
            h = re.fullmatch(r"issue/([A-Z][A-Z0-9_]+-\d+)/changelog", rest)
            if h and self.cloud:
                return self._changelog_page(h.group(1), seen)
            r = re.fullmatch(r"issue/([A-Z][A-Z0-9_]+-\d+)/remotelink", rest)
            if r:
                return Reply(200, self.remote_links.get(r.group(1), []))
            a = re.fullmatch(r"attachment/content/(\d+)", rest)
            if a and self.cloud:
                return self._content(a.group(1))
        s = re.fullmatch(r"/secure/attachment/(\d+)/[^/]+", path)
        if s and not self.cloud:
            return self._content(s.group(1))
        return Reply(404, {"errorMessages": ["null for uri: " + path], "errors": {}})

    def _check_auth(self, seen: Seen) -> Reply | None:
        given = seen.headers.get("Authorization", "")
        if self.auth == "none":
            return None
        if self.auth == "basic":
            pair = base64.b64encode(f"{self.user}:{self.token}".encode()).decode()
            ok = given == f"Basic {pair}"
        else:
            ok = given == f"Bearer {self.token}"
        if ok:
            return None
        return Reply(401, fixture("unauthorized-401.json"),
                     {"WWW-Authenticate": 'Basic realm="protected-area"',
                      "X-Seraph-LoginReason": "AUTHENTICATED_FAILED"})

    def _fields(self, seen: Seen) -> set[str] | None:
        asked = [f for value in seen.query.get("fields", []) for f in value.split(",") if f]
        if not asked:
            return set() if self.cloud else None  # Cloud: ids only; Server: all
        if "*all" in asked or "*navigable" in asked:
            return None
        return set(asked)

    def _issue_view(self, issue: dict[str, Any], fields: set[str] | None,
                    expand: str = "") -> dict[str, Any]:
        out = copy.deepcopy(issue)
        key = out["key"]
        if "changelog" in expand.split(","):
            histories = self.changelogs.get(key, [])
            shown = histories[-self.inline_histories:] if self.cloud else histories
            out["changelog"] = {"startAt": 0, "maxResults": len(shown),
                                "total": len(histories), "histories": copy.deepcopy(shown)}
        everything = self.comments.get(key, [])
        shown = everything[: self.inline_comments]
        out["fields"]["comment"] = {
            "comments": shown,
            "self": f"{DOC_BASE}/rest/api/{'3' if self.cloud else '2'}/issue/{out['id']}/comment",
            "maxResults": len(shown), "total": len(everything), "startAt": 0}
        if fields is not None:
            if not fields:
                return {"id": out["id"], **({"changelog": out["changelog"]}
                                           if "changelog" in out else {})}
            out["fields"] = {k: v for k, v in out["fields"].items() if k in fields}
        return out

    def _page_size(self, seen: Seen, default: int = 50) -> int:
        try:
            asked = int(seen.query.get("maxResults", [str(default)])[0])
        except ValueError:
            asked = default
        return max(1, min(asked, self.max_results_cap))

    def _search_jql(self, seen: Seen) -> Reply:
        size = self._page_size(seen)
        token = seen.query.get("nextPageToken", [""])[0]
        if token:
            if token not in self._tokens:
                return Reply(400, {"errorMessages": ["Invalid nextPageToken"], "errors": {}})
            start = self._tokens[token]
        else:
            start = 0
        fields = self._fields(seen)
        expand = seen.query.get("expand", [""])[0]
        page = [self._issue_view(i, fields, expand) for i in self.issues[start:start + size]]
        body: dict[str, Any] = {"issues": page}
        following = start + size
        if following < len(self.issues):
            new = base64.urlsafe_b64encode(secrets.token_bytes(24)).decode()
            self._tokens[new] = following
            body["nextPageToken"] = new
            body["isLast"] = False
        else:
            body["isLast"] = True  # and no nextPageToken key (JRACLOUD-92184)
        return Reply(200, body)

    def _search_server(self, seen: Seen) -> Reply:
        size = self._page_size(seen)
        start = int(seen.query.get("startAt", ["0"])[0])
        fields = self._fields(seen)
        expand = seen.query.get("expand", [""])[0]
        page = [self._issue_view(i, fields, expand) for i in self.issues[start:start + size]]
        return Reply(200, {"expand": "schema,names", "startAt": start, "maxResults": size,
                           "total": len(self.issues), "issues": page})

    def _comment_page(self, key: str, seen: Seen) -> Reply:
        if key not in self.comments:
            return Reply(404, {"errorMessages": ["Issue does not exist or you do not have "
                                                 "permission to see it."], "errors": {}})
        everything = self.comments[key]
        start = int(seen.query.get("startAt", ["0"])[0])
        size = self._page_size(seen, default=5000)
        return Reply(200, {"startAt": start, "maxResults": size, "total": len(everything),
                           "comments": everything[start:start + size]})

    def _changelog_page(self, key: str, seen: Seen) -> Reply:
        """Cloud's PageBeanChangelog, oldest first."""
        if key not in self.changelogs:
            return Reply(404, {"errorMessages": ["Issue does not exist or you do not have "
                                                 "permission to see it."], "errors": {}})
        everything = self.changelogs[key]
        start = int(seen.query.get("startAt", ["0"])[0])
        size = self._page_size(seen)
        values = everything[start:start + size]
        last = start + len(values) >= len(everything)
        base = f"{DOC_BASE}/rest/api/3/issue/{key}/changelog"
        body: dict[str, Any] = {"self": f"{base}?maxResults={size}&startAt={start}",
                                "maxResults": size, "startAt": start,
                                "total": len(everything), "isLast": last,
                                "values": copy.deepcopy(values)}
        if not last:
            body["nextPage"] = f"{base}?maxResults={size}&startAt={start + size}"
        return Reply(200, body)

    def _parse_jql(self, seen: Seen) -> Reply:
        """POST /rest/api/3/jql/parse: each query with its errors, or a structure when none."""
        queries = json.loads(seen.body or b"{}").get("queries") or []
        parsed = []
        for query in queries:
            error = _jql_error(query)
            parsed.append({"query": query, "errors": [error]} if error else
                          {"query": query, "structure": {"where": {"clauses": [],
                                                                   "operator": "and"}}})
        return Reply(200, {"queries": parsed})

    def _content(self, aid: str) -> Reply:
        if aid not in self.contents:
            return Reply(404, {"errorMessages": ["The attachment does not exist"],
                               "errors": {}})
        if self.cloud and self.media is not None:
            self.media.files[aid] = self.contents[aid]
            where = f"{self.media.url}/file/{aid}/binary?token=media-{secrets.token_hex(8)}" \
                    "&client=reporter-test&dl=true"
            return Reply(303, b"", {"Location": where})
        return Reply(200, self.contents[aid])


def _jql_error(jql: str) -> str | None:
    """Jira's complaint about an unbalanced query (its parser's wording), or None.

    The local server reads no more of JQL than this: enough for a test to send a query
    that Jira refuses.
    """
    depth = 0
    for char in jql:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return "Error in the JQL Query: The character ')' is a reserved JQL character."
    if depth > 0 or jql.count('"') % 2:
        return "Error in the JQL Query: Expecting ')' before the end of the query."
    return None
