"""Configuration: complete validation with file, key path and line; every source optional."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.config import load_config
from reporter.errors import ConfigError
from tests.conftest import ROOT, write_config


def test_a_config_without_sources_loads(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    assert config.jira is None and config.patches is None and config.mail is None
    assert config.measurements == ()
    assert config.week_ends_on == 4  # friday by default
    assert config.data_dir == tmp_path / "data"
    assert config.calendar.lookahead_days == 14


def test_the_shipped_configs_load() -> None:
    demo = load_config(ROOT / "config" / "demo.yaml")
    assert demo.jira is None and demo.patches is None
    example = load_config(ROOT / "config" / "example.yaml")
    assert example.jira is not None and example.patches is not None and example.mail
    assert example.measurements and example.calendar.country == "JP"


def test_every_key_of_the_example_is_commented() -> None:
    """Each key line has a comment on it or in the comment block above its group."""
    lines = (ROOT / "config" / "example.yaml").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "#" in line:
            continue
        above = number - 2
        while above >= 0 and lines[above].strip() and not lines[above].strip().startswith("#"):
            above -= 1
        assert above >= 0 and lines[above].strip().startswith("#"), (
            f"example.yaml:{number} has no comment: {stripped}")


@pytest.mark.parametrize(("body", "expected"), [
    ("colour: blue\n", "config.yaml:7: colour: unknown key"),
    ("timezone_: UTC\n", "did you mean 'timezone'?"),
    ("jira: {server: https://x.example, auth: tokn, user: a@b.c}\n",
     "config.yaml:7: jira.auth: must be one of token, pat, netrc, none"),
    ("calendar: {lookahead_days: soon}\n",
     "config.yaml:7: calendar.lookahead_days: expected an integer, got text"),
    ("mail:\n  to: [a@example.org]\n  smtp: {host: h}\n",
     "config.yaml:7: mail.from: missing required value"),
    ("mail:\n  from: a@example.org\n  to: [a@example.org, 'not an address']\n"
     "  smtp: {host: h}\n", "config.yaml:9: mail.to[1]: not one e-mail address"),
    ("patches: {submitter: me@example.org, links: pipermail}\n",
     "patches.links: links: pipermail needs archive.pipermail"),
    ("jira: {server: https://x.example, auth: pat, token: s3cret}\n",
     "jira.token: secrets are never read from the configuration file"),
    ("measurements:\n  - {card: STR-76, files: 'm/*', threshold_us: -1}\n",
     "config.yaml:8: measurements[0].threshold_us: must be greater than 0"),
    ("week_ends_on: fri\n", "week_ends_on: must be a weekday name"),
])
def test_bad_values_name_file_key_and_line(tmp_path: Path, body: str, expected: str) -> None:
    path = write_config(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert expected in str(info.value)
    assert "s3cret" not in str(info.value)


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    path = write_config(tmp_path, "colour: blue\ncalendar: {lookahead_days: x}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "colour" in str(info.value) and "lookahead_days" in str(info.value)


def test_a_missing_section_list_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("author: {name: A, email: a@b.c}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c.yaml:1: sections: missing required value"):
        load_config(path)


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("author: {name: A\nsections: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c.yaml:\d+: malformed YAML"):
        load_config(path)


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, "timezone: UTC\n")
    with pytest.raises(ConfigError, match="duplicate key 'timezone'"):
        load_config(path)


def test_the_cli_exits_2_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    path = write_config(tmp_path, "colour: blue\n")
    assert main(["--config", str(path), "preview", "--week", "2023-02-10"]) == 2
    err = capsys.readouterr().err
    assert "colour: unknown key" in err and str(path) in err
    assert "Traceback" not in err


def test_a_missing_config_file_says_how_to_get_one(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "nope.yaml"), "preview"]) == 2
    assert "reporter init" in capsys.readouterr().err


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert main(["--config", str(ROOT / "config" / "demo.yaml"), "preview", "--week",
                 "someday"]) == 2
    assert "not a date" in capsys.readouterr().err


def test_sections_must_not_share_a_project(tmp_path: Path) -> None:
    path = write_config(tmp_path, sections=textwrap.dedent("""\
        sections:
          - {title: A, projects: [STR]}
          - {title: B, projects: [STR]}
        """))
    with pytest.raises(ConfigError, match="project STR is already in section 'A'"):
        load_config(path)


def test_an_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    path.write_text(path.read_text().replace("Asia/Tokyo", "Mars/Olympus"))
    with pytest.raises(ConfigError, match=r"config.yaml:2: timezone: unknown time zone"):
        load_config(path)
