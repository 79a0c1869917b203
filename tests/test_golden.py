"""The golden week: the demo renders ../shared/examples/2023-02-10/body.txt byte for byte."""

from __future__ import annotations

import datetime as dt
import difflib
import os
from pathlib import Path

import pytest

from reporter.cli import main
from tests.conftest import GOLDEN, MONDAY_AFTER_GOLDEN, ROOT


def assert_same_text(actual: str, golden_path: Path) -> None:
    """Compare with a golden file; REPORTER_REGEN_GOLDEN=1 rewrites it instead."""
    if os.environ.get("REPORTER_REGEN_GOLDEN"):
        golden_path.write_text(actual, encoding="utf-8")
    expected = golden_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            str(golden_path), "rendered"))
        pytest.fail(f"output differs from {golden_path.name}:\n{diff}", pytrace=False)


def split_headers(out: str) -> tuple[dict[str, str], str]:
    head, _, body = out.partition("\n\n")
    unfolded = head.replace("\n ", " ").replace("\n\t", " ")  # RFC 5322 folding
    headers = dict(line.split(": ", 1) for line in unfolded.splitlines())
    return headers, body


def test_demo_preview_prints_the_golden_body(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--config", str(ROOT / "config" / "demo.yaml"), "preview", "--week",
                   "2023-02-10"], now=MONDAY_AFTER_GOLDEN)
    captured = capsys.readouterr()
    assert status == 0
    headers, body = split_headers(captured.out)
    assert headers["From"] == "AKASHI Takahiro <takahiro.akashi@linaro.org>"
    assert headers["To"] == "private-kwg@linaro.org, alex.bennee@linaro.org"
    assert headers["Subject"] == "[Weekly] Week ending 2023-02-10"
    assert "takahiro.akashi@linaro.org" in headers["Mail-Followup-To"]
    assert_same_text(body, GOLDEN / "2023-02-10.body.txt")
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warnings) == 1  # one for every card without a summary, saying why
    assert "STR-66, TS-219: no summary (Jira did not return the cards" in warnings[0]


def test_any_day_of_the_golden_week_selects_it(capsys: pytest.CaptureFixture[str]) -> None:
    for day in ("2023-02-04", "2023-02-07", "2023-02-10"):
        assert main(["--config", str(ROOT / "config" / "demo.yaml"), "preview", "--week", day],
                    now=MONDAY_AFTER_GOLDEN) == 0
        assert "Subject: [Weekly] Week ending 2023-02-10" in capsys.readouterr().out


def test_preview_defaults_to_the_week_that_just_ended(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    # Monday 2023-02-13 in Tokyo, nothing sent yet: the report due is 2023-02-10's.
    assert main(["--config", str(ROOT / "config" / "demo.yaml"), "preview"],
                now=MONDAY_AFTER_GOLDEN) == 0
    _, body = split_headers(capsys.readouterr().out)
    assert body == (GOLDEN / "2023-02-10.body.txt").read_text(encoding="utf-8")


def test_once_last_week_is_sent_preview_defaults_to_this_week(
        demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    from reporter.deliver.ledger import Attempt, LedgerEntry, write_ledger

    attempt = Attempt(number=1, started_at=MONDAY_AFTER_GOLDEN, transport="smtp",
                      outcome="sent")
    write_ledger(demo_copy.parent.parent / "data",
                 LedgerEntry(week_end=dt.date(2023, 2, 10), state="sent",
                             message_id="<reporter.2023-02-10.x@linaro.org>",
                             attempts=(attempt,)))
    assert main(["--config", str(demo_copy), "preview"], now=MONDAY_AFTER_GOLDEN) == 0
    captured = capsys.readouterr()
    assert "Subject: [Weekly] Week ending 2023-02-17" in captured.out


def test_a_corrupt_ledger_stops_preview_with_exit_2(
        demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sent = demo_copy.parent.parent / "data" / "sent"
    sent.mkdir()
    (sent / "2023-02-10.json").write_text("", encoding="utf-8")
    assert main(["--config", str(demo_copy), "preview"], now=MONDAY_AFTER_GOLDEN) == 2
    assert "corrupt sent ledger" in capsys.readouterr().err


def test_the_second_demo_week_with_measurements_is_golden(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The whole email of 2023-02-17 (minus Date): findings of STR-76 from a CSV long run
    and a cyclictest histogram, shipped as the demo's measurements snapshot."""
    status = main(["--config", str(ROOT / "config" / "demo.yaml"), "preview", "--week",
                   "2023-02-17"], now=MONDAY_AFTER_GOLDEN)
    captured = capsys.readouterr()
    assert status == 0
    assert_same_text(captured.out, GOLDEN / "2023-02-17.email.txt")
    assert "Date:" not in captured.out.split("\n\n", 1)[0]


def test_pulling_the_second_demo_week_reproduces_its_snapshot(demo_copy: Path) -> None:
    """`pull` on the demo's measurement files writes the snapshot the demo ships."""
    import json

    shipped = ROOT / "data" / "snapshots" / "2023-02-17" / "measurements.json"
    pulled = demo_copy.parent.parent / "data" / "snapshots" / "2023-02-17" / "measurements.json"
    pulled.unlink()
    assert main(["--config", str(demo_copy), "pull", "--week", "2023-02-17"],
                now=dt.datetime(2023, 2, 20, 0, 0, tzinfo=dt.UTC)) == 0
    assert json.loads(pulled.read_text())["data"]["findings"] == \
        json.loads(shipped.read_text())["data"]["findings"]


def test_a_card_jira_stopped_returning_keeps_its_last_known_summary(
        demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    path = demo_copy.parent.parent / "data" / "snapshots" / "2023-02-17" / "jira.json"
    doc = json.loads(path.read_text())
    doc["data"]["cards"] = [c for c in doc["data"]["cards"] if c["key"] != "STR-41"]
    path.write_text(json.dumps(doc))
    assert main(["--config", str(demo_copy), "preview", "--week", "2023-02-17"],
                now=MONDAY_AFTER_GOLDEN) == 0
    captured = capsys.readouterr()
    assert "[STR-41] (Implement SVC/HV passthrough for Xen on ARM64)\n" in captured.out
    assert "STR-41" not in captured.err
