"""The connection: credentials per `jira.auth`, the jira library's client on our session.

The client is pycontribs' `jira.JIRA`. Its own ResilientSession is replaced by
JiraSession before the first request because ResilientSession sleeps 10 x 2^n
seconds between retries whatever the deadline, reads Retry-After only as a
number of seconds (an HTTP date raises), knows no overall deadline, and its
JIRAError text quotes the request headers (the token with them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from reporter.config import JiraConfig
from reporter.errors import ConfigError, SourceError
from reporter.secrets import Credentials, find_secret, netrc_lookup
from reporter.sources.jira import failures
from reporter.sources.jira.parse import ShapeError, parse_server_info
from reporter.sources.jira.session import (
    NO_AUTH,
    BasicAuth,
    BearerAuth,
    Deadline,
    JiraSession,
    RetryPolicy,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Login:
    """How to authenticate, and what to say about it in a hint (never the secret)."""

    auth: Any  # a requests AuthBase
    note: str
    secrets: tuple[str, ...]


def login_for(jc: JiraConfig, environ: Mapping[str, str] | None) -> Login:
    """Credentials per jira.auth: token (Cloud: e-mail + API token, Basic), pat (Bearer),
    netrc (Basic with ~/.netrc's login for the host) or none. Raises ConfigError."""
    host = urlsplit(jc.server).hostname or ""
    env = dict(environ) if environ is not None else None
    if jc.auth == "none":
        return Login(NO_AUTH, "no credentials (jira.auth: none)", ())
    if jc.auth == "netrc":
        found = netrc_lookup(host)
        login, secret = found if found is not None else (None, "")
        if not login:
            raise ConfigError(f"jira: ~/.netrc has no login for {host} (jira.auth: netrc)",
                              hint=f"add `machine {host} login USER password SECRET` to "
                              "~/.netrc (chmod 600), or choose jira.auth: token or pat")
        return Login(BasicAuth(login, secret), f"login {login} from ~/.netrc",
                     failures.secret_forms(login, secret))
    creds: Credentials = find_secret(what="jira", host=host, user=jc.user,
                                     env_var=jc.token_env, keyring_service=jc.keyring_service,
                                     environ=env)
    if jc.auth == "pat":
        return Login(BearerAuth(creds.secret),
                     f"personal access token from {creds.origin}",
                     failures.secret_forms(None, creds.secret))
    user = jc.user or creds.user or ""
    return Login(BasicAuth(user, creds.secret),
                 f"user {user} with the API token from {creds.origin}",
                 failures.secret_forms(user, creds.secret))


def make_session(jc: JiraConfig, login: Login, deadline: Deadline,
                 policy: RetryPolicy | None) -> JiraSession:
    """The one factory for Jira's HTTP session (tests hand in their own policy)."""
    return JiraSession(server=jc.server, auth=login.auth, auth_note=login.note,
                       timeout_s=jc.timeout_s, deadline=deadline, policy=policy)


class Connection:
    """The library client on our session, and whether the server is Jira Cloud."""

    def __init__(self, jc: JiraConfig, session: JiraSession) -> None:
        self.session = session
        self.server = jc.server.rstrip("/")
        probe = self._client("2")
        info = self.call("serverInfo", probe.server_info)
        try:
            self.deployment = parse_server_info(info)
        except ShapeError as exc:
            raise failures.bad_shape("serverInfo", str(exc)) from None
        self.cloud = self.deployment == "Cloud"
        # Cloud: REST v3 (search/jql, ADF bodies); Server/Data Center: REST v2.
        self.client = self._client("3") if self.cloud else probe
        self.client.deploymentType = self.deployment
        self._clients = (probe, self.client)  # kept alive: JIRA.__del__ closes the session

    def _client(self, api_version: str) -> Any:
        from jira import JIRA

        client = JIRA(server=self.server,
                      options={"rest_api_version": api_version, "check_update": False},
                      get_server_info=False, max_retries=0, logging=False)
        client._session.close()
        client._session = self.session  # type: ignore[assignment]  # see the module docstring
        return client

    def content_url(self, attachment_id: str, filename: str) -> str:
        """Where an attachment's bytes are when its JSON gave no `content` URL."""
        if self.cloud:
            return f"{self.server}/rest/api/3/attachment/content/{attachment_id}"
        return f"{self.server}/secure/attachment/{attachment_id}/{quote(filename, safe='')}"

    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one library call; its failures become SourceErrors that hold no secret."""
        from jira.exceptions import JIRAError

        try:
            return fn(*args, **kwargs)
        except SourceError:
            raise
        except JIRAError as exc:
            # str(JIRAError) quotes the request headers: use the status and URL only.
            status = exc.status_code if isinstance(exc.status_code, int) else None
            raise SourceError(f"jira: {what} failed"
                              + (f" (HTTP {status})" if status else "")
                              + (f" at {failures.safe_url(exc.url)}" if exc.url else ""),
                              hint="check jira.server and the credentials") from None
        except ValueError:
            raise failures.bad_json(what) from None
        except (KeyError, TypeError, AttributeError, IndexError):
            raise failures.bad_shape(what, "fields missing") from None
