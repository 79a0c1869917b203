"""The `=== Patch status ===` entries: a golden file for the format, and its rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import os
from pathlib import Path

import pytest

from reporter.codec import from_jsonable
from reporter.config import ArchiveConfig, PatchesConfig
from reporter.model.patches import (
    MergedCommit,
    Patch,
    PatchSnapshot,
    ReviewTag,
    Series,
    StateChange,
)
from reporter.report.patch_entries import patch_entries, state_name

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "patches"
GOLDEN = HERE / "golden" / "patch_entries.txt"
WEEK = dt.date(2023, 2, 10)
CONFIG = PatchesConfig(submitter="takahiro.akashi@linaro.org", patchwork=None,
                       archive=ArchiveConfig("https://lore.kernel.org/u-boot", None),
                       links="lore", git=None, timeout_s=30, deadline_s=600, max_pages=100)


def snapshot(name: str) -> PatchSnapshot:
    data = json.loads((FIXTURES / name).read_text())
    return from_jsonable(PatchSnapshot, data)


def as_bullets(entries: tuple[str, ...]) -> str:
    """Each entry as the email shows it before wrapping: `* ` first, then two spaces."""
    return "".join("* " + e.replace("\n", "\n  ") + "\n" for e in entries)


LORE = "https://lore.kernel.org/u-boot"
FORMS_WEEK = dt.date(2023, 2, 17)  # Sat Feb 11 .. Fri Feb 17 in Tokyo


def _patch(pid: int, n: int, total: int, subject: str, state: str, date: str,
           since: str | None = None) -> Patch:
    msgid = f"{date[:10].replace('-', '')}.{pid}-takahiro.akashi@linaro.org"
    prefix = f"[{n}/{total}] " if total > 1 else ""
    return Patch(id=pid, msgid=msgid, name=f"{prefix}{subject}", date=date, state=state,
                 archived=False, web_url=f"https://patchwork.ozlabs.org/patch/{pid}/",
                 number=n, state_since=since)


def _series(sid: int, name: str, version: int, date: str, patches: tuple[Patch, ...],
            **extra: object) -> Series:
    msgid = patches[0].msgid
    return Series(id=sid, name=name, version=version, total=len(patches),
                  received=len(patches), date=date, msgid=msgid,
                  web_url=f"https://patchwork.ozlabs.org/project/uboot/list/?series={sid}",
                  archive_url=f"{LORE}/{msgid}/", patches=patches, **extra)  # type: ignore


def _change(pid: int, date: str, previous: str, current: str) -> StateChange:
    return StateChange(patch_id=pid, date=date, previous=previous, current=current,
                       actor="trini")


def forms() -> tuple[PatchSnapshot, PatchSnapshot]:
    """A week and its last report that between them show every form of the State line."""
    posted = "2023-01-30T01:00:00+00:00"
    a = [_patch(2001, 1, 3, "dm: core: add ofnode_read_bootscript()", "accepted", posted),
         _patch(2002, 2, 3, "dm: core: read the boot script address", "under-review", posted),
         _patch(2003, 3, 3, "test: dm: ofnode: test the boot script", "new", posted, posted)]
    review = ReviewTag("Reviewed-by", "Simon Glass", "sjg@chromium.org", a[0].msgid,
                       "2023-02-14T15:00:00+00:00", "r@chromium.org")
    v1 = [_patch(2101 + i, i + 1, 2, s, "new", "2023-01-20T01:00:00+00:00",
                 "2023-01-20T01:00:00+00:00")
          for i, s in enumerate(("efi_loader: capsule: check the index", "efi_loader: "
                                 "capsule: free the buffer"))]
    v2 = [_patch(2201 + i, i + 1, 2, p.name.split("] ", 1)[1], "new",
                 "2023-02-13T01:00:00+00:00") for i, p in enumerate(v1)]
    merged = MergedCommit(v2[0].msgid, "9c1e2d3f4a5b6c7d8e9f00112233445566778899", "master",
                          "subject", "2023-02-16T09:00:00+00:00")
    uuid2 = [_patch(2301, 1, 1, "lib: uuid: fix the guid format", "superseded",
                    "2023-01-25T01:00:00+00:00")]
    uuid3 = [_patch(2401, 1, 1, "lib: uuid: fix the guid format", "new",
                    "2023-02-14T02:00:00+00:00")]
    old = [_patch(2501, 1, 1, "test: dm: add a test for the capsule", "accepted",
                  "2022-12-01T00:00:00+00:00")]
    current = (
        _series(401, "dm: core: read the boot script from the device tree", 1, posted,
                tuple(a), state_changes=(_change(2001, "2023-02-15T01:00:00+00:00", "new",
                                                 "accepted"),),
                review_tags=(review,), comments_fetched=True),
        _series(402, "efi_loader: fix the boot order", 1, "2023-02-01T01:00:00+00:00",
                (_patch(2011, 1, 1, "efi_loader: fix the boot order", "new",
                        "2023-02-01T01:00:00+00:00"),),
                state_changes=(_change(2011, "2023-02-13T03:00:00+00:00", "new", "accepted"),
                               _change(2011, "2023-02-14T03:00:00+00:00", "accepted", "new"))),
        _series(403, "cmd: eficonfig: fix a leak", 1, "2023-02-02T01:00:00+00:00",
                (_patch(2021, 1, 1, "cmd: eficonfig: fix a leak", "accepted",
                        "2023-02-02T01:00:00+00:00"),),
                state_changes=(_change(2021, "2023-02-16T03:00:00+00:00", "under-review",
                                       "accepted"),),
                merged=(MergedCommit("20230202.2021-takahiro.akashi@linaro.org", "1a2b" * 10,
                                     "master", "patch-id", "2023-02-16T02:00:00+00:00"),)),
        _series(404, "test: efi: add capsule tests", 2, "2023-01-10T01:00:00+00:00",
                (_patch(2031, 1, 1, "test: efi: add capsule tests", "under-review",
                        "2023-01-10T01:00:00+00:00", "2023-01-20T03:00:00+00:00"),)),
        _series(405, "efi_loader: capsule: fix the update order", 1,
                "2023-01-20T01:00:00+00:00", tuple(v1), superseded_by=2,
                superseded_on="2023-02-13T01:00:00+00:00"),
        _series(406, "efi_loader: capsule: fix the update order", 2,
                "2023-02-13T01:00:00+00:00", tuple(v2), merged=(merged,)),
        _series(407, "lib: uuid: fix the guid format", 2, "2023-01-25T01:00:00+00:00",
                tuple(uuid2), state_changes=(_change(2301, "2023-02-14T03:00:00+00:00", "new",
                                                     "superseded"),),
                superseded_by=3, superseded_on="2023-02-14T02:00:00+00:00"),
        _series(408, "lib: uuid: fix the guid format", 3, "2023-02-14T02:00:00+00:00",
                tuple(uuid3)),
        _series(409, "test: dm: add a test for the capsule", 1, "2022-12-01T00:00:00+00:00",
                tuple(old), state_changes=(_change(2501, "2023-02-16T01:00:00+00:00",
                                                   "deferred", "accepted"),),
                merged=(MergedCommit(old[0].msgid, "5e6f" * 10, "master", "patch-id",
                                     "2023-02-15T09:00:00+00:00", "v2023.04-rc2"),)),
    )
    last = (
        dataclasses.replace(current[0], patches=tuple(dataclasses.replace(p, state="new")
                                                      for p in a), state_changes=()),
        dataclasses.replace(current[1], state_changes=()),
        dataclasses.replace(current[2], patches=(dataclasses.replace(
            current[2].patches[0], state="new"),), state_changes=()),
        current[3],
    )
    def snap(items: tuple[Series, ...]) -> PatchSnapshot:
        return PatchSnapshot(pulled_at="2023-02-20T09:00:00+09:00",
                             submitter="takahiro.akashi@linaro.org", timezone="Asia/Tokyo",
                             git_branches=("master",), series=items)
    return snap(current), snap(last)


def test_the_entries_match_the_golden_file() -> None:
    """The demo pair first (unchanged since the events came in), then every other form."""
    entries = patch_entries(snapshot("snapshot-2023-02-10.json"),
                            snapshot("snapshot-2023-02-03.json"), CONFIG, WEEK)
    current, last = forms()
    text = as_bullets(entries) + "\n" + as_bullets(patch_entries(current, last, CONFIG,
                                                                 FORMS_WEEK))
    if os.environ.get("REPORTER_REGEN_GOLDEN"):
        GOLDEN.write_text(text)
    expected = GOLDEN.read_text()
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                            str(GOLDEN), "patch_entries()"))
        pytest.fail(f"patch entries differ from the golden file "
                    f"(REPORTER_REGEN_GOLDEN=1 rewrites it):\n{diff}")


def test_nothing_active_gives_no_entries() -> None:
    empty = dataclasses.replace(snapshot("snapshot-2023-02-10.json"), series=())
    assert patch_entries(empty, None, CONFIG, WEEK) == ()
    assert patch_entries(None, snapshot("snapshot-2023-02-03.json"), CONFIG, WEEK) == ()


def test_each_entry_has_one_archive_reference_and_no_trailing_spaces() -> None:
    entries = patch_entries(snapshot("snapshot-2023-02-10.json"), None, CONFIG, WEEK)
    assert len(entries) == 5
    for entry in entries:
        first, *_ = entry.split("\n")
        assert first.endswith("/>") and first.count("<https://") == 1
        assert entry.count("<http") == 1
        assert all(line == line.rstrip() and line for line in entry.split("\n"))


def test_without_the_last_sent_week_the_events_give_the_same_entries() -> None:
    """A first run: the transitions come from the week's events, as with a baseline."""
    with_baseline = patch_entries(snapshot("snapshot-2023-02-10.json"),
                                  snapshot("snapshot-2023-02-03.json"), CONFIG, WEEK)
    first_run = patch_entries(snapshot("snapshot-2023-02-10.json"), None, CONFIG, WEEK)
    assert first_run == with_baseline
    assert "State: New -> Under Review (Feb 6)" in first_run[0].split("\n")


