"""Jira: the server answers, the login works (`myself`), the JQL parses, the search answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from reporter.config import Config
from reporter.doctor.result import Check, fail, failed, ok, warn
from reporter.errors import SourceError

if TYPE_CHECKING:
    from reporter.sources.jira.connect import Login
    from reporter.sources.jira.session import RetryPolicy


def check_jira(config: Config, week_end: dt.date, login: Login,
               policy: RetryPolicy | None = None) -> Iterator[Check]:
    """One line per step; a step that fails ends the walk (the later ones cannot run).

    Every request goes through the pull's own session: jira.timeout_s per request, within
    jira.deadline_s, retried once at most (`policy` overrides that, for tests).
    """
    from reporter.sources.jira import failures
    from reporter.sources.jira.connect import Connection, make_session
    from reporter.sources.jira.jql import jira_default_jql
    from reporter.sources.jira.parse import ShapeError, parse_me
    from reporter.sources.jira.search import first_page, jql_errors
    from reporter.sources.jira.session import Deadline, RetryPolicy

    jc = config.jira
    assert jc is not None
    where = failures.safe_url(jc.server)
    jql = jc.jql or jira_default_jql(config, week_end)
    fix_jql = ("fix jira.jql" if jc.jql else
               "check the sections' project keys (the default JQL names them)")
    session = make_session(jc, login, Deadline(jc.deadline_s),
                           policy or RetryPolicy(max_retries=1, backoff_base_s=1.0))
    step = "jira server"
    try:
        with session:
            conn = Connection(jc, session)
            yield ok(step, f"{where} answers (Jira {conn.deployment})")
            step = "jira auth"
            if jc.auth == "none":
                yield ok(step, "no login to check (jira.auth: none)")
            else:
                try:
                    me = parse_me(conn.call("myself", conn.client.myself))
                except ShapeError as exc:
                    raise failures.bad_shape("myself", str(exc)) from None
                who = me.email or me.name or me.account_id or "an account without a name"
                yield ok(step, f"logged in as {who} ({login.note})")
            step = "jira jql"
            errors = jql_errors(conn, jql)
            if errors:
                yield fail(step, f"Jira does not accept the JQL: {'; '.join(errors)} "
                           f"(JQL: {jql})", fix_jql)
                return
            if errors is not None:
                yield ok(step, f"parses: {jql}")
            step = "jira search"
            try:
                count, more = first_page(conn, jql)
            except SourceError as exc:
                if conn.cloud or "HTTP 400" not in exc.message:
                    raise
                # Server/Data Center has no jql/parse: a refused JQL shows up here.
                yield fail("jira jql", f"Jira does not accept the JQL ({exc.message}; "
                           f"JQL: {jql})", fix_jql)
                return
            if errors is None:
                yield ok("jira jql", f"the search accepts it: {jql}")
            if count == 0:
                yield warn(step, "answers, but no card matches the JQL",
                           f"{fix_jql}; are the cards assigned to this account?")
            else:
                yield ok(step, f"answers: {count}{'+' if more else ''} card"
                         f"{'s' if count != 1 or more else ''}")
    except SourceError as exc:
        yield failed(step, failures.scrubbed(exc, login.secrets))
