"""The write-back side of the local Jira (jira.post_comments): comments, status, transitions.

A mixin of `LocalJira` (tests/servers/jira.py), kept apart so that the read side
and the write side change independently. It answers GET /issue/KEY (the fields
asked), POST /issue/KEY/comment (ADF on v3, wiki text on v2) and GET/POST
/issue/KEY/transitions, in the shapes of Atlassian's REST references (see
tests/fixtures/jira/README.md).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.servers.jira import Reply, Seen

DOC_BASE = "https://your-domain.atlassian.net"  # as in tests/servers/jira.py
Workflow = dict[str, list[tuple[str, str, str, str]]]

# A simple Jira Software workflow; transition names differ from the statuses they
# lead to, as in Jira's own ("Start Progress" -> In Progress).
WORKFLOW: Workflow = {
    "To Do": [("11", "Start Progress", "In Progress", "indeterminate"),
              ("31", "Done", "Done", "done")],
    "In Progress": [("21", "Stop Progress", "To Do", "new"), ("31", "Done", "Done", "done"),
                    ("41", "Resolve Issue", "Resolved", "done")],
    "Done": [("51", "Reopen", "To Do", "new")],
    "Resolved": [("51", "Reopen", "To Do", "new")],
}
STATUS_IDS = {"To Do": "10000", "In Progress": "3", "Done": "10001", "Resolved": "5"}
CATEGORIES = {"new": (2, "blue-gray", "To Do"), "indeterminate": (4, "yellow", "In Progress"),
              "done": (3, "green", "Done")}


def _reply(status: int = 200, body: Any = b"") -> Reply:
    from tests.servers.jira import Reply  # that module imports this one

    return Reply(status, body)


class JiraWrites:
    """The write endpoints; the host class holds `issues`, `comments` and `workflow`."""

    cloud: bool
    issues: list[dict[str, Any]]
    comments: dict[str, list[dict[str, Any]]]
    workflow: Workflow
    now_stamp: str

    if TYPE_CHECKING:  # LocalJira's
        def comment(self, cid: str, body: Any, *, created: str, mine: bool = True,
                    author_name: str = "Alex Bennée") -> dict[str, Any]: ...

        def _issue_view(self, issue: dict[str, Any], fields: set[str] | None
                        ) -> dict[str, Any]: ...

        def _fields(self, seen: Seen) -> set[str] | None: ...

    def write_api(self, seen: Seen, version: str, rest: str) -> Reply | None:
        """GET /issue/KEY (fields), POST /issue/KEY/comment, GET/POST /issue/KEY/transitions;
        None for any other request."""
        m = re.fullmatch(r"issue/([A-Z][A-Z0-9_]+-\d+)(/comment|/transitions)?", rest)
        if m is None or (version == "3" and not self.cloud):
            return None  # Server has no v3: answered 404 by `answer`
        key, sub = m.group(1), m.group(2) or ""
        if (sub, seen.method) not in (("", "GET"), ("/comment", "POST"),
                                      ("/transitions", "GET"), ("/transitions", "POST")):
            return None
        issue = self._issue(key)
        if issue is None:
            return _reply(404, {"errorMessages": ["Issue does not exist or you do not have "
                                                 "permission to see it."], "errors": {}})
        if sub == "":
            return _reply(200, self._issue_view(issue, self._fields(seen)))
        if seen.method == "POST":
            if "application/json" not in seen.headers.get("Content-Type", ""):
                return _reply(415, {"errorMessages": ["Unsupported Media Type"], "errors": {}})
            try:
                data = json.loads(seen.body.decode("utf-8"))
            except ValueError:
                return _reply(400, {"errorMessages": ["Unexpected character in the request "
                                                     "body"], "errors": {}})
            if not isinstance(data, dict):
                return _reply(400, {"errorMessages": ["Can not deserialize the request body"],
                                   "errors": {}})
            if sub == "/comment":
                return self._add_comment(key, version, data)
            return self._do_transition(issue, data)
        return _reply(200, self._transitions_of(issue, version))

    def _issue(self, key: str) -> dict[str, Any] | None:
        return next((i for i in self.issues if i["key"] == key), None)

    def _add_comment(self, key: str, version: str, data: dict[str, Any]) -> Reply:
        """Add a comment: v3 takes an ADF document, v2 wiki text; 201 with the comment."""
        body = data.get("body")
        if body is None or body == "":
            return _reply(400, {"errorMessages": [],
                               "errors": {"comment": "Comment body can not be empty!"}})
        if version == "3" and not _is_adf(body):
            return _reply(400, {"errorMessages": [], "errors": {"comment": (
                "Operation value must be an Atlassian Document (see the Atlassian Document "
                "Format)")}})
        if version == "2" and not isinstance(body, str):
            return _reply(400, {"errorMessages": ["Can not deserialize instance of "
                                                 "java.lang.String out of START_OBJECT token"],
                               "errors": {}})
        cid = str(20000 + sum(len(c) for c in self.comments.values()) + 1)
        comment = self.comment(cid, body, created=self.now_stamp)
        if version == "2" and self.cloud:  # Cloud's v2 answers in wiki text as it was sent
            comment["body"] = body
        self.comments.setdefault(key, []).append(comment)
        return _reply(201, comment)

    def _transitions_of(self, issue: dict[str, Any], version: str) -> dict[str, Any]:
        """The documented "Get transitions" shape: v3 (Cloud) with the is* flags, v2 with
        opsbarSequence."""
        status = issue["fields"]["status"]["name"]
        out = []
        for i, (tid, name, to, category) in enumerate(self.workflow.get(status, [])):
            cat_id, colour, cat_name = CATEGORIES[category]
            item: dict[str, Any] = {"id": tid, "name": name, "to": {
                "self": f"{DOC_BASE}/rest/api/{version}/status/{STATUS_IDS.get(to, '1')}",
                "description": "", "iconUrl": f"{DOC_BASE}/images/icons/statuses/generic.png",
                "name": to, "id": STATUS_IDS.get(to, "1"),
                "statusCategory": {"self": f"{DOC_BASE}/rest/api/{version}/statuscategory/"
                                           f"{cat_id}", "id": cat_id, "key": category,
                                   "colorName": colour, "name": cat_name}}}
            if self.cloud:
                item.update({"hasScreen": False, "isGlobal": False, "isInitial": False,
                             "isAvailable": True, "isConditional": False, "isLooped": False})
            else:
                item["opsbarSequence"] = (i + 1) * 10
            out.append(item)
        return {"expand": "transitions", "transitions": out}

    def _do_transition(self, issue: dict[str, Any], data: dict[str, Any]) -> Reply:
        """POST /transitions {"transition": {"id": ...}}: 204, or 400 for an id not offered."""
        asked = data.get("transition")
        tid = str(asked.get("id")) if isinstance(asked, dict) else ""
        status = issue["fields"]["status"]["name"]
        offered = {t[0]: t for t in self.workflow.get(status, [])}
        if tid not in offered:
            return _reply(400, {"errorMessages": [f"Transition id '{tid}' is not valid for this "
                                                 "issue."], "errors": {}})
        _, _, to, category = offered[tid]
        f = issue["fields"]
        f["status"]["name"] = to
        f["status"]["id"] = STATUS_IDS.get(to, "1")
        f["status"]["statusCategory"]["key"] = category
        f["status"]["statusCategory"]["name"] = CATEGORIES[category][2]
        return _reply(204, b"")


def _is_adf(node: Any, top: bool = True) -> bool:
    """An ADF document as Jira Cloud checks it: doc version 1 at the top, every node typed,
    text nodes not empty, link marks with an href."""
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        return False
    if top and (node["type"] != "doc" or node.get("version") != 1
                or not isinstance(node.get("content"), list)):
        return False
    if node["type"] == "text":
        if not isinstance(node.get("text"), str) or not node["text"]:
            return False
        for mark in node.get("marks", []):
            if not isinstance(mark, dict) or (mark.get("type") == "link" and not isinstance(
                    (mark.get("attrs") or {}).get("href"), str)):
                return False
    content = node.get("content", [])
    return isinstance(content, list) and all(_is_adf(c, False) for c in content)
