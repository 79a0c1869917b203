"""Jira failures as SourceErrors: one message naming Jira and the fix, never a secret."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit, urlunsplit

from reporter.errors import SourceError

_BODY_LIMIT = 300


def safe_url(url: str) -> str:
    """`url` without user info, query or fragment: those can carry tokens."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an invalid URL)"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def secret_forms(user: str | None, secret: str) -> tuple[str, ...]:
    """The ways a secret can show up in text: as is, URL-quoted, inside a Basic header."""
    forms = {secret, quote(secret, safe=""),
             base64.b64encode(f"{user or ''}:{secret}".encode()).decode("ascii")}
    return tuple(f for f in forms if len(f) >= 4)


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def scrubbed(exc: SourceError, secrets: Iterable[str]) -> SourceError:
    """A copy of `exc` whose message and hint hold none of `secrets` (defence in depth)."""
    secrets = tuple(secrets)
    return SourceError(scrub(exc.message, secrets),
                       hint=scrub(exc.hint, secrets) if exc.hint else None)


def jira_error_text(body: bytes) -> str:
    """Jira's own error text from a JSON error body (errorMessages, errors), shortened."""
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return ""
    texts: list[str] = []
    if isinstance(data, dict):
        messages = data.get("errorMessages")
        if isinstance(messages, list):
            texts += [m for m in messages if isinstance(m, str)]
        errors = data.get("errors")
        if isinstance(errors, dict):
            texts += [f"{k}: {v}" for k, v in errors.items() if isinstance(v, str)]
        for key in ("message", "errorMessage"):
            if isinstance(data.get(key), str):
                texts.append(data[key])
    text = re.sub(r"\s+", " ", "; ".join(texts)).strip()
    return text[:_BODY_LIMIT] + (" ..." if len(text) > _BODY_LIMIT else "")


def http_status(status: int, reason: str, url: str, *, body: bytes = b"",
                auth_note: str = "", denied_reason: str | None = None) -> SourceError:
    """The error for an HTTP status that is not retried (or no longer)."""
    where = safe_url(url)
    said = jira_error_text(body) if status not in (401, 403) else ""
    detail = f": {said}" if said else ""
    head = f"jira: HTTP {status} {reason} from {where}".rstrip()
    if status == 401:
        return SourceError(f"{head}: not authenticated",
                           hint=f"check the token and the user ({auth_note}); "
                           "is it set for the cron user too?")
    if status == 403:
        why = f" ({denied_reason.split(';')[0]})" if denied_reason else ""
        return SourceError(f"{head}: access denied{why}",
                           hint=f"check the token and the user ({auth_note}) and that the "
                           "account may browse these projects; after failed logins Jira "
                           "Server asks for a CAPTCHA: log in once in a browser")
    if status == 404:
        return SourceError(f"{head}{detail}",
                           hint="check jira.server: the site's base URL, such as "
                           "https://example.atlassian.net, or with its context path on "
                           "Server (https://host/jira)")
    if status == 410:
        return SourceError(f"{head}: the endpoint was removed{detail}",
                           hint="Jira Cloud removed /rest/api/2|3/search; reporter uses "
                           "/rest/api/3/search/jql when serverInfo says deploymentType "
                           "Cloud: check that jira.server is the Cloud site itself")
    if status == 400:
        return SourceError(f"{head}: the request was refused{detail}",
                           hint="check jira.jql (or the sections' project keys)")
    if status in (429, 503):
        return SourceError(f"{head}: still refused after retrying, honouring Retry-After",
                           hint="try again later, or raise jira.deadline_s")
    if status >= 500:
        return SourceError(f"{head}: the server failed{detail}",
                           hint="try again later; Jira itself is failing")
    return SourceError(f"{head}{detail}", hint="check jira.server and jira.jql")


def timeout(url: str, timeout_s: float, tries: int) -> SourceError:
    return SourceError(f"jira: no answer from {safe_url(url)} within {timeout_s:g} s "
                       f"({tries} tries)",
                       hint="check the network, or raise jira.timeout_s")


def unreachable(url: str, tries: int) -> SourceError:
    return SourceError(f"jira: cannot connect to {safe_url(url)} ({tries} tries)",
                       hint="check jira.server, the network and any proxy settings")


def tls(url: str) -> SourceError:
    return SourceError(f"jira: the TLS certificate of {safe_url(url)} was not accepted",
                       hint="check jira.server's host name, or REQUESTS_CA_BUNDLE for a "
                       "private certificate authority")


def deadline(deadline_s: float, doing: str) -> SourceError:
    return SourceError(f"jira: the pull took longer than {deadline_s:g} s ({doing})",
                       hint="try again later, or raise jira.deadline_s")


def wait_beyond_deadline(url: str, status: int, wait_s: float) -> SourceError:
    return SourceError(f"jira: HTTP {status} from {safe_url(url)} asks to retry in "
                       f"{wait_s:.0f} s, past the pull's deadline",
                       hint="try again later, or raise jira.deadline_s")


def html_page(url: str) -> SourceError:
    return SourceError(f"jira: {safe_url(url)} answered with an HTML page, not JSON",
                       hint="a login or single sign-on page? check jira.server (the "
                       "site's base URL) and the credentials")


def bad_json(what: str) -> SourceError:
    return SourceError(f"jira: {what}: the answer is not valid JSON",
                       hint="check jira.server: is it a Jira site, reached without a proxy "
                       "page in between?")


def bad_shape(what: str, detail: str) -> SourceError:
    return SourceError(f"jira: {what}: unexpected answer ({detail})",
                       hint="check jira.server: is it a Jira site? (reporter speaks the "
                       "REST API v2 of Server/Data Center and v3 of Cloud)")


def too_many_pages(what: str, max_pages: int) -> SourceError:
    return SourceError(f"jira: {what}: more than {max_pages} pages",
                       hint="narrow jira.jql, or raise jira.max_pages")


def repeated_token(page: int) -> SourceError:
    return SourceError(f"jira: search page {page} repeats an earlier nextPageToken",
                       hint="Jira's paging went round in a circle; try again later")