def test_a_superseded_version_is_gone_the_week_after() -> None:
    current, last = forms()
    later = patch_entries(current, last, CONFIG, FORMS_WEEK + dt.timedelta(days=7))
    assert not any("superseded by" in e for e in later)
    assert sum(e.startswith("efi_loader: capsule: fix the update order") for e in later) == 1


def test_the_entries_are_stable_whatever_the_snapshot_order() -> None:
    current = snapshot("snapshot-2023-02-10.json")
    shuffled = dataclasses.replace(current, series=tuple(reversed(current.series)))
    last = snapshot("snapshot-2023-02-03.json")
    assert patch_entries(shuffled, last, CONFIG, WEEK) == patch_entries(current, last, CONFIG,
                                                                        WEEK)


def test_dates_are_shown_in_the_configured_zone() -> None:
    current = snapshot("snapshot-2023-02-10.json")
    utc = dataclasses.replace(current, timezone="UTC")
    tokyo = [e for e in patch_entries(current, None, CONFIG, WEEK) if "Applied to" in e][1]
    london = [e for e in patch_entries(utc, None, CONFIG, WEEK) if "Applied to" in e][1]
    assert "by Tom Rini (Feb 10)" in tokyo and "by Tom Rini (Feb 9)" in london


@pytest.mark.parametrize(("slug", "name"), [("new", "New"), ("under-review", "Under Review"),
                                            ("changes-requested", "Changes Requested"),
                                            ("rfc", "RFC")])
def test_state_names_read_like_patchwork(slug: str, name: str) -> None:
    assert state_name(slug) == name
