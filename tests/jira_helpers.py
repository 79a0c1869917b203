"""Helpers for the Jira tests: a real configuration file pointing at the local Jira."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import traceback
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from reporter.config import Config, load_config
from reporter.sources.jira.session import RetryPolicy

WEEK_END = dt.date(2023, 2, 10)  # the golden week: Sat 2023-02-04 .. Fri 2023-02-10
NOW = dt.datetime(2023, 2, 13, 0, 30, tzinfo=dt.UTC)  # Monday morning in Tokyo
FAST = RetryPolicy(max_retries=3, backoff_base_s=0.01, backoff_max_s=0.05)
TOKEN_ENV = "REPORTER_TEST_JIRA_TOKEN"


def make_config(tmp_path: Path, server: str, **jira: Any) -> Config:
    """A configuration file like config/example.yaml, with `jira` keys overridden."""
    doc: dict[str, Any] = {
        "author": {"name": "AKASHI Takahiro", "email": "takahiro.akashi@linaro.org"},
        "timezone": "Asia/Tokyo",
        "week_ends_on": "friday",
        "data_dir": "data",
        "sections": [{"title": "Stratos", "projects": ["STR", "LBO"]},
                     {"title": "U-Boot support", "projects": ["TS"]}],
        "jira": {"server": server, "auth": "token", "user": "takahiro.akashi@linaro.org",
                 "token_env": TOKEN_ENV, "timeout_s": 5, "deadline_s": 30, **jira},
    }
    measurements = doc["jira"].pop("measurements", None)
    if measurements:
        doc["measurements"] = measurements
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_config(path)


def adf(text: str) -> dict[str, Any]:
    """A one-paragraph ADF document."""
    return {"type": "doc", "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]}


# The planted-token scans: a secret only a test could have set, in every form it
# could leak in (plain, URL-quoted, inside Basic auth), and a handler keeping every
# log record with its traceback.
PLANTED = f"planted-{uuid.uuid4().hex}"  # unique: it can only come from this test
USER = "takahiro.akashi@linaro.org"


def forms(user: str = USER) -> list[str]:
    return [PLANTED, quote(PLANTED, safe=""),
            base64.b64encode(f"{user}:{PLANTED}".encode()).decode()]


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "".join(traceback.format_exception(*record.exc_info))
        self.texts.append(f"{record.name}: {text} {record.args!r}")
