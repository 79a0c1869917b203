"""The synthetic trace (tests/trace_synth.py): each fact has a known answer, in both the
kernel's `trace` format and `trace-cmd report`'s."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.cli import main
from reporter.trace.analyse import analyse_trace
from reporter.trace.model import Analysis, CpuFacts
from reporter.trace.spikes import TraceOptions
from reporter.trace.wording import breakdown, short_form
from tests import trace_synth as synth

US = 1000


@pytest.fixture(params=["tracefs", "trace-cmd"])
def trace(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    trace_cmd = request.param == "trace-cmd"
    return synth.write(tmp_path / ("synth-tc.txt.gz" if trace_cmd else "synth.txt.gz"),
                       trace_cmd=trace_cmd)


def _tc(path: Path) -> bool:
    return path.name == "synth-tc.txt.gz"


def _analysis(path: Path, **options: object) -> Analysis:
    return analyse_trace(path, TraceOptions(**options))  # type: ignore[arg-type]


def _cpu(a: Analysis, n: int) -> CpuFacts:
    return next(c for c in a.spikes[0].cpus if c.cpu == n)


def test_the_spike_victim_and_t0_from_its_timer(trace: Path) -> None:
    a = _analysis(trace)
    assert a.format == ("trace-cmd" if _tc(trace) else "tracefs")
    (spike,) = a.spikes
    assert spike.mark is not None and (spike.mark.latency_us, spike.mark.threshold_us) == (
        synth.LATENCY_US, synth.THRESHOLD_US)
    assert spike.t0 == synth.T0_NS and spike.t0_from == "timer"  # through the hrtimer clock
    assert spike.window_ns == 2 * synth.LATENCY_US * US
    v = spike.victim
    assert v is not None
    assert (v.task.comm, v.task.pid, v.task.prio, v.cpu) == ("cyclictest", 1000, 9, 2)
    assert (v.fired - spike.t0, v.woken - spike.t0, v.ran - spike.t0) == (  # type: ignore[operator]
        2701 * US, 2702 * US, 2710 * US)
    assert v.previous_ran == spike.t0 - 994 * US


def test_silent_gap(trace: Path) -> None:
    (gap,) = _cpu(_analysis(trace), 2).gaps
    t0 = synth.T0_NS
    assert (gap.start - t0, gap.end - t0) == (synth.GAP[0] * US, synth.GAP[1] * US)
    assert (gap.current.comm, gap.current.pid, gap.lost) == ("stress-ng-cpu", 2000, False)
    assert gap.late_timer_ns == 2701 * US  # the victim's timer, due inside the gap


def test_ksoftirqd_delay_and_the_softirq_it_held(trace: Path) -> None:
    c = _cpu(_analysis(trace), 0)
    (wait,) = c.ksoftirqd
    t0 = synth.T0_NS
    assert wait.task.name == "ksoftirqd/0-14"
    assert (wait.woken - t0, wait.ran - t0) == (  # type: ignore[operator]
        synth.KSOFTIRQD[0] * US, synth.KSOFTIRQD[1] * US)
    (net_rx,) = [q for q in c.softirqs if q.name == "NET_RX"]
    assert (net_rx.raised, net_rx.run, net_rx.max_delay_ns, net_rx.run_by) == (
        1, 1, 6001 * US, "ksoftirqd/0-14")


def test_long_workqueue_function(trace: Path) -> None:
    (work,) = _cpu(_analysis(trace), 0).works
    t0 = synth.T0_NS
    assert (work.function, work.worker.name) == ("gc_worker", "kworker/0:1-51")
    assert (work.start - t0, work.end - t0) == (  # type: ignore[operator]
        synth.GC_WORKER[0] * US, synth.GC_WORKER[1] * US)


def test_irq_storm(trace: Path) -> None:
    c = _cpu(_analysis(trace), 1)
    storm = c.hardirqs[0]
    assert (storm.name, storm.count, storm.longest_ns) == ("eth1", 201, 5 * US)


def test_ipis_timers_and_idle(trace: Path) -> None:
    a = _analysis(trace)
    idle = _cpu(a, 3)
    assert [(i.name, i.count) for i in idle.ipis_received] == [("call-function IPI", 9)]
    assert [(i.name, i.count) for i in _cpu(a, 0).ipis_sent] == [("cpu#3", 9)]
    assert idle.gaps == ()  # an idle CPU is quiet; that is no gap
    assert [t.name for t in _cpu(a, 2).timers] == ["tick_nohz_handler", "hrtimer_wakeup"]
    assert _cpu(a, 2).max_timer_late_ns == 2701 * US


def test_the_facts_ranked_and_the_conclusion(trace: Path) -> None:
    (spike,) = _analysis(trace).spikes
    assert [f.kind for f in spike.facts] == ["gap", "ksoftirqd", "work", "storm", "run"]
    assert spike.verdict == (
        "the victim's CPU recorded nothing for 2900 us while a SCHED_OTHER task "
        "(stress-ng-cpu-2000) was current, so a host preemption or an irqs-off section is "
        "likely")


def test_the_short_form_under_the_card(trace: Path) -> None:
    labelled = short_form(_analysis(trace), label="long run")
    assert " ".join(labelled[:2]).startswith(
        f"Trace, long run ({trace.name}): cyclictest-1000 on cpu#2, 2712 usecs > 1000:")
    lines = short_form(_analysis(trace))
    assert lines == (
        f"Trace ({trace.name}): cyclictest-1000 on cpu#2, 2712 usecs > 1000:",
        "- cyclictest-1000 (RT 90) on cpu#2 was due to wake at t0: its timer fired at",
        "  t0+2701 and woke it at t0+2702, but it ran only at t0+2710",
        "- cpu#2 recorded nothing for 2900 us (t0-200 to t0+2700) while",
        "  stress-ng-cpu-2000 (SCHED_OTHER) was current; its timer came 2701 us late",
        "- ksoftirqd/0-14 was woken at t0-2995 but ran only at t0+3000 (5995 us later)",
        "- gc_worker() ran on kworker/0:1-51 on cpu#0 from t0-3100 to t0+2950 (6050 us)",
        "- cpu#1 took 201 interrupts from eth1 in the window: an IRQ storm",
        "- cpu#2 ran stress-ng-cpu-2000 (SCHED_OTHER) from t0-989 to t0+2710 (3699 us)"
        + ("" if _tc(trace) else ","),
        *([] if _tc(trace) else ["  with a reschedule pending"]),
        "Points to: the victim's CPU recorded nothing for 2900 us while a SCHED_OTHER",
        "task (stress-ng-cpu-2000) was current, so a host preemption or an irqs-off",
        "section is likely.",
    )
    assert all(len(line) <= 78 for line in lines)  # fits under "* " in 80 columns


def test_the_whole_breakdown_through_main(trace: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(trace)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out == breakdown(analyse_trace(trace, TraceOptions(), display_name=str(trace)))
    lines = out.splitlines()
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines)
    assert all(line.startswith(("* ", "  ")) for line in lines)
    assert "  - silent: nothing recorded for 2900 us, t0-200 to t0+2700, while" in lines
    assert "  - ksoftirqd/0-14: woken 1 time, waited up to 5995 us (t0-2995 to t0+3000)" \
        in lines
    assert "  - workqueue: gc_worker() on kworker/0:1-51, t0-3100 to t0+2950 (6050 us)" \
        in lines
    assert "  - hard irqs: eth1 x201, local timer x11" in lines
    assert lines[-3:] == [
        "* Points to: the victim's CPU recorded nothing for 2900 us while a SCHED_OTHER",
        "  task (stress-ng-cpu-2000) was current, so a host preemption or an irqs-off",
        "  section is likely."]


def test_at_a_given_time_with_a_cpu(trace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(trace), "--at", "1234.500000", "--window", "4000",
                 "--cpu", "0"]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[:2] == [
        "* Spike: the window at 1234.500000; t0 = 1234.500000, as given with --at; window",
        "  t0-4000 to t0+4000"]
    assert "* cpu#0, t0-4000 to t0+4000" in out and "* cpu#1" not in out
    assert out.endswith(
        "* Points to: gc_worker() ran on kworker/0:1-51 on cpu#0 from t0-3100 to t0+2950\n"
        "  (6050 us), so a long workqueue function kept its CPU busy.\n")


def test_the_gap_threshold_and_window_options(trace: Path) -> None:
    narrow = _analysis(trace, gap_us=3000)
    assert _cpu(narrow, 2).gaps == ()  # 2900 us is not longer than 3000
    wide = _analysis(trace, window_us=10_000)
    assert wide.spikes[0].window_ns == 10_000 * US
    assert _cpu(wide, 1).hardirqs[0].count == 201


def test_bad_option_values_exit_2(trace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--window", "0"], ["--gap", "-5"], ["--at", "noon"], ["--at", "99"],
                 ["--cpu", "9"], ["--break", "100"], ["extra"]):
        assert main(["trace", str(trace), *args]) == 2, args
        _, err = capsys.readouterr()
        assert err.startswith("reporter: error: ") and err.count("\n") == 1, (args, err)


def test_without_timer_events_t0_comes_from_the_tracemark(tmp_path: Path) -> None:
    lines = [ln for ln in synth.lines() if "hrtimer_" not in ln]
    path = tmp_path / "no-timers.txt"
    path.write_text("\n".join(lines) + "\n")
    (spike,) = _analysis(path).spikes
    assert spike.t0_from == "tracemark"
    assert spike.mark is not None
    assert spike.t0 == spike.mark.ts - synth.LATENCY_US * US
    assert spike.victim is not None and spike.victim.due is None
    assert spike.victim.woken is not None and spike.victim.ran is not None


def test_lost_events_are_not_a_silent_gap(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    lines = synth.lines()
    late = next(i for i, ln in enumerate(lines)
                if "[002]" in ln and "local_timer_entry" in ln and "1234.502700" in ln)
    lines.insert(late, "CPU:2 [LOST 120 EVENTS]")
    path = tmp_path / "lost.txt"
    path.write_text("\n".join(lines) + "\n")
    a = _analysis(path)
    (gap,) = _cpu(a, 2).gaps
    assert gap.lost and _cpu(a, 2).lost_events == 120
    assert all(f.kind != "gap" or "cpu#2" not in f.text for f in a.spikes[0].facts)
    assert main(["trace", str(path), "--cpu", "2"]) == 0
    out = capsys.readouterr().out
    assert "t0+2700, while stress-ng-cpu-2000 (SCHED_OTHER) was current; events were lost" \
        in " ".join(out.split())
    assert "  - lost: 120 events in the window; the facts above may miss some\n" in out
