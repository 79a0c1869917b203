"""pull_measurements: the week's configured files and Jira attachments, as a snapshot."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reporter.config import load_config
from reporter.model.cards import Attachment, Card, JiraSnapshot
from reporter.model.findings import MeasurementSnapshot
from reporter.report.findings import finding_lines
from reporter.sources.measurements import date_in_path, pull_measurements, week_files
from reporter.store.snapshot import read_part, write_part
from tests.measure_helpers import FIXTURES, write

WEEK = dt.date(2023, 2, 17)
NOW = dt.datetime(2023, 2, 20, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture()
def warnings_seen(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Warnings of the "reporter" logger, even after the CLI stopped its propagation."""
    logger = logging.getLogger("reporter")
    logger.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.WARNING)
    yield caplog
    logger.removeHandler(caplog.handler)


def make_config(tmp_path: Path, measurements: str) -> Path:
    return write(tmp_path, "config.yaml", f"""\
author: {{name: A Person, email: a@example.org}}
timezone: Asia/Tokyo
data_dir: data
sections: [{{title: Stratos, projects: [STR, LBO]}}]
measurements:
{measurements}""")


def copy(name: str, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / name, dest)
    return dest


def test_files_dated_in_their_path_belong_to_that_week(tmp_path: Path) -> None:
    config = load_config(make_config(tmp_path, """\
  - {card: STR-76, files: "data/measurements/STR-76/*/*", threshold_us: 3000, label: long run}
"""))
    base = tmp_path / "data/measurements/STR-76"
    copy("latency-long-run.csv", base / "2023-02-16/latency-0216.csv")
    copy("latency-long-run.csv", base / "2023-02-09/latency-0209.csv")
    copy("cyclictest-hist.txt", base / "20230217/cyclictest.txt")
    snap = pull_measurements(config, WEEK, NOW, jira=None)
    assert snap.pulled_at == "2023-02-20T09:00:00+09:00"
    assert [(f.file, f.source) for f in snap.findings] == [
        ("latency-0216.csv", "measurements/STR-76/2023-02-16/latency-0216.csv"),
        ("cyclictest.txt", "measurements/STR-76/20230217/cyclictest.txt"),
    ]
    csv = snap.findings[0]
    assert (csv.card, csv.label, csv.threshold_us, csv.samples, csv.spikes) == (
        "STR-76", "long run", 3000, 10000, 2)


def test_undated_files_belong_to_the_week_of_their_mtime_in_the_configured_zone(
        tmp_path: Path) -> None:
    config = load_config(make_config(tmp_path, """\
  - {card: STR-76, files: "data/m/*.txt", threshold_us: 3000}
"""))
    inside = copy("cyclictest-summary.txt", tmp_path / "data/m/inside.txt")
    before = copy("cyclictest-summary.txt", tmp_path / "data/m/before.txt")
    # Friday 2023-02-17 23:30 in Tokyo is 14:30 UTC: inside the week there, not in UTC+0 terms.
    late_friday = dt.datetime(2023, 2, 17, 23, 30, tzinfo=TOKYO).timestamp()
    saturday = dt.datetime(2023, 2, 18, 0, 30, tzinfo=TOKYO).timestamp()
    os.utime(inside, (late_friday, late_friday))
    os.utime(before, (saturday, saturday))
    assert week_files(str(tmp_path / "data/m/*.txt"), WEEK, TOKYO) == [inside]
    assert [f.file for f in pull_measurements(config, WEEK, NOW, jira=None).findings] == \
        ["inside.txt"]


def test_a_glob_can_name_the_week(tmp_path: Path) -> None:
    copy("summary.yaml", tmp_path / "data/m/2023-02-17/s.yaml")
    copy("summary.yaml", tmp_path / "data/m/2023-02-10/s.yaml")
    found = week_files(str(tmp_path / "data/m/{week_end}/*.yaml"), WEEK, TOKYO)
    assert found == [tmp_path / "data/m/2023-02-17/s.yaml"]


