"""Patch status in the email, end to end through main(): pull from the local Patchwork,
lore and git, then preview; the references continue the email's numbering."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from reporter.cli import main
from tests.patch_helpers import Scenario, archive_for, build_repos, patchwork_data, write_config
from tests.servers.lore import ArchiveServer
from tests.servers.patchwork import PatchworkServer

NOW = dt.datetime(2023, 2, 13, 0, 30, tzinfo=dt.UTC)
NOTES = """\
sections:
  U-Boot support:
    cards:
      TS-219:
        - The follow-up patch<https://lists.denx.de/pipermail/u-boot/2022-May/483962.html>
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_repos(tmp_path_factory.mktemp("repos"))


def test_pull_then_preview_shows_the_patch_status(
        tmp_path: Path, scenario: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    with PatchworkServer(patchwork_data()) as pw, ArchiveServer(archive_for(scenario)) as lore:
        config = write_config(tmp_path, patchwork=pw.url, lore=lore.lore,
                              repo=scenario.upstream)
        (tmp_path / "data" / "weeks").mkdir(parents=True)
        (tmp_path / "data" / "weeks" / "2023-02-10.yaml").write_text(NOTES, encoding="utf-8")
        assert main(["--config", str(config), "pull", "--week", "2023-02-10"], now=NOW) == 0
        lore_url = lore.lore
    capsys.readouterr()
    assert main(["--config", str(config), "preview", "--offline", "--week", "2023-02-10"],
                now=NOW) == 0
    body = capsys.readouterr().out.split("\n\n", 1)[1]
    section = body.split("=== Patch status ===\n", 1)[1].split("\n=== Issues ===", 1)[0]
    entries = re.findall(r"^\* (.*)$", section, flags=re.M)
    assert len(entries) == 3
    assert entries[0].endswith("[2]")  # [1] is TS-219's link: the numbering continues
    refs = re.findall(r"^  \[(\d+)\] (\S+)$", section, flags=re.M)
    assert [n for n, _ in refs] == ["2", "3", "4"]
    assert all(url.startswith(lore_url) for _, url in refs)
    assert "Merged: " in section and "Reviewed-by: " in section
    assert all(len(line) <= 80 for line in section.splitlines() if "://" not in line)


def test_an_unreachable_patchwork_fails_the_pull_and_keeps_the_snapshot(
        tmp_path: Path, scenario: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    with PatchworkServer(patchwork_data()) as pw, ArchiveServer(archive_for(scenario)) as lore:
        config = write_config(tmp_path, patchwork=pw.url, lore=lore.lore,
                              repo=scenario.upstream)
        assert main(["--config", str(config), "pull", "--week", "2023-02-10"], now=NOW) == 0
    stored = tmp_path / "data" / "snapshots" / "2023-02-10" / "patches.json"
    before = stored.read_bytes()
    capsys.readouterr()
    # The servers are gone: the same URLs now refuse connections.
    assert main(["--config", str(config), "pull", "--week", "2023-02-10"], now=NOW) == 1
    err = capsys.readouterr().err
    assert err.startswith("reporter: error: patchwork: ") and len(err.splitlines()) == 1
    assert stored.read_bytes() == before
