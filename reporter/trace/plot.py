"""Draws a spike's window the way KernelShark users look at one: a lane per CPU, tasks
as labelled bars, hard interrupts and softirqs as ticks, silent gaps shaded, t0 and the
victim's run marked. Sized for a slide (16:9, large type).

matplotlib is an optional extra (`pip install 'reporter[plot]'`), imported here only.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter.errors import UsageError
from reporter.trace import fields
from reporter.trace.lines import LOST, STARTED, Event, format_ts
from reporter.trace.model import Analysis, Spike
from reporter.trace.scan import events_between, index
from reporter.trace.spikes import TraceOptions
from reporter.trace.wording import spike_what

SLIDE_INCHES = (13.33, 7.5)
TASK_COLOURS = (0, 1, 3, 5, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)  # tab20 indices
DPI = 150
MERGE_SHARE = 0.005
CHAR_SHARE = 0.0078  # the share of the window's width one label character takes
TICKS = {  # event -> (legend, colour, lane part: 1 above the bar, 0 below)
    "irq_handler_entry": ("hard irq", "tab:red", 1),
    "local_timer_entry": ("timer interrupt", "tab:orange", 1),
    "ipi": ("IPI", "tab:purple", 1),
    "softirq_entry": ("softirq", "tab:green", 0),
}


@dataclass(frozen=True)
class Bar:
    cpu: int
    start: float  # usecs from t0
    end: float
    name: str
    pid: int


def plot_trace(path: Path, analysis: Analysis, options: TraceOptions, out: Path) -> list[Path]:
    """One PNG per spike: `out`, or `out`'s name numbered when there are several."""
    plt = _pyplot()
    idx = index(path)
    written = []
    for spike in analysis.spikes:
        w = spike.window_ns
        events = events_between(idx, spike.t0 - 2 * w, spike.t0 + w)
        target = out if len(analysis.spikes) == 1 else out.with_name(
            f"{out.stem}-{spike.number}{out.suffix}")
        _draw(plt, analysis, spike, events, options.cpu, target)
        written.append(target)
    return written


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib",
                         hint="install the plot extra: pip install 'reporter[plot]'") from None
    return plt


def bars(events: Sequence[Event], t0: int, lo: int, hi: int) -> list[Bar]:
    """Each CPU's tasks as intervals (usecs from t0), clipped to [lo, hi]; idle left out."""
    cur: dict[int, tuple[str, int, int]] = {}
    comm: dict[int, str] = {}
    out: list[Bar] = []

    def close(cpu: int, end: int) -> None:
        if cpu in cur:
            name, pid, start = cur[cpu]
            s, e = max(start, lo), min(end, hi)
            if e > s and pid != fields.IDLE_PID:
                out.append(Bar(cpu, (s - t0) / 1000, (e - t0) / 1000, name, pid))

    last = lo
    for e in events:
        if e.name in (LOST, STARTED) or e.ts > hi:
            continue
        last = max(last, e.ts)
        if e.name == "sched_switch":
            sw = fields.switch(e)
            if sw is not None:
                comm[sw.next_pid] = sw.next_comm
                close(e.cpu, e.ts)
                cur[e.cpu] = (sw.next_comm, sw.next_pid, e.ts)
                continue
        if e.cpu not in cur or cur[e.cpu][1] != e.pid:
            close(e.cpu, e.ts)
            cur[e.cpu] = (comm.get(e.pid, e.comm), e.pid, e.ts)
    for cpu in list(cur):
        close(cpu, min(last, hi))
    return out


def ticks(events: Sequence[Event], t0: int, lo: int, hi: int) -> dict[str, list[tuple[int, float]]]:
    """Kind -> (cpu, usecs from t0) of each interrupt and softirq in [lo, hi]."""
    out: dict[str, list[tuple[int, float]]] = {k: [] for k in TICKS}
    for e in events:
        if not lo <= e.ts <= hi:
            continue
        kind = e.name if e.name in TICKS else "ipi" if e.name in fields.IPI_RECEIVED else None
        if kind is not None:
            out[kind].append((e.cpu, (e.ts - t0) / 1000))
    return out


def label_spans(drawn: Sequence[Bar], span: float) -> list[tuple[int, float, float, str]]:
    """A label per run of one task's bars on a CPU, joined across other tasks' slivers
    (shorter than MERGE_SHARE of the window): (cpu, start, end, name)."""
    out: list[tuple[int, float, float, str]] = []
    last: dict[int, int] = {}  # cpu -> index in out of its latest span
    for bar in sorted(drawn, key=lambda b: (b.cpu, b.start)):
        i = last.get(bar.cpu)
        if i is not None and out[i][3] == bar.name and bar.start - out[i][2] < MERGE_SHARE * span:
            out[i] = (bar.cpu, out[i][1], bar.end, bar.name)
            continue
        if i is not None and bar.end - bar.start < MERGE_SHARE * span:
            continue  # a sliver between two runs of the same task: no label of its own
        out.append((bar.cpu, bar.start, bar.end, bar.name))
        last[bar.cpu] = len(out) - 1
    return out


