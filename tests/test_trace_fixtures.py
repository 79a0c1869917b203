"""Real traces recorded on this kind of machine (tests/fixtures/trace/README.md): the
breakdown, both text formats of one record, a trace without a break, and the picture."""

from __future__ import annotations

import dataclasses
import gzip
import re
import struct
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.trace.analyse import analyse_trace
from reporter.trace.spikes import TraceOptions
from reporter.trace.wording import breakdown

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "trace"
LATE_TIMER = FIXTURES / "break-late-timer.txt.gz"
LATE_TIMER_TC = FIXTURES / "break-late-timer.trace-cmd.txt.gz"


def test_a_timer_that_came_late_on_a_silent_cpu(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(LATE_TIMER)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith(
        "* Spike at 1385.023474: cyclictest-21883 on cpu#0, 1254 usecs > 200; t0 =\n"
        "  1385.022212, when its timer was due; window t0-2508 to t0+2508\n"
        "  - at t0-982 cyclictest-21883 ran for its previous period on cpu#0\n"
        "  - cyclictest-21883 (RT 90) on cpu#0 was due to wake at t0: its timer fired at\n"
        "    t0+1229 and woke it, but it ran only at t0+1249\n"
        "* cpu#0, t0-2508 to t0+2508 (572 events):\n")
    assert ("  - silent: nothing recorded for 1651 us, t0-424 to t0+1227, while netperf-21880\n"
            "    (SCHED_OTHER) was current; the timer due then came 1229 us late\n") in out
    assert out.endswith(
        "* Points to: the victim's CPU recorded nothing for 1651 us while a SCHED_OTHER\n"
        "  task (netperf-21880) was current, so a host preemption or an irqs-off section\n"
        "  is likely.\n")


def test_both_formats_of_one_record_give_the_same_breakdown() -> None:
    """trace-cmd report prints no flags column: only the need-resched notes differ."""
    tracefs = analyse_trace(LATE_TIMER, TraceOptions(), display_name="trace")
    trace_cmd = analyse_trace(LATE_TIMER_TC, TraceOptions(), display_name="trace")
    assert (tracefs.format, trace_cmd.format) == ("tracefs", "trace-cmd")

    def without_flags(text: str) -> str:
        return re.sub(r"\s+", " ", text.replace(", reschedule pending", "")
                      .replace(" with a reschedule pending", ""))

    assert without_flags(breakdown(tracefs)) == without_flags(breakdown(trace_cmd))
    assert [c.gaps for c in tracefs.spikes[0].cpus] == [c.gaps for c in trace_cmd.spikes[0].cpus]
    assert tracefs.spikes[0].victim == trace_cmd.spikes[0].victim


def test_a_wake_up_on_time_that_the_kernel_did_not_act_on() -> None:
    (spike,) = analyse_trace(FIXTURES / "break-no-preempt.txt.gz", TraceOptions()).spikes
    v = spike.victim
    assert v is not None and (v.task.pid, v.cpu, v.latency_us) == (23407, 1, 5834)
    assert v.fired is not None and round((v.fired - spike.t0) / 1000) == 7 and v.ran is not None
    assert spike.verdict == (
        "cpu#1 kept running python3-23403 (SCHED_OTHER) for 5796 us after the victim's "
        "wake-up with a reschedule pending: the kernel did not preempt it, so a "
        "non-preemptible section (preempt=none or voluntary, or preemption off) is likely")
    assert spike.facts[0].text == (
        "cpu#1 ran python3-23403 (SCHED_OTHER) from t0-1480 to t0+5830 (7310 us), with a "
        "reschedule pending")


def test_a_trace_without_a_break(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "no-break.txt.gz"
    assert main(["trace", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert " ".join(out.split()) == (
        f"No latency spike in {path}: no cyclictest tracemark (`hit latency threshold`) "
        "(the trace runs from 1440.390217 to 1440.400215); give --at TIMESTAMP to look at a "
        "moment.")
    assert all(len(line) <= 80 for line in out.splitlines())
    assert main(["trace", str(path), "--at", "1440.395", "--window", "2000"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("* Spike: the window at 1440.395000; t0 = 1440.395000, as given "
                          "with --at; window\n  t0-2000 to t0+2000\n* cpu#0, t0-2000 to t0+2000")


def test_what_trace_record_saved_reads_back() -> None:
    a = analyse_trace(FIXTURES / "record-netperf.txt.gz", TraceOptions())
    (spike,) = a.spikes
    assert spike.mark is not None and (spike.mark.latency_us, spike.mark.threshold_us) == (
        509, 300)
    with gzip.open(FIXTURES / "record-netperf.txt.gz", "rt") as fh:
        assert any(line.startswith("# reporter trace: kept 2201.944876 to 2201.948423 of "
                                   "/sys/kernel/tracing/trace; recorded by reporter trace "
                                   "record --break 300") for line in fh)
    assert spike.t0_from == "timer" and spike.victim is not None


def test_the_picture_at_slide_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    out = tmp_path / "spike.png"
    assert main(["trace", str(LATE_TIMER), "--plot", str(out)]) == 0
    _, err = capsys.readouterr()
    assert err == f"reporter: plot written to {out}\n"
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1999, 1125)  # 13.33 x 7.5 in at 150 dpi: 16:9


def test_one_picture_per_spike(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    from reporter.trace.plot import plot_trace

    two = tmp_path / "two.txt"
    text = gzip.decompress(LATE_TIMER.read_bytes()).decode()
    two.write_text(text)
    a = analyse_trace(two, TraceOptions())
    second = dataclasses.replace(a.spikes[0], number=2)
    doubled = dataclasses.replace(a, spikes=(a.spikes[0], second))
    written = plot_trace(two, doubled, TraceOptions(), tmp_path / "p.png")
    assert [p.name for p in written] == ["p-1.png", "p-2.png"]
    assert all(p.stat().st_size > 10_000 for p in written)


@pytest.mark.parametrize("name", ["break-late-timer.txt.gz", "break-late-timer.trace-cmd.txt.gz",
                                  "break-no-preempt.txt.gz", "record-netperf.txt.gz"])
def test_the_short_form_gives_the_victim_and_three_to_five_facts(name: str) -> None:
    from reporter.trace.wording import short_form

    lines = short_form(analyse_trace(FIXTURES / name, TraceOptions()))
    items = [line for line in lines if line.startswith("- ")]
    assert 1 + 3 <= len(items) <= 1 + 5, lines  # the victim's item, then the facts
    assert lines[-1].endswith(".") and any(line.startswith("Points to:") for line in lines)
    assert all(len(line) <= 78 for line in lines)


def test_measure_on_a_trace_points_to_reporter_trace(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measure", str(LATE_TIMER)]) == 2
    err = capsys.readouterr().err
    assert "an ftrace record" in err and f"reporter trace {LATE_TIMER}" in err
