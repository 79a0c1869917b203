"""Draws a measurement: the latency histogram on a log scale, and the samples over time.

matplotlib is an optional extra (`pip install 'reporter[plot]'`); it is imported
here only, when `reporter measure --plot` asks for a picture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reporter.errors import InputError, UsageError
from reporter.measure.figures import Result
from reporter.measure.samples import SampleReader
from reporter.measure.textfile import open_binary
from reporter.model.findings import Finding

TIME_BINS = 2000  # the time series shows the highest latency in each of this many slices


def plot_measurement(path: Path, result: Result, finding: Finding, out: Path) -> None:
    """Write a PNG of the file's histogram (and its time series when rows carry times)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib",
                         hint="install the plot extra: pip install 'reporter[plot]'") from None
    import numpy as np

    series = _time_series(path, result, finding)
    rows = 2 if series is not None else 1
    fig, axes = plt.subplots(rows, 1, figsize=(10, 4 * rows), squeeze=False)
    ax = axes[0][0]
    dist = result.distribution
    if dist is not None and dist.bars()[1].size:
        values, counts = dist.bars()
        nz = np.flatnonzero(counts)
        ax.bar(values[nz], counts[nz], width=1.0, color="tab:blue")
        if dist.overflow:
            floor = dist.overflow_floor_us or float(values.max())
            ax.bar([floor + 1], [dist.overflow], width=1.0, color="tab:red",
                   label=f"overflow (> {floor:g} usecs)")
            ax.legend()
        ax.set_yscale("log")
    if finding.threshold_us is not None:
        ax.axvline(finding.threshold_us, color="tab:red", linestyle="--", linewidth=1)
    ax.set_xlabel("latency (usecs)")
    ax.set_ylabel("samples (log scale)")
    ax.set_title(f"{finding.file}: latency histogram")
    if series is not None:
        t, top = series
        ax2 = axes[1][0]
        ax2.plot(t, top, linewidth=0.8, color="tab:blue", label="highest latency per slice")
        if finding.threshold_us is not None:
            ax2.axhline(finding.threshold_us, color="tab:red", linestyle="--", linewidth=1,
                        label=f"threshold {finding.threshold_us:g} usecs")
        ax2.set_xlabel("time (s)")
        ax2.set_ylabel("latency (usecs)")
        ax2.legend(loc="upper right")
    fig.tight_layout()
    try:
        fig.savefig(out, format="png", dpi=100)
    except OSError as exc:
        raise InputError(f"{out}: cannot write the plot: {exc.strerror}") from None
    finally:
        plt.close(fig)


def _time_series(path: Path, result: Result, finding: Finding) -> tuple[Any, Any] | None:
    """A second pass over a sample file with times: the maximum of each time slice."""
    import numpy as np

    layout = result.layout
    if layout is None or layout.time_col is None or not finding.duration_s:
        return None
    width = finding.duration_s / TIME_BINS
    top = np.full(TIME_BINS, np.nan)
    origin: list[float] = []

    def sink(us: Any, _cpu: Any, times: Any) -> None:
        if times is None or not times.size:
            return
        if not origin:
            origin.append(float(times[0]))
        idx = np.clip(((times - origin[0]) / width).astype(np.int64), 0, TIME_BINS - 1)
        slot = np.full(TIME_BINS, -np.inf)
        np.maximum.at(slot, idx, us.astype(np.float64))
        np.fmax(top, np.where(np.isfinite(slot), slot, np.nan), out=top)

    with open_binary(path) as fh:
        SampleReader(layout, sink, want_time=True).run(fh, path.stat().st_size)
    if not origin:
        return None
    t = np.arange(TIME_BINS) * width
    keep = ~np.isnan(top)
    return t[keep], top[keep]