def test_dates_in_paths() -> None:
    assert date_in_path(Path("2023-02-09/latency-2023-02-16.csv")) == dt.date(2023, 2, 16)
    assert date_in_path(Path("run-20230216.csv")) == dt.date(2023, 2, 16)
    assert date_in_path(Path("latency-0216.csv")) is None
    assert date_in_path(Path("run-20231399.csv")) is None
    assert date_in_path(Path("id-120230216.csv")) is None  # part of a longer number


def test_an_invalid_file_is_an_invalid_finding_and_the_rest_go_on(
        tmp_path: Path, warnings_seen: pytest.LogCaptureFixture) -> None:
    config = load_config(make_config(tmp_path, """\
  - {card: STR-76, files: "data/m/*/*", threshold_us: 3000, label: long run}
"""))
    write(tmp_path, "data/m/2023-02-16/broken.csv", "time_s,latency_us\n0.0,12\n0.1,abc\n")
    copy("cyclictest.json", tmp_path / "data/m/2023-02-16/run.json")
    snap = pull_measurements(config, WEEK, NOW, jira=None)
    broken, good = snap.findings
    assert broken.invalid == "1 of 2 rows are bad (50.00%, more than the 0.1% allowed)"
    assert broken.samples is None
    assert good.invalid is None and good.format == "cyclictest-json"
    assert "broken.csv (STR-76): invalid data: 1 of 2 rows are bad" in warnings_seen.text


def test_findings_follow_the_configuration_order(tmp_path: Path) -> None:
    config = load_config(make_config(tmp_path, """\
  - {card: STR-76, files: "data/m/*/z-*.csv", threshold_us: 3000, label: long run}
  - {card: STR-76, files: "data/m/*/a-*.txt", threshold_us: 3000, label: cyclictest}
"""))
    copy("latency-long-run.csv", tmp_path / "data/m/2023-02-16/z-run.csv")
    copy("cyclictest-hist.txt", tmp_path / "data/m/2023-02-16/a-hist.txt")
    snap = pull_measurements(config, WEEK, NOW, jira=None)
    assert [f.label for f in snap.findings] == ["long run", "cyclictest"]


def test_overlapping_entries_give_one_finding_per_file(tmp_path: Path) -> None:
    config = load_config(make_config(tmp_path, """\
  - {card: STR-76, files: "data/m/*/a.csv", threshold_us: 3000}
  - {card: STR-76, files: "data/m/**/*.csv", threshold_us: 1000}
"""))
    copy("latency-long-run.csv", tmp_path / "data/m/2023-02-16/a.csv")
    snap = pull_measurements(config, WEEK, NOW, jira=None)
    assert [(f.file, f.threshold_us) for f in snap.findings] == [("a.csv", 3000)]


def attachment(att_id: str, name: str, week: str = "2023-02-17") -> Attachment:
    return Attachment(id=att_id, filename=name, mime_type="text/plain", size=1,
                      created="2023-02-16T10:00:00.000+0900",
                      local_path=f"attachments/{week}/{att_id}-{name}")


