"""The `jira:` section: the Jira server, its auth and the pull's limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reporter.config.checker import Checker, check_env, check_url, positive
from reporter.yamldoc import KeyPath


@dataclass(frozen=True)
class JiraConfig:
    server: str
    auth: str  # token | pat | netrc | none
    user: str | None
    token_env: str | None
    jql: str | None
    comments: str  # mine | all | off
    attachments: bool
    remote_links: bool
    keyring_service: str
    timeout_s: float
    deadline_s: float
    max_pages: int
    max_attachment_bytes: int
    post_comments: bool = False  # after a send: the week's bullets as one comment per card


def check_jira(c: Checker, top: dict[str, Any]) -> JiraConfig | None:
    raw = c.get(top, (), "jira", dict, None)
    if raw is None:
        return None
    kp: KeyPath = ("jira",)
    m = c.mapping(raw, kp, {
        "server", "auth", "user", "token_env", "jql", "comments", "attachments",
        "remote_links", "keyring_service", "timeout_s", "deadline_s", "max_pages",
        "max_attachment_mb", "token", "password", "post_comments",
    })
    if m is None:
        return None
    for secret in ("token", "password"):
        if secret in m:
            c.fail(kp + (secret,), "secrets are never read from the configuration file; "
                      "name an environment variable in token_env, or use the keyring or "
                      "~/.netrc")
    auth = c.choice(m, kp, "auth", ("token", "pat", "netrc", "none"), "token")
    user = c.get(m, kp, "user", str, None)
    if auth == "token" and not user:
        c.fail(kp + ("user",), "auth: token (Jira Cloud) needs the account's e-mail "
                  "address in user")
    token_env = c.get(m, kp, "token_env", str, "JIRA_API_TOKEN", check_env)
    return JiraConfig(
        server=c.get(m, kp, "server", str, check=check_url) or "",
        auth=auth or "token",
        user=user,
        token_env=token_env,
        jql=c.get(m, kp, "jql", str, None),
        comments=c.choice(m, kp, "comments", ("mine", "all", "off"), "mine") or "mine",
        attachments=c.get(m, kp, "attachments", bool, True),
        remote_links=c.get(m, kp, "remote_links", bool, False),
        keyring_service=c.get(m, kp, "keyring_service", str, "reporter-jira"),
        timeout_s=c.get(m, kp, "timeout_s", float, 30.0, positive),
        deadline_s=c.get(m, kp, "deadline_s", float, 300.0, positive),
        max_pages=c.get(m, kp, "max_pages", int, 50, positive),
        max_attachment_bytes=int(
            c.get(m, kp, "max_attachment_mb", float, 512.0, positive) * 1024 * 1024),
        post_comments=c.get(m, kp, "post_comments", bool, False),
    )
