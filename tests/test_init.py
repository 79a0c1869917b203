"""`reporter init`: the packaged example with the user's name, e-mail and time zone; never
overwrites; `--print`; the example really ships in the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.config import load_config
from reporter.starter import (
    EXAMPLE_EMAIL,
    EXAMPLE_NAME,
    Details,
    example_path,
    starting_config,
    system_timezone,
)
from tests.conftest import ROOT


@pytest.fixture
def git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A global git config with the user's name and e-mail, and a time zone in $TZ."""
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Bennée, Alex\n\temail = alex.bennee@example.org\n",
                         encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("TZ", ":Europe/London")


def test_init_writes_the_example_with_the_users_details(
        tmp_path: Path, git_identity: None, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "conf" / "config.yaml"
    assert main(["init", "--path", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}\n"
    text = path.read_text(encoding="utf-8")
    config = load_config(path)
    assert config.author.name == "Bennée, Alex"
    assert config.author.email == "alex.bennee@example.org"
    assert config.timezone == "Europe/London"
    assert config.jira is not None and config.jira.user == "alex.bennee@example.org"
    assert config.patches is not None and config.patches.submitter == "alex.bennee@example.org"
    assert config.mail is not None
    assert config.mail.sender == '"Bennée, Alex" <alex.bennee@example.org>'
    assert config.mail.smtp is not None and config.mail.smtp.user == "alex.bennee@example.org"
    assert EXAMPLE_NAME not in text and EXAMPLE_EMAIL not in text
    # every other line is the example's, comments included
    example = example_path().read_text(encoding="utf-8").splitlines()
    written = text.splitlines()
    assert len(written) == len(example)
    changed = [a for a, b in zip(example, written, strict=True) if a != b]
    assert len(changed) == 6  # author, timezone, jira.user, submitter, mail.from, smtp.user


def test_init_never_overwrites(tmp_path: Path, git_identity: None,
                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"mine: true\n")
    assert main(["init", "--path", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: already exists; left as it is" in err and "--path" in err
    assert path.read_bytes() == b"mine: true\n"
    link = tmp_path / "dangling.yaml"
    link.symlink_to(tmp_path / "nowhere.yaml")
    assert main(["init", "--path", str(link)]) == 2
    assert not (tmp_path / "nowhere.yaml").exists()


def test_init_print_writes_nothing(tmp_path: Path, git_identity: None,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert main(["init", "--print"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# reporter configuration: every key")
    assert "author: {name: 'Bennée, Alex', email: alex.bennee@example.org}" in out
    assert not (tmp_path / "xdg").exists()


def test_init_writes_the_default_path_or_the_global_config(
        tmp_path: Path, git_identity: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert main(["init"]) == 0
    assert (tmp_path / "xdg" / "reporter" / "config.yaml").is_file()
    assert main(["--config", str(tmp_path / "other.yaml"), "init"]) == 0
    assert main(["init", "--config", str(tmp_path / "after.yaml")]) == 0
    assert load_config(tmp_path / "other.yaml").author.email == "alex.bennee@example.org"
    assert (tmp_path / "after.yaml").is_file()


def test_unknown_details_stay_placeholders_and_are_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    starter = starting_config(Details(name=None, email=None, timezone=None))
    assert starter.unknown == ("author.name", "author.email", "timezone")
    path = tmp_path / "config.yaml"
    path.write_text(starter.text, encoding="utf-8")
    config = load_config(path)
    assert (config.author.name, config.author.email, config.timezone) == (
        "Your Name", "you@example.org", "UTC")


def test_names_that_yaml_or_mail_would_misread_are_quoted(tmp_path: Path) -> None:
    for name in ("O'Brien, Pat: \"the second\"", "#1 fan", "AKASHI 明彦", "yes"):
        starter = starting_config(Details(name=name, email="pat@example.org",
                                          timezone="Asia/Tokyo"))
        path = tmp_path / "config.yaml"
        path.write_text(starter.text, encoding="utf-8")
        config = load_config(path)
        assert config.author.name == name
        assert config.mail is not None and "pat@example.org" in config.mail.sender


def test_the_time_zone_comes_from_tz_etc_timezone_or_the_localtime_link(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    assert system_timezone({}, etc) == (None, "")
    assert system_timezone({"TZ": "/usr/share/zoneinfo/Asia/Tokyo"}, etc)[0] == "Asia/Tokyo"
    assert system_timezone({"TZ": "Not/AZone"}, etc) == (None, "")
    (etc / "localtime").symlink_to("../usr/share/zoneinfo/America/New_York")
    assert system_timezone({}, etc) == ("America/New_York", str(etc / "localtime"))
    (etc / "timezone").write_text("Europe/Paris\n")
    assert system_timezone({}, etc) == ("Europe/Paris", str(etc / "timezone"))


def test_messages_point_to_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("author: {name: X, email: x@example.org}\nsections: []\n")
    assert main(["--config", str(bad), "preview"]) == 2
    assert "`reporter init --print` shows every key" in capsys.readouterr().err
    assert main(["--config", str(tmp_path / "none.yaml"), "status"]) == 2
    assert "start one with `reporter init`" in capsys.readouterr().err


def test_the_example_is_the_one_in_the_checkout() -> None:
    assert example_path() == ROOT / "config" / "example.yaml"


@pytest.mark.slow
def test_the_wheel_ships_the_example_and_the_templates(tmp_path: Path) -> None:
    pytest.importorskip("setuptools", reason="building the wheel needs setuptools")
    pytest.importorskip("wheel", reason="building the wheel needs the wheel package")
    source = tmp_path / "source"  # a copy: building in place would leave build/ behind
    for name in ("pyproject.toml", "README.md", "reporter", "templates", "config"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(ROOT / name, source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(tmp_path), str(source)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PIP_NO_INDEX": "1"})
    assert done.returncode == 0, done.stderr
    [wheel] = tmp_path.glob("reporter-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "reporter/example/example.yaml" in names
    assert "reporter/templates/weekly.txt.j2" in names
    assert not [n for n in names if n.endswith("demo.yaml")]
    assert "reporter/doctor/checks.py" in names
    shipped = zipfile.ZipFile(wheel).read("reporter/example/example.yaml")
    assert shipped == (ROOT / "config" / "example.yaml").read_bytes()
