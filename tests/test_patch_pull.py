"""pull_patches end to end: Patchwork, lore, pipermail and git on loopback, and its failures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter.config import Config, load_config
from reporter.errors import SourceError
from reporter.model.patches import PatchSnapshot
from reporter.sources.patch_http import make_session
from reporter.sources.patches import pull_patches
from reporter.store.snapshot import read_part, write_part
from tests.patch_helpers import (
    S1,
    S1_COVER,
    S2,
    S4,
    SECOND_ADDRESS,
    SUBMITTER,
    Scenario,
    archive_for,
    build_repos,
    patchwork_data,
    pipermail_pages,
    write_config,
)
from tests.servers.lore import ArchiveServer
from tests.servers.patchwork import Behaviour, PatchworkServer

WEEK = dt.date(2023, 2, 10)
NOW = dt.datetime(2023, 2, 13, 0, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_repos(tmp_path_factory.mktemp("repos"))


@pytest.fixture()
def servers(scenario: Scenario) -> Iterator[tuple[PatchworkServer, ArchiveServer]]:
    with PatchworkServer(patchwork_data()) as pw, \
            ArchiveServer(pipermail_pages(archive_for(scenario))) as archive:
        yield pw, archive


def config_for(tmp_path: Path, scenario: Scenario, pw: str | None, archive: ArchiveServer,
               **kwargs: object) -> Config:
    return load_config(write_config(tmp_path, patchwork=pw, lore=archive.lore,
                                    pipermail=archive.pipermail, repo=scenario.upstream,
                                    **kwargs))  # type: ignore[arg-type]


def pull(config: Config, previous: PatchSnapshot | None = None) -> PatchSnapshot:
    return pull_patches(config, WEEK, NOW, previous=previous, session=make_session(retries=0))


def test_a_first_pull_gathers_every_source(tmp_path: Path, scenario: Scenario,
                                           servers: tuple[PatchworkServer, ArchiveServer]
                                           ) -> None:
    pw, archive = servers
    snap = pull(config_for(tmp_path, scenario, pw.url, archive))
    assert [s.id for s in snap.series] == [302, 301, 304]  # S3 is closed and quiet
    assert snap.emails == (SECOND_ADDRESS, SUBMITTER[1])
    assert snap.timezone == "Asia/Tokyo" and snap.git_branches == ("master", "next")
    s2, s1, s4 = snap.series
    assert s1.msgid == S1_COVER and s1.cover_msgid == S1_COVER
    assert s1.archive_url == f"{archive.lore}/{S1_COVER}/"
    assert [p.state for p in s1.patches] == ["accepted", "accepted", "new"]
    assert [(m.patch_msgid, m.method, m.branch, m.release) for m in s1.merged] == [
        (S1[0], "patch-id", "master", "v2023.04-rc1"),
        (S1[1], "subject", "master", "v2023.04-rc2"),
        (S1[2], "trailer", "next", None)]
    assert [(c.patch_id, c.current) for c in s1.state_changes] == [(1001, "accepted"),
                                                                  (1002, "accepted")]
    assert len(s1.review_tags) == 5 and s1.applied[0].tree == "u-boot/master"
    assert s1.thread_fetched and s2.thread_fetched and not s4.thread_fetched
    assert s2.patches[0].msgid == S2 and s2.review_tags[0].name == "Ilias Apalodimas"
    assert (s4.total, s4.received, s4.name) == (3, 2, "doc: fix typos in README")
    assert [p.msgid for p in s4.patches] == S4
    # The whole history up to the week's end is read once, under both addresses: the
    # tree's .mailmap joins the second one (/people/ needs a token).
    lists = [r for r in pw.requests if "submitter=" in r]
    assert not any("since=" in r for r in lists)
    assert all("before=2023-02-10T15%3A00%3A00" in r for r in lists)
    assert any("submitter=akashi.tkhro%40gmail.com" in r for r in lists)
    # One lookup for the week's event of someone else's patch; the project is checked.
    assert [r for r in pw.requests if r.startswith("/api/1.3/patches/2")] == [
        "/api/1.3/patches/2001/"]
    assert pw.requests[0] == "/api/1.3/projects/uboot/"


def test_the_snapshot_survives_the_store(tmp_path: Path, scenario: Scenario,
                                         servers: tuple[PatchworkServer, ArchiveServer]) -> None:
    pw, archive = servers
    config = config_for(tmp_path, scenario, pw.url, archive)
    snap = pull(config)
    write_part(config.data_dir, WEEK, "patches", snap)
    assert read_part(config.data_dir, WEEK, "patches", PatchSnapshot) == snap


def test_a_later_pull_reads_back_to_the_oldest_open_series(
        tmp_path: Path, scenario: Scenario,
        servers: tuple[PatchworkServer, ArchiveServer]) -> None:
    pw, archive = servers
    config = config_for(tmp_path, scenario, pw.url, archive)
    first = pull(config)
    pw.requests.clear()
    again = pull(config, previous=first)
    since = [r for r in pw.requests if "/patches/" in r]
    assert since and all("since=2023-01-09T08%3A00%3A00" in r for r in since)
    assert [s.id for s in again.series] == [302, 301, 304]


def test_pipermail_links_fall_back_to_lore(tmp_path: Path, scenario: Scenario,
                                           servers: tuple[PatchworkServer, ArchiveServer]
                                           ) -> None:
    pw, archive = servers
    snap = pull(config_for(tmp_path, scenario, pw.url, archive, links="pipermail"))
    urls = {s.id: s.archive_url for s in snap.series}
    assert urls[301] == f"{archive.pipermail}/2023-February/506601.html"
    assert urls[302] == f"{archive.lore}/{S2}/"  # not in the fixture's January
    again = pull(config_for(tmp_path, scenario, pw.url, archive, links="pipermail"),
                 previous=snap)
    assert again.find(301).archive_url == urls[301]  # type: ignore[union-attr]


def test_patchwork_links(tmp_path: Path, scenario: Scenario,
                         servers: tuple[PatchworkServer, ArchiveServer]) -> None:
    pw, archive = servers
    snap = pull(config_for(tmp_path, scenario, pw.url, archive, links="patchwork"))
    # The list with every state and archived patches: all three show, accepted or not.
    assert snap.find(301).archive_url == (  # type: ignore[union-attr]
        "https://pw.example/project/uboot/list/?series=301&state=*&archive=both")
    # A one-patch series links the patch's own page.
    assert snap.find(302).archive_url == (  # type: ignore[union-attr]
        f"https://pw.example/project/uboot/patch/{S2}/")


def test_without_patchwork_the_open_series_are_carried(tmp_path: Path, scenario: Scenario,
                                                       servers: tuple[PatchworkServer,
                                                                      ArchiveServer]) -> None:
    pw, archive = servers
    previous = pull(config_for(tmp_path, scenario, pw.url, archive))
    config = config_for(tmp_path, scenario, None, archive)
    snap = pull(config, previous=previous)
    assert [s.id for s in snap.series] == [302, 301, 304]
    assert snap.patchwork is None


def test_without_a_patches_section_the_snapshot_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("author: {name: A, email: a@b.org}\nsections: [{title: T, projects: [TS]}]\n")
    snap = pull_patches(load_config(path), WEEK, NOW, previous=None)
    assert snap.series == () and snap.submitter == ""


def test_an_unreachable_patchwork_fails_the_pull(tmp_path: Path, scenario: Scenario,
                                                 servers: tuple[PatchworkServer, ArchiveServer]
                                                 ) -> None:
    _, archive = servers
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = config_for(tmp_path, scenario, f"http://127.0.0.1:{port}", archive)
    with pytest.raises(SourceError) as info:
        pull(config)
    assert info.value.message.startswith("patchwork: cannot reach")
    assert not (config.data_dir / "snapshots").exists()


def test_a_paging_loop_fails_the_pull(tmp_path: Path, scenario: Scenario) -> None:
    with PatchworkServer(patchwork_data(), Behaviour(loop_endpoint="series")) as pw, \
            ArchiveServer(archive_for(scenario)) as archive:
        with pytest.raises(SourceError, match="^patchwork: the Link header"):
            pull(config_for(tmp_path, scenario, pw.url, archive))


def test_a_truncated_thread_fails_the_pull(tmp_path: Path, scenario: Scenario) -> None:
    broken = archive_for(scenario)
    broken.truncate = True
    with PatchworkServer(patchwork_data()) as pw, ArchiveServer(broken) as archive:
        with pytest.raises(SourceError, match="^lore: the thread mbox .* is truncated"):
            pull(config_for(tmp_path, scenario, pw.url, archive))


def test_a_missing_clone_fails_the_pull(tmp_path: Path, scenario: Scenario,
                                        servers: tuple[PatchworkServer, ArchiveServer]) -> None:
    pw, archive = servers
    missing = dataclasses.replace(scenario, upstream=tmp_path / "gone")
    with pytest.raises(SourceError, match="^git: .*gone does not exist"):
        pull(config_for(tmp_path, missing, pw.url, archive))
