"""Jira's comment and transition JSON: read a card's comments and status, comment, transition.

The only code that writes to Jira. It goes through the same session factory,
credentials and library client as the pull (`connect`), so credentials go to
Jira's own origin only and every failure is a SourceError holding no secret.
Comments are posted in the markup of the deployment: wiki text on Server/Data
Center (REST v2), an ADF document on Cloud (REST v3).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reporter.config import JiraConfig
from reporter.errors import SourceError
from reporter.model.jira_writes import CardComment, marked_week
from reporter.sources.jira import failures
from reporter.sources.jira.connect import Connection, Login, login_for, make_session
from reporter.sources.jira.markup import adf_body, wiki_body
from reporter.sources.jira.parse import ShapeError, parse_comment, parse_issue
from reporter.sources.jira.search import all_comments
from reporter.sources.jira.session import Deadline, JiraSession, RetryPolicy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardState:
    """What a write needs to know of a card: its status and its comments' first lines."""

    key: str
    status: str | None
    marked: tuple[tuple[str, str], ...]  # (comment id, the week its marker names)

    def comment_of(self, week: str) -> str | None:
        """The id of the comment carrying the week's marker (ISO date), if there is one."""
        return next((cid for cid, marked in self.marked if marked == week), None)


@dataclass(frozen=True)
class Offer:
    """A transition the card's workflow offers now."""

    id: str
    name: str
    to_status: str | None


class JiraWriter:
    """One connection for a week's writes: `with JiraWriter(jc) as w: w.post_comment(...)`."""

    def __init__(self, jc: JiraConfig, *, environ: Mapping[str, str] | None = None,
                 policy: RetryPolicy | None = None) -> None:
        self.jc = jc
        self._environ = environ
        self._policy = policy
        self._login: Login | None = None
        self._session: JiraSession | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> JiraWriter:
        self._login = login_for(self.jc, self._environ)
        self._session = make_session(self.jc, self._login, Deadline(self.jc.deadline_s),
                                     self._policy)
        # The library's own session would send JSON as such; ours must say it (415 otherwise).
        self._session.headers["Content-Type"] = "application/json"
        try:
            self._conn = Connection(self.jc, self._session)
        except SourceError as exc:
            self._session.close()
            raise self.scrubbed(exc) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._session is not None:
            self._session.close()

    @property
    def conn(self) -> Connection:
        assert self._conn is not None, "use JiraWriter in a with statement"
        return self._conn

    @property
    def cloud(self) -> bool:
        return self.conn.cloud

    @property
    def markup(self) -> str:
        return "ADF, REST API v3" if self.cloud else "wiki markup, REST API v2"

    def scrubbed(self, exc: SourceError) -> SourceError:
        """`exc` without any form of the secret (defence in depth, as in the pull)."""
        return failures.scrubbed(exc, self._login.secrets if self._login else ())

    def scrub(self, text: str) -> str:
        return failures.scrub(text, self._login.secrets if self._login else ())

    def body(self, comment: CardComment) -> Any:
        """What is posted: wiki text (Server/DC) or an ADF document (Cloud); a secret
        pasted into the notes by mistake is posted as `***`."""
        return _scrub_all(adf_body(comment) if self.cloud else wiki_body(comment), self.scrub)

    def card(self, key: str) -> CardState:
        """The card's status and which of its comments carry a week's marker."""
        conn = self.conn
        try:
            issue = conn.call(f"card {key}", conn.client.issue, key, fields="comment,status")
            fields = parse_issue(_raw(issue, f"card {key}"), f"card {key}")
            raw = list(fields.comments)
            if fields.comments_total > len(raw):
                raw = all_comments(conn, key, fields.comments_total, self.jc.max_pages)
            marked = []
            for i, item in enumerate(raw):
                comment = parse_comment(item, f"{key}.comment[{i}]", None)
                week = marked_week(comment.body)
                if week is not None:
                    marked.append((comment.id, week.isoformat()))
        except ShapeError as exc:
            raise self.scrubbed(failures.bad_shape(f"card {key}", str(exc))) from None
        except SourceError as exc:
            raise self.scrubbed(exc) from None
        return CardState(key, fields.status, tuple(marked))

    def post_comment(self, key: str, comment: CardComment) -> str:
        """POST the week's comment on `key`; returns the new comment's id."""
        conn = self.conn
        body = self.body(comment)
        try:
            created = conn.call(f"comment on {key}", conn.client.add_comment, key, body)
        except SourceError as exc:
            raise self.scrubbed(exc) from None
        cid = _raw(created, f"comment on {key}").get("id")
        if not isinstance(cid, (str, int)) or isinstance(cid, bool):
            raise failures.bad_shape(f"comment on {key}", "no comment id in the answer")
        return str(cid)

    def offers(self, key: str) -> tuple[Offer, ...]:
        """The transitions the card's workflow offers now (GET /issue/KEY/transitions)."""
        conn = self.conn
        try:
            raw = conn.call(f"transitions of {key}", conn.client.transitions, key)
        except SourceError as exc:
            raise self.scrubbed(exc) from None
        if not isinstance(raw, list):
            raise failures.bad_shape(f"transitions of {key}", "no transitions list")
        out = []
        for i, item in enumerate(raw):
            where = f"transitions of {key}[{i}]"
            if not isinstance(item, dict):
                raise failures.bad_shape(where, "not an object")
            tid, name, to = item.get("id"), item.get("name"), item.get("to")
            if not isinstance(tid, (str, int)) or isinstance(tid, bool) \
                    or not isinstance(name, str):
                raise failures.bad_shape(where, "no id or name")
            to_name = to.get("name") if isinstance(to, dict) else None
            out.append(Offer(str(tid), name, to_name if isinstance(to_name, str) else None))
        return tuple(out)

    def transition(self, key: str, offer: Offer) -> None:
        """POST the transition by its id (the name was matched against `offers`)."""
        conn = self.conn
        try:
            conn.call(f"transition {offer.name!r} of {key}", conn.client.transition_issue,
                      key, offer.id)
        except SourceError as exc:
            raise self.scrubbed(exc) from None


def find_offer(offers: tuple[Offer, ...], name: str) -> Offer | None:
    """The offer named `name`, matched as Jira's own clients match it (case-insensitively)."""
    wanted = name.casefold()
    return next((o for o in offers if o.name.casefold() == wanted), None)


def _scrub_all(value: Any, scrub: Callable[[str], str]) -> Any:
    """`value` (text or JSON) with `scrub` applied to every string in it."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_all(v, scrub) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_all(v, scrub) for k, v in value.items()}
    return value


def _raw(resource: Any, what: str) -> dict[str, Any]:
    raw = getattr(resource, "raw", None)
    if not isinstance(raw, dict):
        raise failures.bad_shape(what, "not an object")
    return raw
