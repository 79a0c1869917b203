"""Shared test setup: loopback-only sockets, fixed git identities, a demo-like data dir."""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import socket
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths and the like stay on this machine
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name: would need DNS and the network


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to servers on this machine only; anything else fails loudly."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            raise OSError(f"test tried to reach {address!r}: tests use loopback only")
        return real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        if not _is_loopback(address):
            raise OSError(f"test tried to reach {address!r}: tests use loopback only")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
                      ) -> None:
    """No user config, no keyring, no netrc and fixed git identities leak into tests."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("REPORTER_CONFIG", raising=False)
    monkeypatch.delenv("REPORTER_NOW", raising=False)
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)  # the editor tests choose their own
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for key, value in {
        "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.org",
        "GIT_COMMITTER_NAME": "Test Committer", "GIT_COMMITTER_EMAIL": "committer@example.org",
        "GIT_AUTHOR_DATE": "2023-02-06T10:00:00+09:00",
        "GIT_COMMITTER_DATE": "2023-02-06T10:00:00+09:00",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
    }.items():
        monkeypatch.setenv(key, value)


# Monday 2023-02-13 09:00 in Tokyo: the golden week's send time.
MONDAY_AFTER_GOLDEN = dt.datetime(2023, 2, 13, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A copy of config/demo.yaml and data/ in tmp_path; returns the config path."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "demo.yaml", tmp_path / "config" / "demo.yaml")
    return tmp_path / "config" / "demo.yaml"


def write_config(tmp_path: Path, body: str = "", *, sections: str | None = None) -> Path:
    """A small valid configuration in tmp_path with `body` appended (YAML text)."""
    sections = sections or textwrap.dedent("""\
        sections:
          - {title: Stratos, projects: [STR, LBO]}
          - {title: U-Boot support, projects: [TS]}
        """)
    text = textwrap.dedent("""\
        author: {name: Test Engineer, email: test@example.org}
        timezone: Asia/Tokyo
        data_dir: data
        """) + sections + textwrap.dedent(body)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "data" / "weeks").mkdir(parents=True, exist_ok=True)
    return path
