"""One pull of Jira for one week: search, the week's transitions, comments and attachments."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from reporter.config import Config, JiraConfig
from reporter.errors import ConfigError, SourceError
from reporter.model.cards import (
    Attachment,
    Card,
    Comment,
    JiraSnapshot,
    RemoteLink,
    StatusChange,
)
from reporter.model.jira_writes import marked_week
from reporter.sources.jira import failures
from reporter.sources.jira.attachments import fetch, looks_like_measurement
from reporter.sources.jira.connect import Connection, login_for, make_session
from reporter.sources.jira.jql import jira_default_jql
from reporter.sources.jira.parse import (
    IssueFields,
    Me,
    ShapeError,
    Week,
    parse_attachment,
    parse_comment,
    parse_issue,
    parse_me,
    parse_remote_link,
    status_changes,
)
from reporter.sources.jira.search import all_comments, changelog_tail, search
from reporter.sources.jira.session import Deadline, RetryPolicy
from reporter.week import week_start

log = logging.getLogger(__name__)


def pull(config: Config, week_end: dt.date, now: dt.datetime, *,
         environ: Mapping[str, str] | None = None,
         policy: RetryPolicy | None = None) -> JiraSnapshot:
    """See reporter.sources.jira.pull_jira."""
    jc = config.jira
    if jc is None:
        raise ConfigError(f"{config.path}: no jira section", hint="add jira: {server: ...}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    jql = jc.jql or jira_default_jql(config, week_end)
    week = Week(week_start(week_end), week_end, config.tz)
    login = login_for(jc, environ)
    deadline = Deadline(jc.deadline_s)
    failure: SourceError | None = None
    try:
        with make_session(jc, login, deadline, policy) as session:
            conn = Connection(jc, session)
            log.info("jira: %s (%s): %s", failures.safe_url(jc.server), conn.deployment, jql)
            me = _me(conn, jc)
            raw_issues = search(conn, jql, jc.max_pages)
            urls: dict[str, str] = {}
            cards = [_card(conn, jc, raw, i, week, me, urls) for i, raw in enumerate(raw_issues)]
            if jc.attachments:
                cards = _fetch_attachments(conn, config, week_end, cards, urls)
            log.info("jira: %d cards, %d comments of the week, %d requests",
                     len(cards), sum(len(c.comments) for c in cards), session.requests_sent)
    except SourceError as exc:
        # Defence in depth: no message may carry the secret, whatever a server echoed.
        failure = failures.scrubbed(exc, login.secrets)
    except ShapeError as exc:
        failure = failures.scrubbed(failures.bad_shape("a card", str(exc)), login.secrets)
    if failure is not None:
        raise failure  # outside the handler: no chained exception keeps the original text
    return JiraSnapshot(pulled_at=now.isoformat(), server=jc.server, jql=jql, cards=tuple(cards))


def _me(conn: Connection, jc: JiraConfig) -> Me | None:
    if jc.auth == "none":
        return Me(name=jc.user, email=jc.user) if jc.user else None
    try:
        return parse_me(conn.call("myself", conn.client.myself))
    except ShapeError as exc:
        raise failures.bad_shape("myself", str(exc)) from None


def _card(conn: Connection, jc: JiraConfig, raw: dict[str, Any], index: int, week: Week,
          me: Me | None, urls: dict[str, str]) -> Card:
    issue = parse_issue(raw, f"issues[{index}]")
    comments = _comments(conn, jc, issue, week, me)
    attachments = tuple(_week_attachments(issue, week, urls))
    links: tuple[RemoteLink, ...] = ()
    if jc.remote_links:
        found = conn.call(f"remote links of {issue.key}", conn.client.remote_links, issue.key)
        parsed = [parse_remote_link(getattr(r, "raw", None), f"{issue.key}.remotelink[{i}]")
                  for i, r in enumerate(found)]
        links = tuple(link for link in parsed if link is not None)
    return Card(key=issue.key, summary=issue.summary, status=issue.status,
                status_category=issue.status_category, resolution=issue.resolution,
                updated=issue.updated, comments=comments, attachments=attachments,
                remote_links=links, status_changes=_transitions(conn, jc, issue, week))


def _transitions(conn: Connection, jc: JiraConfig, issue: IssueFields, week: Week
                 ) -> tuple[StatusChange, ...]:
    """The card's status transitions of the week, from the changelog the search embedded
    (Cloud: plus the newest histories it left out, when the week may be among them)."""
    histories = list(issue.histories)
    if issue.histories_total > len(histories):
        start = dt.datetime.combine(week.first, dt.time(0), week.tz)
        if conn.cloud:
            histories = changelog_tail(conn, issue.key, issue.histories_total, start,
                                       jc.max_pages)
        else:
            log.warning("jira: %s: the search returned %d of %d changelog entries; "
                        "status changes of the week may be missing", issue.key,
                        len(histories), issue.histories_total)
    where = f"{issue.key}.changelog"
    return tuple(c for c in status_changes(histories, where) if week.holds(c.date, where))


def _comments(conn: Connection, jc: JiraConfig, issue: IssueFields, week: Week,
              me: Me | None) -> tuple[Comment, ...]:
    if jc.comments == "off":
        return ()
    raw = list(issue.comments)
    if issue.comments_total > len(raw):
        raw = all_comments(conn, issue.key, issue.comments_total, jc.max_pages)
    kept: list[tuple[dt.datetime, Comment]] = []
    for i, item in enumerate(raw):
        where = f"{issue.key}.comment[{i}]"
        comment = parse_comment(item, where, me)
        if not week.holds(comment.created, where):
            continue
        if jc.comments == "mine" and not comment.mine:
            continue
        if marked_week(comment.body) is not None:  # a week's report written back: no echo
            continue
        kept.append((_instant(comment.created), comment))
    kept.sort(key=lambda pair: pair[0])
    return tuple(c for _, c in kept)


def _instant(stamp: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(stamp)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _week_attachments(issue: IssueFields, week: Week, urls: dict[str, str]
                      ) -> list[Attachment]:
    """The attachments added in the week; their content URLs go to `urls` by id (the URL
    is not kept in the snapshot: the id names the file)."""
    out = []
    for i, raw in enumerate(issue.attachments):
        where = f"{issue.key}.attachment[{i}]"
        attachment, url = parse_attachment(raw, where)
        if week.holds(attachment.created, where):
            out.append(attachment)
            if url:
                urls[attachment.id] = url
    return out


def _fetch_attachments(conn: Connection, config: Config, week_end: dt.date,
                       cards: list[Card], urls: dict[str, str]) -> list[Card]:
    """Download the week's measurement-looking attachments, after the search succeeded."""
    jc = config.jira
    assert jc is not None
    measured = {m.card for m in config.measurements}
    dest = config.data_dir / "attachments" / week_end.isoformat()
    out = []
    for card in cards:
        updated = []
        for att in card.attachments:
            if not looks_like_measurement(att.filename, att.mime_type,
                                          measured_card=card.key in measured):
                updated.append(att)
                continue
            url = urls.get(att.id) or conn.content_url(att.id, att.filename)
            got = fetch(conn.session, url=url, attachment_id=att.id, filename=att.filename,
                        size=att.size, dest_dir=dest, data_dir=config.data_dir,
                        cap_bytes=jc.max_attachment_bytes)
            updated.append(replace(att, local_path=got.local_path, skipped=got.skipped))
        out.append(replace(card, attachments=tuple(updated)))
    return out