def test_jira_attachments_use_the_cards_entry_or_no_threshold(
        tmp_path: Path, warnings_seen: pytest.LogCaptureFixture) -> None:
    config = load_config(make_config(tmp_path, """\
  - {card: STR-76, files: "data/none/*", threshold_us: 3000, label: long run}
"""))
    att = tmp_path / "data/attachments/2023-02-17"
    copy("cyclictest-hist.txt", att / "10001-hist.txt")
    copy("netperf-omni.csv", att / "10002-netperf.csv")
    write(tmp_path, "data/attachments/2023-02-17/10003-notes.txt",
          "Meeting notes\nWe talked about the spikes.\nNext: try SCHED_FIFO.\n")
    cut = (FIXTURES / "cyclictest.json").read_text()[:300]
    write(tmp_path, "data/attachments/2023-02-17/10004-cut.json", cut)
    jira = JiraSnapshot(pulled_at=NOW.isoformat(), server="https://jira.example.org", jql=None,
                        cards=(
        Card(key="STR-76", summary="Break down the latency",
             attachments=(attachment("10001", "hist.txt"), attachment("10003", "notes.txt"),
                          attachment("10004", "cut.json"),
                          Attachment(id="10005", filename="big.bin", mime_type="x", size=9,
                                     created="x", local_path=None),
                          Attachment(id="10006", filename="passwd", mime_type="text/plain",
                                     size=9, created="x", local_path="../../etc/passwd"))),
        Card(key="STR-68", summary="network latency behaviour with VMs",
             attachments=(attachment("10002", "netperf.csv"),)),
    ))
    snap = pull_measurements(config, WEEK, NOW, jira=jira)
    got = {(f.card, f.file): f for f in snap.findings}
    assert sorted(got) == [("STR-68", "netperf.csv"), ("STR-76", "cut.json"),
                           ("STR-76", "hist.txt")]
    hist = got[("STR-76", "hist.txt")]
    assert (hist.source, hist.label, hist.threshold_us) == ("jira:10001", "long run", 3000)
    netperf = got[("STR-68", "netperf.csv")]
    assert (netperf.label, netperf.threshold_us, netperf.invalid) == (None, None, None)
    assert got[("STR-76", "cut.json")].invalid is not None  # a corrupt attachment is reported
    assert "attachment 'notes.txt' of STR-76 is not a measurement file" in warnings_seen.text
    assert "attachment 'passwd' of STR-76 is stored outside data_dir" in warnings_seen.text


def test_the_snapshot_is_stored_and_read_back(tmp_path: Path) -> None:
    config = load_config(make_config(tmp_path, """\
  - {card: STR-76, files: "data/m/*/*", threshold_us: 3000, label: long run}
"""))
    for name in ("latency-long-run.csv", "cyclictest-hist.txt", "netperf-omni.csv",
                 "summary.yaml", "jitterdebugger-us/results.json"):
        copy(name, tmp_path / "data/m/2023-02-15" / Path(name).name)
    snap = pull_measurements(config, WEEK, NOW, jira=None)
    assert len(snap.findings) == 5 and all(f.invalid is None for f in snap.findings)
    write_part(config.data_dir, WEEK, "measurements", snap)
    assert read_part(config.data_dir, WEEK, "measurements", MeasurementSnapshot) == snap


REPO = Path(__file__).resolve().parent.parent


def test_the_demo_snapshot_of_week_2_matches_its_files(tmp_path: Path) -> None:
    """data/snapshots/2023-02-17/measurements.json is what a pull of the demo files gives."""
    data = REPO / "data"
    config = load_config(write(tmp_path, "demo.yaml", f"""\
author: {{name: AKASHI Takahiro, email: takahiro.akashi@linaro.org}}
timezone: Asia/Tokyo
data_dir: {data}
sections: [{{title: Stratos, projects: [STR, LBO]}}, {{title: U-Boot support, projects: [TS]}}]
measurements:
  - {{card: STR-76, files: "{data}/measurements/STR-76/*/latency-*.csv", threshold_us: 3000,
     label: long run}}
  - {{card: STR-76, files: "{data}/measurements/STR-76/*/cyclictest-*.txt", threshold_us: 3000,
     label: cyclictest}}
"""))
    snap = pull_measurements(config, WEEK, NOW, jira=None)
    assert read_part(data, WEEK, "measurements", MeasurementSnapshot) == snap
    assert [finding_lines(f, None) for f in snap.findings] == [
        ("Latency, long run (latency-0216.csv, 300000 samples, 5 min):",
         "min 52 / avg 123 / p99 476 / p99.9 1404 / max 3424 usecs",
         "5 spikes > 3000 usecs"),
        ("Latency, cyclictest (cyclictest-0216.txt, 299887 samples):",
         "min 10 / avg 91 / p99 345 / p99.9 > 3999 / max 34591 usecs",
         "573 samples > 3000 usecs",
         "worst thread 1: min 10 / avg 92 / p99 323 / p99.9 > 3999 / max 34591 usecs"),
    ]
    # Nothing of the week before: the golden week 2023-02-10 has no measurement.
    assert pull_measurements(config, dt.date(2023, 2, 10), NOW, jira=None).findings == ()
