"""Shared parts of the Jira write-back tests: a week's notes, a configured send, the local Jira."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.deliver_helpers import WEEK, write_config
from tests.servers.jira import LocalJira
from tests.servers.smtp import LoopbackSMTP

TOKEN_ENV = "JIRA_TEST_TOKEN"
USER = "engineer@example.org"
MARKER = "Weekly report, week ending 2023-02-10:"

NOTES = textwrap.dedent("""\
    sections:
      Stratos:
        cards:
          STR-76:
            - |
              Still continued to investigate a big latency <https://lore.example/msg1>.
              Second line with *stars* and {braces}.
            - Another bullet, see https://docs.example/slides.
          STR-68:
            status: Done
            notes:
              - Finished the write-up.
          STR-41: []
    """)

# STR-76 and STR-68 have the engineer's bullets; STR-41 has none ("No progress");
# STR-90 is not in the notes and its text comes from its own Jira comment (no echo).
CARDS = ("STR-76", "STR-68", "STR-41", "STR-90")
IN_WEEK = "2023-02-08T10:15:00.000+0900"


def jira_server(deployment: str, **kwargs: Any) -> LocalJira:
    """Cloud with e-mail + API token, Server/Data Center with a personal access token."""
    jira = LocalJira(deployment, user=USER, auth="basic" if deployment == "Cloud" else "bearer",
                     **kwargs)
    return jira


def add_cards(jira: LocalJira) -> None:
    for key in CARDS:
        jira.add_issue(key, f"The card {key}")
    body: Any = ("Checked the board again." if not jira.cloud else {
        "type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
            {"type": "text", "text": "Checked the board again."}]}]})
    jira.comments["STR-90"] = [jira.comment("10500", body, created=IN_WEEK)]


def configure(tmp_path: Path, smtp: LoopbackSMTP, jira: LocalJira, *, notes: str = NOTES,
              post_comments: bool = True, **extra: Any) -> Path:
    """config.yaml (mail to `smtp`, jira at `jira`) and the week's notes in tmp_path."""
    keys = {"server": jira.url, "auth": "token" if jira.cloud else "pat", "user": USER,
            "token_env": TOKEN_ENV, "comments": "mine", "attachments": False,
            "timeout_s": 5, "deadline_s": 20, "post_comments": post_comments, **extra}
    jira_yaml = "jira: " + json.dumps(keys) + "\n"
    return write_config(tmp_path, port=smtp.port, top_extra=jira_yaml, notes=notes)


def bodies(jira: LocalJira, key: str) -> list[Any]:
    """The bodies of the comments on `key` that reporter posted (its marker first)."""
    from reporter.sources.jira.text import adf_to_text, wiki_to_text

    out = []
    for comment in jira.comments.get(key, []):
        body = comment["body"]
        text = adf_to_text(body) if isinstance(body, dict) else wiki_to_text(body)
        if text.startswith(MARKER):
            out.append(body)
    return out


def posts(jira: LocalJira, what: str = "comment") -> list[str]:
    """The cards that got a POST of `what` (comment | transitions), in order."""
    return [r.path.split("/")[-2] for r in jira.requests
            if r.method == "POST" and r.path.endswith("/" + what)]


def ledger(tmp_path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (tmp_path / "data" / "sent" / f"{WEEK}.json").read_text(encoding="utf-8"))
    return doc


def records(tmp_path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """The ledger's Jira records by (card, action)."""
    return {(w["card"], w["action"]): w for w in ledger(tmp_path).get("jira", [])}


def status_of(jira: LocalJira, key: str) -> str:
    issue = next(i for i in jira.issues if i["key"] == key)
    name: str = issue["fields"]["status"]["name"]
    return name


@contextmanager
def servers(deployment: str) -> Iterator[tuple[LoopbackSMTP, LocalJira]]:
    with LoopbackSMTP() as smtp, jira_server(deployment) as jira:
        add_cards(jira)
        yield smtp, jira
