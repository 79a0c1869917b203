"""The week's history from Patchwork itself: transitions from events on a first run, the
server's time zone, old series named by events, superseded versions, tags from comments,
misconfiguration named; pull_patches and patch_entries on loopback."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest

from reporter.config import Config, load_config
from reporter.errors import SourceError
from reporter.model.patches import PatchSnapshot
from reporter.report.patch_entries import patch_entries
from reporter.sources.patch_http import make_session
from reporter.sources.patches import pull_patches
from tests.patch_helpers import (
    S1_SUBJECTS,
    SUBMITTER,
    Scenario,
    archive_for,
    build_repos,
    event,
    patch,
    patchwork_data,
    series,
    write_config,
)
from tests.servers.lore import ArchiveServer
from tests.servers.patchwork import PatchworkData, PatchworkServer

WEEK = dt.date(2023, 2, 10)
NEXT = dt.date(2023, 2, 17)
NOW = dt.datetime(2023, 2, 13, 0, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_repos(tmp_path_factory.mktemp("repos"))


def config(tmp_path: Path, scenario: Scenario, pw: PatchworkServer, *,
           lore: ArchiveServer | None = None, extra: str = "", submitter: str | None = None
           ) -> Config:
    path = write_config(tmp_path, patchwork=pw.url, lore=lore.lore if lore else None,
                        repo=scenario.upstream, extra=extra)
    if submitter is not None:
        path.write_text(path.read_text().replace(f"submitter: {SUBMITTER[1]}",
                                                 f"submitter: {submitter}"))
    return load_config(path)


def pull(cfg: Config, week: dt.date = WEEK, previous: PatchSnapshot | None = None
         ) -> PatchSnapshot:
    now = dt.datetime.combine(week + dt.timedelta(days=3), dt.time(0, 30), dt.UTC)
    return pull_patches(cfg, week, now, previous=previous, session=make_session(retries=0))


def entries(snap: PatchSnapshot, cfg: Config, week: dt.date = WEEK,
            last: PatchSnapshot | None = None) -> dict[str, list[str]]:
    """Each entry's lines by the series name (the title's text before " (v")."""
    assert cfg.patches is not None
    out = {}
    for entry in patch_entries(snap, last, cfg.patches, week):
        title, *lines = entry.split("\n")
        out[title.split(" (v", 1)[0]] = lines
    return out


def with_v1(data: PatchworkData) -> dict[str, Any]:
    """A v1 of S1 posted on Jan 20, still `new`: the v2 of the week replaces it."""
    me = data.series[0]["submitter"]
    v1 = series(300, "efi_loader: capsule: fix the update order", "2023-01-20T01:00:00", 1, 3,
                me, (990, "20230120010000.1-takahiro.akashi@linaro.org",
                     "[0/3] efi_loader: capsule: fix the update order"))
    members = [patch(990 + n, f"20230120010000.{n + 1}-takahiro.akashi@linaro.org",
                     f"[{n}/3] {S1_SUBJECTS[n - 1]}", f"2023-01-20T01:00:0{n}", "new", v1, me)
               for n in (1, 2, 3)]
    v1["patches"] = [{k: p[k] for k in ("id", "url", "web_url", "msgid", "date", "name")}
                     for p in members]
    v1["received_total"], v1["received_all"] = 3, True
    data.series.append(v1)
    data.patches.extend(members)
    return v1


# -- transitions come from the events ----------------------------------------------------


def test_a_first_run_shows_the_weeks_transitions(tmp_path: Path, scenario: Scenario) -> None:
    with PatchworkServer(patchwork_data()) as pw:
        cfg = config(tmp_path, scenario, pw)
        snap = pull(cfg)  # no earlier snapshot, no sent week
    shown = entries(snap, cfg)
    assert shown["cmd: bootefi: clean up"][0] == "State: New -> Under Review (Feb 6)"
    assert shown["doc: fix typos in README"][0] == "State: New (posted Feb 9)"


def test_events_are_read_over_several_link_pages(tmp_path: Path, scenario: Scenario) -> None:
    data = patchwork_data()
    s2 = data.patches[3]
    data.events += [event(7000 + i, f"2023-02-0{5 + i % 4}T0{i % 10}:00:00", data.patches[7],
                          "new", "changes-requested") for i in range(9)]
    with PatchworkServer(data) as pw:
        cfg = config(tmp_path, scenario, pw)
        snap = pull(cfg)
        pages = [r for r in pw.requests if r.startswith("/api/1.3/events/")]
    assert len(pages) == 7  # 14 events of the week, two a page
    assert "page=7" in pages[-1]
    assert snap.find(302).state_changes[0].patch_id == s2["id"]  # type: ignore[union-attr]


def test_a_change_undone_within_the_week(tmp_path: Path, scenario: Scenario) -> None:
    data = patchwork_data()
    s2 = data.patches[3]
    s2["state"] = "new"
    data.events = [e for e in data.events if e["id"] != 5003] + [
        event(5101, "2023-02-07T01:00:00", s2, "new", "accepted"),
        event(5102, "2023-02-08T01:00:00", s2, "accepted", "new")]
    with PatchworkServer(data) as pw:
        cfg = config(tmp_path, scenario, pw)
        shown = entries(pull(cfg), cfg)
    assert shown["cmd: bootefi: clean up"][0] == "State: New -> Accepted -> New (Feb 8)"


def test_a_friday_evening_change_in_tokyo_is_in_its_week(tmp_path: Path,
                                                          scenario: Scenario) -> None:
    data = patchwork_data()
    s2 = data.patches[3]
    s2["state"] = "accepted"
    # Friday Feb 10, 19:30 in Tokyo; the server stores 21:30 (Canberra, UTC+11).
    data.events.append(event(5201, "2023-02-10T10:30:00", s2, "under-review", "accepted"))
    assert data.events[-1]["date"] == "2023-02-10T21:30:00"
    with PatchworkServer(data) as pw:
        cfg = config(tmp_path, scenario, pw)
        this = pull(cfg)
        shown = entries(this, cfg)
        following = pull(cfg, NEXT, previous=this)
    assert shown["cmd: bootefi: clean up"][0] == \
        "State: New -> Under Review -> Accepted (Feb 10)"
    assert not following.find(302) or not following.find(302).state_changes  # type: ignore


def test_the_server_time_zone_is_a_setting(tmp_path: Path, scenario: Scenario) -> None:
    data = patchwork_data()
    data.timezone = "UTC"
    data.events = [event(5003, "2023-02-06T01:00:00", data.patches[3], "new", "under-review",
                         "UTC")]
    with PatchworkServer(data) as pw:
        cfg = config(tmp_path, scenario, pw, extra="")
        path = cfg.path
        path.write_text(path.read_text().replace("project: uboot}",
                                                 "project: uboot, timezone: UTC}"))
        cfg = load_config(path)
        snap = pull(cfg)
    assert cfg.patches and cfg.patches.patchwork and cfg.patches.patchwork.timezone == "UTC"
    assert snap.find(302).state_changes[0].date == "2023-02-06T01:00:00+00:00"  # type: ignore


def test_an_old_closed_series_named_by_an_event_is_shown(tmp_path: Path,
                                                         scenario: Scenario) -> None:
    with PatchworkServer(patchwork_data()) as pw:
        cfg = config(tmp_path, scenario, pw)
        first = pull(cfg)
    assert first.find(303) is None  # accepted and archived in December: quiet
    data = patchwork_data()
    s3 = data.patches[4]
    s3["state"] = "mainlined"
    data.events.append(event(8001, "2023-02-14T02:00:00", s3, "accepted", "mainlined"))
    with PatchworkServer(data) as pw:
        cfg = config(tmp_path, scenario, pw)
        snap = pull(cfg, NEXT, previous=first)
        asked = list(pw.requests)
    old = snap.find(303)
    assert old is not None and [p.state for p in old.patches] == ["mainlined"]
    # Not in the submitter queries (they start in January): one lookup, then its series.
    assert all("since=2023-01-09" in r for r in asked if "submitter=" in r)
    assert "/api/1.3/patches/1005/" in asked
    assert any(r.startswith("/api/1.3/patches/?") and "series=303" in r for r in asked)
    assert entries(snap, cfg, NEXT, first)["test: dm: add a test for the capsule"][0] == \
        "State: Accepted -> Mainlined (Feb 14)"


# -- superseded versions and merges ---------------------------------------------------------


def test_a_superseded_v1_says_so_claims_no_merge_and_goes(tmp_path: Path,
                                                           scenario: Scenario) -> None:
    data = patchwork_data()
    with_v1(data)
    with PatchworkServer(data) as pw, ArchiveServer(archive_for(scenario)) as lore:
        cfg = config(tmp_path, scenario, pw, lore=lore)
        snap = pull(cfg)
        following = pull(cfg, NEXT, previous=snap)
    v1, v2 = snap.find(300), snap.find(301)
    assert v1 is not None and v2 is not None
    assert (v1.superseded_by, v1.superseded_on) == (2, "2023-02-07T02:15:00+00:00")
    assert v1.merged == ()  # the subjects match the v2 commits too: v2 claims them
    assert len(v2.merged) == 3
    assert cfg.patches is not None
    old, new = [e.split("\n") for e in patch_entries(snap, None, cfg.patches, WEEK)
                if e.startswith("efi_loader: capsule: fix the update order")]
    assert old[0].startswith("efi_loader: capsule: fix the update order (v1, 3 patches)<")
    assert old[1:] == ["State: New, superseded by v2 (Feb 7)"]  # no merge, no tags read
    assert new[1] == "State: Accepted 2, New 1 (posted Feb 7)"
    assert any(line.startswith("Merged: 3 of 3 patches") for line in new)
    assert following.find(300) is None  # still `new` in Patchwork, but replaced last week


def test_patchworks_superseded_state_names_the_new_version(tmp_path: Path,
                                                           scenario: Scenario) -> None:
    data = patchwork_data()
    with_v1(data)
    for item in data.patches[-3:]:
        item["state"] = "superseded"
        data.events.append(event(9000 + item["id"], "2023-02-08T00:00:00", item, "new",
                                 "superseded"))
    with PatchworkServer(data) as pw:
        cfg = config(tmp_path, scenario, pw)
        snap = pull(cfg)
    lines = patch_entries(snap, None, cfg.patches, WEEK)  # type: ignore[arg-type]
    assert any("State: Superseded by v2 (Feb 7)" in e for e in lines)


# -- review tags without lore --------------------------------------------------------------


def test_without_lore_the_tags_come_from_patchworks_comments(tmp_path: Path,
                                                             scenario: Scenario) -> None:
    with PatchworkServer(patchwork_data()) as pw:
        cfg = config(tmp_path, scenario, pw)
        snap = pull(cfg)
        comments = [r for r in pw.requests if "/comments/" in r]
    s1 = snap.find(301)
    assert s1 is not None and s1.comments_fetched and not s1.thread_fetched
    shown = entries(snap, cfg)["efi_loader: capsule: fix the update order"]
    assert "Reviewed-by (Patchwork): Ilias Apalodimas, Simon Glass (2/3)" in shown
    assert "Tested-by (Patchwork): Heinrich Schuchardt (1/3)" in shown
    assert not any("Acked-by" in line for line in shown)  # the submitter's own ack
    assert "Reviewed-by (Patchwork): Ilias Apalodimas" in entries(snap, cfg)[
        "cmd: bootefi: clean up"]
    # One request per patch in play and per cover letter (S1: 3 + 1, S2: 1, S4: 2 + none).
    assert len(comments) == 7


# -- misconfiguration is named ---------------------------------------------------------------


def test_a_misspelt_project_fails_the_pull_naming_it(tmp_path: Path, scenario: Scenario
                                                      ) -> None:
    with PatchworkServer(patchwork_data()) as pw:
        cfg = config(tmp_path, scenario, pw)
        cfg.path.write_text(cfg.path.read_text().replace("project: uboot", "project: u-boot"))
        with pytest.raises(SourceError) as info:
            pull(load_config(cfg.path))
    assert "has no project 'u-boot'; it has uboot" in info.value.message


def test_a_misspelt_project_is_exit_1_from_the_command(tmp_path: Path, scenario: Scenario,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    from reporter.cli import main

    with PatchworkServer(patchwork_data()) as pw:
        cfg = config(tmp_path, scenario, pw)
        cfg.path.write_text(cfg.path.read_text().replace("project: uboot", "project: u-boot"))
        status = main(["--config", str(cfg.path), "pull", "--week", "2023-02-10"], now=NOW)
    assert status == 1
    assert "has no project 'u-boot'" in capsys.readouterr().err
    assert not (tmp_path / "data" / "snapshots").exists()


def test_a_submitter_patchwork_does_not_know_gets_a_warning(
        tmp_path: Path, scenario: Scenario, caplog: pytest.LogCaptureFixture) -> None:
    with PatchworkServer(patchwork_data()) as pw, caplog.at_level(logging.WARNING):
        cfg = config(tmp_path, scenario, pw, submitter="takahiro.akashi@linaro.com")
        snap = pull(cfg)
    assert snap.series == ()
    assert any("has no patch from takahiro.akashi@linaro.com" in r.getMessage()
               for r in caplog.records)


# -- identity ----------------------------------------------------------------------------------


def test_a_list_of_addresses_is_queried_one_by_one(tmp_path: Path, scenario: Scenario) -> None:
    with PatchworkServer(patchwork_data()) as pw:
        path = write_config(tmp_path, patchwork=pw.url, lore=None, repo=None)
        path.write_text(path.read_text().replace(
            f"submitter: {SUBMITTER[1]}",
            f"submitter: [{SUBMITTER[1]}, akashi.tkhro@gmail.com, nobody@example.org]"))
        cfg = load_config(path)
        snap = pull(cfg)
        asked = [r for r in pw.requests if r.startswith("/api/1.3/patches/?project")]
    assert cfg.patches is not None and len(cfg.patches.addresses) == 3
    assert [s.id for s in snap.series] == [302, 301, 304]  # 302 is the gmail address's
    assert len([r for r in asked if "nobody" in r]) == 1  # its own query: [] alone


# -- the lookups are bounded and remembered ------------------------------------------------------


def test_lookups_are_bounded_and_remembered(tmp_path: Path, scenario: Scenario,
                                           caplog: pytest.LogCaptureFixture) -> None:
    data = patchwork_data()
    marek = data.patches[7]
    others = []
    for n in range(4):
        other = dict(marek, id=2100 + n, msgid=f"<other.{n}@denx.de>")
        data.patches.append(other)
        others.append(event(7100 + n, f"2023-02-07T0{n}:00:00", other, "new", "accepted"))
    data.events += others
    with PatchworkServer(data) as pw, caplog.at_level(logging.WARNING):
        cfg = config(tmp_path, scenario, pw, extra="")
        cfg.path.write_text(cfg.path.read_text().replace("  timeout_s: 5",
                                                         "  timeout_s: 5\n  max_lookups: 3"))
        cfg = load_config(cfg.path)
        pull(cfg)
        first = [r for r in pw.requests if r.startswith("/api/1.3/patches/2")]
        pw.requests.clear()
        pull(cfg)
        second = [r for r in pw.requests if r.startswith("/api/1.3/patches/2")]
    assert len(first) == 3  # five unknown patches, three looked up
    assert any("2 of the week's state changes are of patches not looked up" in r.getMessage()
               for r in caplog.records)
    assert len(second) == 2  # the cache knows three owners: the other two are asked now


# -- since when ------------------------------------------------------------------------------


def test_an_unchanged_entry_says_since_when(tmp_path: Path, scenario: Scenario) -> None:
    with PatchworkServer(patchwork_data()) as pw:
        cfg = config(tmp_path, scenario, pw)
        first = pull(cfg)
        following = pull(cfg, NEXT, previous=first)
        asked = [r for r in pw.requests if "patch=" in r]
    shown = entries(following, cfg, NEXT, first)
    assert shown["cmd: bootefi: clean up"][0] == "State: Under Review (since Feb 6, 1 week)"
    assert shown["efi_loader: capsule: fix the update order"][0] == \
        "State: Accepted 2, New 1 (since Feb 9, 1 week)"
    assert shown["doc: fix typos in README"][0] == "State: New (since Feb 9, 1 week)"
    assert asked == []  # every date came from the events or the earlier snapshot


def test_a_first_run_dates_an_old_state_from_the_patchs_own_events(
        tmp_path: Path, scenario: Scenario) -> None:
    data = patchwork_data()
    for item in data.events:
        if item["id"] == 5003:  # S2 went under review on Jan 20, before the week
            item["date"] = "2023-01-20T14:00:00"
    with PatchworkServer(data) as pw:
        cfg = config(tmp_path, scenario, pw)
        snap = pull(cfg)
        asked = [r for r in pw.requests if "patch=" in r]
    assert entries(snap, cfg)["cmd: bootefi: clean up"][0] == \
        "State: Under Review (since Jan 20, 3 weeks)"
    assert len(asked) == 1 and "patch=1004" in asked[0]  # one query for the undated patches


def test_a_patch_gone_since_its_event_does_not_fail_the_pull(tmp_path: Path,
                                                             scenario: Scenario) -> None:
    data = patchwork_data()
    gone = dict(data.patches[7], id=2999, msgid="<gone@denx.de>")
    data.events.append(event(7999, "2023-02-07T00:00:00", gone, "new", "rejected"))
    with PatchworkServer(data) as pw:  # the patch itself is not in the database any more
        cfg = config(tmp_path, scenario, pw)
        snap = pull(cfg)
    assert "/api/1.3/patches/2999/" in pw.requests
    assert [s.id for s in snap.series] == [302, 301, 304]
