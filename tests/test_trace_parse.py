"""Reading ftrace text: the line shapes of both formats, the event bodies, and bad files
(truncated, garbage, binary, empty) refused with one line and exit status 2."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.errors import InputError
from reporter.trace import fields
from reporter.trace.lines import LOST, STARTED, parse_line, parse_timestamp
from reporter.trace.scan import events_between, index
from reporter.trace.source import check

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "trace"


def test_a_tracefs_line() -> None:
    e = parse_line(" async-executor--7522    [000] dNh..   191.668027: hrtimer_expire_exit: "
                   "hrtimer=000000000189e2fa")
    assert e is not None
    assert (e.ts, e.cpu, e.comm, e.pid, e.flags, e.name, e.body) == (
        191_668_027_000, 0, "async-executor-", 7522, "dNh..", "hrtimer_expire_exit",
        "hrtimer=000000000189e2fa")


def test_a_trace_cmd_report_line_and_its_latency_format() -> None:
    plain = parse_line("       netserver-8614  [001]   272.225049: hrtimer_expire_entry: "
                       "hrtimer=0xffffc900055abd78 now=272177029374 function=hrtimer_wakeup/0x0")
    assert plain is not None and (plain.cpu, plain.flags, plain.name) == (
        1, "", "hrtimer_expire_entry")
    assert fields.keyvals(plain)["function"] == "hrtimer_wakeup"
    latency = parse_line("cyclicte-8612   12d..1.   272.932669: print:                "
                         "tracing_mark_write: hit latency threshold (279 > 150)")
    assert latency is not None
    assert (latency.comm, latency.pid, latency.cpu, latency.flags, latency.name) == (
        "cyclicte", 8612, 12, "d..1.", "print")
    assert latency.body == "tracing_mark_write: hit latency threshold (279 > 150)"


def test_comm_with_spaces_tgid_column_and_nanoseconds() -> None:
    e = parse_line("     Web Content-1234  (   1200) [002] ....  1.000000123: sched_waking: "
                   "comm=a b pid=3 prio=120 target_cpu=002")
    assert e is not None
    assert (e.comm, e.pid, e.cpu, e.ts) == ("Web Content", 1234, 2, 1_000_000_123)
    wk = fields.wakeup(e)
    assert wk == fields.Wakeup("a b", 3, 120, 2)


def test_lost_events_and_buffer_started_lines_become_markers() -> None:
    for text, count in (("CPU:1 [LOST 42 EVENTS]", "42"), ("CPU:1 [167700 EVENTS DROPPED]",
                                                            "167700")):
        e = parse_line(text, last_ts=55)
        assert e is not None and (e.name, e.cpu, e.body, e.ts) == (LOST, 1, count, 55)
    started = parse_line("##### CPU 3 buffer started ####", last_ts=9)
    assert started is not None and (started.name, started.cpu) == (STARTED, 3)
    assert parse_line("# tracer: nop") is None


def test_sched_switch_and_wakeup_in_both_formats() -> None:
    kernel = parse_line("     kdamond.0-73      [000] d..2.   272.932655: sched_switch: "
                        "prev_comm=kdamond.0 prev_pid=73 prev_prio=120 prev_state=R+ ==> "
                        "next_comm=cyclictest next_pid=8612 next_prio=9")
    tc = parse_line("     kdamond.0-73    [000]   272.932655: sched_switch:         "
                    "kdamond.0:73 [120] R+ ==> cyclictest:8612 [9]")
    assert kernel is not None and tc is not None
    assert fields.switch(kernel) == fields.switch(tc) == fields.Switch(
        "kdamond.0", 73, 120, "R+", "cyclictest", 8612, 9)
    wk = parse_line("          <idle>-0     [001]   256.189993: sched_wakeup:         "
                    "netperf:8413 [120] CPU:001")
    assert wk is not None and fields.wakeup(wk) == fields.Wakeup("netperf", 8413, 120, 1)


def test_policies_from_kernel_priorities() -> None:
    assert fields.policy(9) == "RT 90"
    assert fields.policy(120) == "SCHED_OTHER"
    assert fields.policy(125) == "SCHED_OTHER nice +5"
    assert fields.policy(-1) == "SCHED_DEADLINE"
    assert fields.policy(None) is None


def test_timestamps_for_at() -> None:
    assert parse_timestamp("191.670430") == 191_670_430_000
    assert parse_timestamp("5") == 5_000_000_000
    assert parse_timestamp("1.5e3") is None


def test_both_real_formats_are_told_apart() -> None:
    assert check(FIXTURES / "break-late-timer.txt.gz") == "tracefs"
    assert check(FIXTURES / "break-late-timer.trace-cmd.txt.gz") == "trace-cmd"


def test_index_finds_the_mark_and_reads_only_the_range_asked(tmp_path: Path) -> None:
    plain = tmp_path / "trace.txt"
    with gzip.open(FIXTURES / "break-no-preempt.txt.gz") as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    data = plain.read_bytes()
    idx = index(plain, block_bytes=64 << 10)
    assert [(m.cpu, m.pid, m.latency_us, m.threshold_us) for m in idx.marks] == [
        (1, 23407, 5834, 300)]
    assert len(idx.offsets) > 50  # a time every 16 KiB (a quarter of a block)
    assert all(data[o - 1:o] == b"\n" for o in idx.offsets[1:])  # each at a line start
    assert list(idx.first_ts) == sorted(idx.first_ts)
    start, end = idx.first_ts[20], idx.first_ts[22]
    events = events_between(idx, start, end, block_bytes=64 << 10)
    assert events and all(start <= e.ts <= end for e in events)
    # Every event of the range, none missed, in file order.
    expected = [e for e in (parse_line(t.decode()) for t in data.split(b"\n"))
                if e is not None and e.pid >= 0 and start <= e.ts <= end]
    assert [(e.ts, e.cpu, e.name, e.body) for e in events] == [
        (e.ts, e.cpu, e.name, e.body) for e in expected]
    assert idx.end_ts == max(e.ts for e in (parse_line(t.decode()) for t in data.split(b"\n"))
                             if e is not None and e.pid >= 0)


def _one_line_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    status = main(args)
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_a_truncated_gzip_trace_exits_2_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut = tmp_path / "cut.txt.gz"
    data = (FIXTURES / "break-no-preempt.txt.gz").read_bytes()
    cut.write_bytes(data[:len(data) // 2])
    err = _one_line_exit_2(["trace", str(cut)], capsys)
    assert err == (f"reporter: error: {cut}: the gzip data is cut short: the file is "
                   "truncated (copy or download the file again)\n")


def test_a_plain_trace_cut_inside_a_line_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut = tmp_path / "cut.txt"
    text = gzip.decompress((FIXTURES / "break-late-timer.txt.gz").read_bytes())
    cut.write_bytes(text[:len(text) - 40])
    err = _one_line_exit_2(["trace", str(cut)], capsys)
    assert f"{cut}: ends inside line " in err and "the file is truncated" in err


def test_garbage_binary_empty_and_trace_dat_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "notes.txt"
    garbage.write_text("# my notes\nthis is not a trace\n")
    err = _one_line_exit_2(["trace", str(garbage)], capsys)
    assert f"{garbage}: line 2 is not ftrace text: 'this is not a trace'" in err
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 40)
    assert "binary data, not an ftrace text trace" in _one_line_exit_2(
        ["trace", str(binary)], capsys)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "empty file, not a trace" in _one_line_exit_2(["trace", str(empty)], capsys)
    dat = tmp_path / "trace.dat"
    dat.write_bytes(b"\x17\x08\x44tracing6\x00" + b"\x00" * 100)
    assert "trace-cmd report -i" in _one_line_exit_2(["trace", str(dat)], capsys)
    corrupt = tmp_path / "corrupt.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00" + b"x" * 100)
    assert "corrupt gzip data" in _one_line_exit_2(["trace", str(corrupt)], capsys)
    assert "no such file" in _one_line_exit_2(["trace", str(tmp_path / "absent")], capsys)


def test_a_header_without_events_is_refused(tmp_path: Path) -> None:
    header_only = tmp_path / "trace"
    header_only.write_text("# tracer: nop\n#\n# entries-in-buffer/entries-written: 0/0   #P:2\n")
    with pytest.raises(InputError, match="holds no events"):
        index(header_only)


def test_damaged_lines_in_the_window_are_refused(tmp_path: Path) -> None:
    text = gzip.decompress((FIXTURES / "break-late-timer.txt.gz").read_bytes()).decode()
    lines = text.split("\n")
    damaged = [("\x00garbled" if i % 20 == 0 and i > 40 and not ln.startswith("#") else ln)
               for i, ln in enumerate(lines)]
    bad = tmp_path / "damaged.txt"
    bad.write_text("\n".join(damaged))
    with pytest.raises(InputError, match=r"line \d+ is not ftrace text: '\\x00garbled'"):
        from reporter.trace.analyse import analyse_trace
        from reporter.trace.spikes import TraceOptions

        analyse_trace(bad, TraceOptions())
