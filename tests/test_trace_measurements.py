"""A trace among the week's measurements (a `measurements:` glob, or a Jira attachment)
puts its short form under the card, like the latency findings."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reporter.cli import main
from reporter.config import load_config
from reporter.model.cards import Attachment, Card, JiraSnapshot
from reporter.report.findings import finding_lines
from reporter.sources.jira.attachments import looks_like_measurement
from reporter.sources.measurements import pull_measurements
from reporter.trace.finding import is_trace
from tests.measure_helpers import FIXTURES as MEASURE_FIXTURES
from tests.measure_helpers import write

TRACES = Path(__file__).resolve().parent / "fixtures" / "trace"
WEEK = dt.date(2023, 2, 17)
NOW = dt.datetime(2023, 2, 20, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
SHORT_FORM = [
    "* Trace, long run (trace-0216.txt.gz): cyclictest-21883 on cpu#0,",
    "  1254 usecs > 200:",
    "  - cyclictest-21883 (RT 90) on cpu#0 was due to wake at t0: its timer fired at",
    "    t0+1229 and woke it, but it ran only at t0+1249",
    "  - cpu#0 recorded nothing for 1651 us (t0-424 to t0+1227) while netperf-21880",
    "    (SCHED_OTHER) was current; its timer came 1229 us late",
    "  - cpu#1 recorded nothing for 1315 us (t0-1058 to t0+257) while python3-21625",
    "    (SCHED_OTHER) was current",
    "  - cpu#0 ran netperf-21880 (SCHED_OTHER) from t0-431 to t0+1249 (1680 us), with",
    "    a reschedule pending",
    "  Points to: the victim's CPU recorded nothing for 1651 us while a SCHED_OTHER",
    "  task (netperf-21880) was current, so a host preemption or an irqs-off section",
    "  is likely.",
]


def _config(tmp_path: Path) -> Path:
    return write(tmp_path, "config.yaml", """\
author: {name: A Person, email: a@example.org}
timezone: Asia/Tokyo
data_dir: data
sections: [{title: Stratos, projects: [STR]}]
measurements:
  - {card: STR-76, files: "data/measurements/STR-76/*/*", threshold_us: 3000, label: long run}
""")


def test_a_trace_of_the_week_goes_under_its_card(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    day = tmp_path / "data" / "measurements" / "STR-76" / "2023-02-16"
    day.mkdir(parents=True)
    shutil.copy(TRACES / "break-late-timer.txt.gz", day / "trace-0216.txt.gz")
    write(tmp_path, "data/weeks/2023-02-17.yaml", """\
sections:
  Stratos:
    cards:
      STR-76:
        - Still investigating the big spikes.
""")
    assert main(["--config", str(config), "pull", "--week", "2023-02-17"], now=NOW) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "preview", "--offline", "--week", "2023-02-17"],
                now=NOW) == 0
    out = capsys.readouterr().out
    body = out.split("\n\n", 1)[1]  # after the headers
    lines = body.splitlines()
    start = lines.index("[STR-76]")  # no Jira here: no summary
    assert lines[start + 1:start + 1 + len(SHORT_FORM) + 1] == [
        *SHORT_FORM, "* Still investigating the big spikes."]


def test_a_gzipped_trace_attached_in_jira(tmp_path: Path) -> None:
    assert looks_like_measurement("trace-0216.txt.gz", "application/gzip", measured_card=False)
    assert not looks_like_measurement("photos.tar.gz", "application/gzip", measured_card=True)
    config = load_config(_config(tmp_path))
    att_dir = tmp_path / "data" / "attachments" / "2023-02-17"
    att_dir.mkdir(parents=True)
    shutil.copy(TRACES / "break-no-preempt.txt.gz", att_dir / "10001-trace.txt.gz")
    jira = JiraSnapshot(pulled_at=NOW.isoformat(), server="https://jira.example.org", jql=None,
                        cards=(
        Card(key="STR-76", summary="Break down the latency",
             attachments=(Attachment(id="10001", filename="trace.txt.gz",
                                     mime_type="application/gzip", size=1,
                                     created="2023-02-16T10:00:00+09:00",
                                     local_path="attachments/2023-02-17/10001-trace.txt.gz"),)),
    ))
    snap = pull_measurements(config, WEEK, NOW, jira=jira)
    (finding,) = snap.findings
    assert (finding.kind, finding.format, finding.card, finding.spikes, finding.max_us) == (
        "trace", "tracefs", "STR-76", 1, 5834.0)
    lines = finding_lines(finding, None)
    assert lines[0] == ("Trace, long run (trace.txt.gz): cyclictest-23407 on cpu#1, 5834 usecs "
                        "> 300:")
    assert " ".join(lines).endswith("is likely.")
    assert all(len(line) <= 78 for line in lines)
    # The victim, then three to five facts: here the run that held the CPU and the silent
    # stretch inside it qualify, and the victim's CPU's interrupts make the third.
    assert [line[:30] for line in lines if line.startswith("- ")] == [
        "- cyclictest-23407 (RT 90) on ", "- cpu#1 ran python3-23403 (SCH",
        "- cpu#1 recorded nothing for 3", "- cpu#1 hard irqs: local timer"]


def test_a_truncated_trace_of_the_week_is_reported_not_fatal(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path))
    day = tmp_path / "data" / "measurements" / "STR-76" / "2023-02-16"
    day.mkdir(parents=True)
    data = (TRACES / "break-no-preempt.txt.gz").read_bytes()
    (day / "trace.txt.gz").write_bytes(data[: len(data) // 2])
    (finding,) = pull_measurements(config, WEEK, NOW, jira=None).findings
    assert finding.kind == "trace" and finding.invalid is not None
    assert finding_lines(finding, None) == (
        "Trace, long run (trace.txt.gz): the trace could not be read: the gzip data is cut "
        "short: the file is truncated",)


def test_other_measurement_files_are_not_traces() -> None:
    others = [p for p in sorted(MEASURE_FIXTURES.rglob("*")) if p.is_file()]
    assert len(others) > 10
    assert [p.name for p in others if is_trace(p)] == []
    assert all(is_trace(p) for p in TRACES.glob("*.gz"))
