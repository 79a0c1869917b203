"""Shared parts of the sending tests: a config and notes in tmp_path, TLS material, a run."""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import os
import ssl
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter.cli import Context, main
from reporter.config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent
# Monday 2023-02-13 09:00 in Tokyo: `send` picks the week ending Friday 2023-02-10.
MONDAY = dt.datetime(2023, 2, 13, 0, 0, tzinfo=dt.UTC)
WEEK = dt.date(2023, 2, 10)
SENDER = "engineer@example.org"
TO = ("team@example.org", "alex.bennee@example.org")

NOTES = textwrap.dedent("""\
    sections:
      Stratos:
        cards:
          STR-76:
            - |
              Still continued to investigate a big latency observed in a long run.
    issues:
      - I still need a PCIe card for SR-IOV testing.
    """)


def write_config(tmp_path: Path, *, port: int = 25, security: str = "none",
                 transport: str = "smtp", mail_extra: str = "", smtp_extra: str = "",
                 top_extra: str = "", to: tuple[str, ...] | None = None, retries: int = 0,
                 timeout_s: float = 5, summary: str | None = "Break down the latency",
                 notes: str | None = NOTES) -> Path:
    """config.yaml + data/weeks/2023-02-10.yaml in tmp_path; returns the config path."""
    recipients = ", ".join(_yaml_str(a) for a in (to or (
        "Team <team@example.org>", '"Bennée, Alex" <alex.bennee@example.org>')))
    text = textwrap.dedent(f"""\
        author: {{name: Test Engineer, email: {SENDER}}}
        timezone: Asia/Tokyo
        data_dir: data
        sections:
          - {{title: Stratos, projects: [STR]}}
        mail:
          from: Test Engineer <{SENDER}>
          to: [{recipients}]
          bcc_self: true
          followup_to: true
          transport: {transport}
          smtp: {{host: 127.0.0.1, port: {port}, security: {security},
                 timeout_s: {timeout_s}{smtp_extra}}}
          retries: {retries}
          retry_delay_s: 0
        """) + textwrap.indent(textwrap.dedent(mail_extra), "  ") + textwrap.dedent(top_extra)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "data" / "weeks").mkdir(parents=True, exist_ok=True)
    if notes is not None:
        (tmp_path / "data" / "weeks" / f"{WEEK}.yaml").write_text(notes, encoding="utf-8")
    if summary is not None:
        write_jira_snapshot(path, summary)
    return path


def _yaml_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class Run:
    status: int
    out: str
    err: str


def run_cli(config: Path, *args: str, now: dt.datetime = MONDAY) -> Run:
    """`reporter --config CONFIG ARGS` in this process, with its output captured."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status = main(["--config", str(config), *args], now=now)
    finally:
        sys.stdout, sys.stderr = saved
    return Run(status, out.getvalue(), err.getvalue())


def run_process(config: Path, *args: str, env: dict[str, str] | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m reporter --config CONFIG ARGS` as its own process (cwd = the repo root)."""
    full = dict(os.environ)
    full.update({"PYTHONPATH": str(ROOT), "REPORTER_NOW": MONDAY.isoformat()})
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "reporter", "--config", str(config), *args],
                          cwd=ROOT, env=full, capture_output=True, text=True, timeout=timeout)


def spawn_process(config: Path, *args: str, env: dict[str, str] | None = None
                  ) -> subprocess.Popen[str]:
    full = dict(os.environ)
    full.update({"PYTHONPATH": str(ROOT), "REPORTER_NOW": MONDAY.isoformat()})
    full.update(env or {})
    return subprocess.Popen([sys.executable, "-m", "reporter", "--config", str(config), *args],
                            cwd=ROOT, env=full, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def make_context(config_path: Path, *, interactive: bool = False) -> tuple[Context, io.StringIO]:
    config: Config = load_config(config_path)
    out = io.StringIO()
    return Context(config=config, now=MONDAY, stdout=out, stderr=io.StringIO(),
                   interactive=interactive), out


def make_tls(folder: Path, valid_days: int = 1) -> tuple[ssl.SSLContext, Path]:
    """A self-signed certificate for 127.0.0.1: the server's context and the CA file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=valid_days))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path = folder / "smtp-cert.pem"
    key_path = folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    return server, cert_path


def ledger_json(config: Path) -> Any:
    """The week's ledger file as JSON."""
    import json

    return json.loads((config.parent / "data" / "sent" / f"{WEEK}.json").read_text())


def write_jira_snapshot(config: Path, summary: str = "Break down the latency") -> None:
    """The week's Jira snapshot (as a pull stores it) with STR-76 and its summary."""
    from reporter.model.cards import Card, JiraSnapshot
    from reporter.store.snapshot import write_part

    snap = JiraSnapshot(pulled_at="2023-02-13T08:59:00+09:00", server="https://jira.example",
                        jql=None, cards=(Card(key="STR-76", summary=summary,
                                              status="In Progress",
                                              status_category="In Progress"),))
    write_part(config.parent / "data", WEEK, "jira", snap)


def without_date(data: bytes) -> bytes:
    """The message bytes minus the Date header (what preview can show ahead of sending)."""
    head, sep, rest = data.partition(b"\n\n")
    lines = head.split(b"\n")
    kept: list[bytes] = []
    skipping = False
    for line in lines:
        if line[:1] in (b" ", b"\t") and skipping:
            continue
        skipping = line.lower().startswith(b"date:")
        if not skipping:
            kept.append(line)
    return b"\n".join(kept) + sep + rest