def fit_label(name: str, share: float) -> str | None:
    """The task's name as it fits a bar `share` of the window wide: whole, cut, or none."""
    room = int(share / CHAR_SHARE) - 1
    if room >= len(name):
        return name
    if room >= 4:
        return name[:room - 1] + "~"
    return None


def _colour(name: str, is_victim: bool) -> Any:
    """A task's colour: the victim black, the others from tab20 without the saturated
    red, orange, green and purple that the ticks use."""
    import matplotlib

    if is_victim:
        return "black"
    palette = matplotlib.colormaps["tab20"]
    return palette(TASK_COLOURS[zlib.crc32(name.encode()) % len(TASK_COLOURS)] / 20)


def _draw(plt: Any, analysis: Analysis, spike: Spike, events: Sequence[Event],
          only_cpu: int | None, target: Path) -> None:
    t0, w = spike.t0, spike.window_ns
    lo, hi = t0 - w, t0 + w
    cpus = [c.cpu for c in spike.cpus if only_cpu is None or c.cpu == only_cpu]
    lane = {cpu: i for i, cpu in enumerate(cpus)}
    fig, ax = plt.subplots(figsize=SLIDE_INCHES, dpi=DPI)
    span = 2 * w / 1000
    for c in spike.cpus:
        if c.cpu in lane and c.events:
            y = len(cpus) - 1 - lane[c.cpu]
            ax.hlines(y + 0.5, -w / 1000, w / 1000, colors="0.85", linewidth=1, zorder=0)
    drawn = [b for b in bars(events, t0, lo, hi) if b.cpu in lane]
    victim = spike.victim.task.comm if spike.victim is not None else None
    victim_pid = spike.victim.task.pid if spike.victim is not None else None
    for bar in drawn:
        y = len(cpus) - 1 - lane[bar.cpu]
        ax.broken_barh([(bar.start, bar.end - bar.start)], (y + 0.28, 0.44),
                       facecolors=_colour(bar.name, bar.pid == victim_pid), edgecolor="white",
                       linewidth=0.3)
    for cpu_id, start, end, name in label_spans(drawn, span):
        label = fit_label(name, (end - start) / span)
        if label:
            ax.text((start + end) / 2, len(cpus) - 1 - lane[cpu_id] + 0.5, label,
                    ha="center", va="center", fontsize=12, clip_on=True,
                    color="white" if name == victim else "black")
    for kind, points in ticks(events, t0, lo, hi).items():
        legend, colour, above = TICKS[kind]
        xs = [x for cpu, x in points if cpu in lane]
        ys = [len(cpus) - 1 - lane[cpu] for cpu, _ in points if cpu in lane]
        if xs:
            base = [y + (0.76 if above else 0.04) for y in ys]
            ax.vlines(xs, base, [b + 0.2 for b in base], colors=colour, linewidth=1.2,
                      label=legend)
    shaded = False
    for c in spike.cpus:
        if c.cpu not in lane:
            continue
        y = len(cpus) - 1 - lane[c.cpu]
        for g in c.gaps:
            ax.add_patch(plt.Rectangle(((g.start - t0) / 1000, y + 0.02),
                                       (g.end - g.start) / 1000, 0.96, facecolor="0.6",
                                       alpha=0.35, hatch="//", edgecolor="0.4",
                                       label=None if shaded else "silent gap"))
            shaded = True
    ax.axvline(0, color="black", linestyle="--", linewidth=1.5, label="t0: wake-up due")
    v = spike.victim
    if v is not None and v.fired is not None and min(abs(v.fired - t0), abs(
            (v.ran or v.fired) - v.fired)) * 50 > 2 * w:  # apart from t0 and the run
        ax.axvline((v.fired - t0) / 1000, color="tab:orange", linestyle=":", linewidth=2,
                   label=f"its timer fired ({(v.fired - t0) / 1000:+.0f} us)")
    if v is not None and v.ran is not None:
        ax.axvline((v.ran - t0) / 1000, color="tab:red", linewidth=2,
                   label=f"{v.task.name} ran ({(v.ran - t0) / 1000:+.0f} us)")
    if analysis.end_ts is not None and analysis.end_ts < hi:
        end = (analysis.end_ts - t0) / 1000
        ax.axvspan(end, w / 1000, facecolor="0.93", edgecolor="none", zorder=0)
        ax.text((end + w / 1000) / 2, len(cpus) / 2, "end of trace", ha="center",
                va="center", fontsize=14, color="0.45")
    ax.set_xlim(-w / 1000, w / 1000)
    ax.set_ylim(-0.1, len(cpus) + 0.1)
    ax.set_yticks([len(cpus) - 1 - i + 0.5 for i in range(len(cpus))],
                  [f"cpu#{cpu}" for cpu in cpus], fontsize=15)
    ax.set_xlabel("usecs from t0", fontsize=15)
    ax.tick_params(axis="x", labelsize=13)
    ax.set_title(f"{Path(analysis.file).name}: {spike_what(spike)}   (t0 = {format_ts(t0)})",
                 fontsize=16)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=4, fontsize=12,
              frameon=False)
    ax.grid(axis="x", color="0.85", linewidth=0.6)
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)
