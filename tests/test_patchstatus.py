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
from reporter.model.patches import PatchSnapshot
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


def test_the_entries_match_the_golden_file() -> None:
    entries = patch_entries(snapshot("snapshot-2023-02-10.json"),
                            snapshot("snapshot-2023-02-03.json"), CONFIG, WEEK)
    text = as_bullets(entries)
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


def test_without_the_last_sent_week_no_state_change_is_claimed() -> None:
    entries = patch_entries(snapshot("snapshot-2023-02-10.json"), None, CONFIG, WEEK)
    assert not any("->" in e for e in entries)
    assert "State: Under Review" in entries[0].split("\n")


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
