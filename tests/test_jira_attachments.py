"""Which attachments are measurements, and the names they get on disk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporter.sources.jira.attachments import MAX_NAME, looks_like_measurement, sanitise_filename


@pytest.mark.parametrize(("name", "mime", "measured", "expected"), [
    ("latency-0216.csv", "text/csv", False, True),
    ("cyclictest-run.txt", "text/plain", False, True),
    ("netperf_rr.log", "application/octet-stream", False, True),
    ("hist.dat", "application/octet-stream", False, True),
    ("summary.json", "application/json", False, False),   # no measurement word
    ("summary.json", "application/json", True, True),     # but the card is measured
    ("latency-graph.png", "image/png", False, False),     # not text
    ("latency.pdf", "application/pdf", True, False),
    ("notes.txt", "text/plain", False, False),
    ("JITTER.YAML", "", False, True),
    ("run.out", "text/x-log; charset=utf-8", True, True),
])
def test_measurement_attachments_are_text_with_a_measurement_name(
        name: str, mime: str, measured: bool, expected: bool) -> None:
    assert looks_like_measurement(name, mime, measured_card=measured) is expected


@pytest.mark.parametrize(("name", "expected"), [
    ("latency-0216.csv", "latency-0216.csv"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\boot.ini", "boot.ini"),
    (".bashrc", "bashrc"),
    ("测定 結果.csv", "csv"),
    ("Mesure café 1.csv", "Mesure_cafe_1.csv"),
    ("a..b...c", "a.b.c"),
    ("", "attachment"),
    ("...", "attachment"),
    ("x" * 300 + ".csv", "x" * (MAX_NAME - 4) + ".csv"),
    ("name\x00with\nnul.txt", "name_with_nul.txt"),
])
def test_file_names_are_sanitised(name: str, expected: str) -> None:
    assert sanitise_filename(name) == expected


@given(st.text(max_size=400))
def test_any_name_stays_inside_the_folder(name: str) -> None:
    safe = sanitise_filename(name)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", safe)
    assert ".." not in safe
    assert len(safe) <= MAX_NAME
    folder = Path("/data/attachments/2023-02-10")
    assert (folder / f"10400-{safe}").resolve().parent == folder
