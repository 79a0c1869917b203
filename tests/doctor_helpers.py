"""The world `reporter doctor` checks: loopback Jira, Patchwork, archive and SMTP servers, a git
clone, a configuration naming them all, and the week's notes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reporter.cli import main
from tests.deliver_helpers import make_tls
from tests.patch_helpers import git_env, patchwork_data
from tests.servers.jira import LocalJira
from tests.servers.lore import Archive, ArchiveServer
from tests.servers.patchwork import Behaviour, PatchworkServer
from tests.servers.smtp import LoopbackSMTP, RecordingHandler

WEEK = dt.date(2023, 2, 10)
MONDAY = dt.datetime(2023, 2, 13, 0, 0, tzinfo=dt.UTC)  # 09:00 in Tokyo: the week is due
SUBMITTER = "takahiro.akashi@linaro.org"
JIRA_TOKEN = "jira-test-token"  # noqa: S105 - LocalJira's default token
SMTP_PASSWORD = "Sm7p-pa55word"  # noqa: S105 - a test password for the loopback server
NOTES = textwrap.dedent("""\
    sections:
      Stratos:
        cards:
          STR-76:
            - Still investigating the latency.
    issues: []
    """)


class MailCounter(RecordingHandler):
    """Records every MAIL command: the doctor must never send one."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.mail_from: list[str] = []

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:  # noqa: N802 - aiosmtpd's name
        self.mail_from.append(address)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


@dataclass
class World:
    root: Path
    jira: LocalJira
    patchwork: PatchworkServer
    archive: ArchiveServer
    smtp: LoopbackSMTP
    clone: Path
    counter: MailCounter
    keys: dict[str, Any] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    def write_config(self, **overrides: str) -> Path:
        """The configuration; `overrides` replace whole top-level sections (YAML text)."""
        sections = {
            "jira": f"""\
                jira: {{server: '{self.jira.url}', user: {SUBMITTER}, token_env: DOCTOR_JIRA_TOKEN,
                       timeout_s: 2, deadline_s: 20}}""",
            "patches": f"""\
                patches:
                  submitter: {SUBMITTER}
                  patchwork: {{url: '{self.patchwork.url}', project: uboot}}
                  archive: {{lore: '{self.archive.lore}', pipermail: '{self.archive.pipermail}'}}
                  git: {{repo: '{self.clone}', branches: [origin/master]}}
                  timeout_s: 2
                  deadline_s: 20""",
            "mail": f"""\
                mail:
                  from: Test <{SUBMITTER}>
                  to: [team@example.org]
                  smtp: {{host: 127.0.0.1, port: {self.smtp.port}, security: starttls,
                         user: {SUBMITTER}, password_env: DOCTOR_SMTP_PASSWORD, timeout_s: 2}}
                  retries: 0""",
        }
        sections.update(overrides)
        text = textwrap.dedent(f"""\
            author: {{name: Test Engineer, email: {SUBMITTER}}}
            timezone: Asia/Tokyo
            data_dir: data
            sections:
              - {{title: Stratos, projects: [STR]}}
            """) + "".join(textwrap.dedent(body) + "\n" for body in sections.values() if body)
        self.config.write_text(text, encoding="utf-8")
        return self.config


@contextmanager
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, cert_days: int = 90
          ) -> Iterator[World]:
    """Every server started, the secrets in the environment, the notes written."""
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("DOCTOR_JIRA_TOKEN", JIRA_TOKEN)
    monkeypatch.setenv("DOCTOR_SMTP_PASSWORD", SMTP_PASSWORD)
    tls, cafile = make_tls(tmp_path, valid_days=cert_days)
    monkeypatch.setenv("SSL_CERT_FILE", str(cafile))
    archive = Archive()
    archive.pages["/u-boot/"] = "<html><body>u-boot archive (public-inbox)</body></html>"
    archive.pages["/pipermail/u-boot/"] = "<html><body>The u-boot Archives</body></html>"
    with ExitStack() as stack:
        jira = stack.enter_context(LocalJira("Cloud"))
        jira.add_issue("STR-76", "Break down the latency")
        # A server that lists people to anonymous readers (3.2.1 answers 403 by default).
        patchwork = stack.enter_context(PatchworkServer(patchwork_data(),
                                                        Behaviour(people_forbidden=False)))
        served = stack.enter_context(ArchiveServer(archive))
        smtp = LoopbackSMTP(tls=tls, users={SUBMITTER: SMTP_PASSWORD})
        counter = MailCounter(smtp.script)
        smtp.handler = counter  # read by each new connection's SMTP instance
        stack.enter_context(smtp)
        found = World(tmp_path, jira, patchwork, served, smtp, make_clone(tmp_path), counter)
        found.write_config()
        weeks = tmp_path / "data" / "weeks"
        weeks.mkdir(parents=True)
        (weeks / f"{WEEK}.yaml").write_text(NOTES, encoding="utf-8")
        yield found


def make_clone(root: Path) -> Path:
    """An upstream repository and a clone of it that has fetched once."""
    upstream, clone = root / "upstream", root / "clone"
    env = git_env()
    subprocess.run(["git", "init", "-q", "-b", "master", str(upstream)], check=True, env=env)
    (upstream / "README").write_text("Das U-Boot\n")
    subprocess.run(["git", "-C", str(upstream), "add", "README"], check=True, env=env)
    subprocess.run(["git", "-C", str(upstream), "commit", "-q", "-m", "Initial commit"],
                   check=True, env=env)
    subprocess.run(["git", "clone", "-q", str(upstream), str(clone)], check=True, env=env)
    subprocess.run(["git", "-C", str(clone), "fetch", "-q"], check=True, env=env)
    return clone


@dataclass
class Doctor:
    status: int
    out: str
    err: str

    def line(self, name: str) -> str:
        """The one line of check `name` (it must be there exactly once)."""
        found = [line for line in self.out.splitlines() if line[6:].startswith(f"{name}: ")]
        assert len(found) == 1, (name, self.out)
        return found[0]

    def levels(self) -> dict[str, str]:
        return {line[6:].split(":", 1)[0]: line[:4].strip()
                for line in self.out.splitlines()[:-1]}


def run_doctor(config: Path, *args: str, now: dt.datetime = MONDAY) -> Doctor:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status = main(["doctor", "--config", str(config), *args], now=now)
    finally:
        sys.stdout, sys.stderr = saved
    return Doctor(status, out.getvalue(), err.getvalue())


def tree_digest(root: Path) -> dict[str, str]:
    """Every file and folder under `root` with its content's digest (and its mode)."""
    found = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = "link"
        elif path.is_dir():
            found[key] = f"dir {path.stat().st_mode:o}"
        else:
            data = path.read_bytes()
            found[key] = f"{path.stat().st_mode:o} {hashlib.sha256(data).hexdigest()}"
    return found


@contextmanager
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
