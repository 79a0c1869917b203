"""The wording of a findings bullet (SPEC section 6), and last week's finding to compare with."""

from __future__ import annotations

import math

from reporter.model.findings import Count, CpuFigures, Figure, Finding, MeasurementSnapshot

MAX_LINES_LISTED = 5


def finding_lines(f: Finding, last_week: Finding | None) -> tuple[str, ...]:
    """The bullet's logical lines, without "* " and without indentation.

    ("Latency, long run (latency-0216.csv, 300000 samples, 5 min):",
     "min 41 / avg 118 / p99 402 / p99.9 1204 / max 3412 usecs",
     "5 spikes > 3000 usecs (last week: 11)")
    """
    if f.text:  # worded when measured: a trace (reporter.trace.finding)
        return f.text
    title = "Latency" + (f", {f.label}" if f.label else "")
    if f.invalid is not None:
        reason = f"the data was invalid: {f.invalid}"
        if f.bad_examples:
            reason += f"; bad {_lines(f)}"
        return (f"{title} ({f.file}):", reason)
    what = [f.file]
    if f.samples is not None:
        what.append(f"{f.samples} samples")
    if f.duration_s is not None:
        what.append(format_duration(f.duration_s))
    lines = [f"{title} ({', '.join(what)}):", figures_line(f.min_us, f.avg_us, f.p99_us,
                                                              f.p999_us, f.max_us)]
    if f.threshold_us is not None:
        spikes = spikes_line(f.threshold_us, f.spikes, f.above_threshold)
        if spikes is not None:
            previous = _last_week_count(f, last_week)
            lines.append(spikes + (f" (last week: {previous})" if previous is not None else ""))
    if f.worst_cpu is not None:
        lines.append(worst_line(f.worst_cpu))
    if f.bad_rows:
        noun = "bad row" if f.bad_rows == 1 else "bad rows"
        lines.append(f"{f.bad_rows} {noun} ignored ({_lines(f)})")
    return tuple(lines)


def previous_finding(f: Finding, last_week: MeasurementSnapshot | None) -> Finding | None:
    """Last week's finding for the same card, label and kind of measurement."""
    if last_week is None:
        return None
    same = [g for g in last_week.findings
            if g.card == f.card and g.label == f.label and g.kind == f.kind]
    if not same:
        return None
    same.sort(key=lambda g: (g.invalid is not None, g.file != f.file, g.format != f.format))
    return same[0]


def figures_line(min_us: float | None, avg_us: float | None, p99: Figure | None,
                 p999: Figure | None, max_us: float | None) -> str:
    return (f"min {_us(min_us)} / avg {_us(avg_us)} / p99 {_fig(p99)} / p99.9 {_fig(p999)} / "
            f"max {_us(max_us)} usecs")


def spikes_line(threshold_us: float, spikes: int | None, above: Count | None) -> str | None:
    t = _num(threshold_us) if threshold_us == int(threshold_us) else f"{threshold_us:g}"
    if spikes is not None:
        return f"{spikes} {'spike' if spikes == 1 else 'spikes'} > {t} usecs"
    if above is None:
        return None
    if above.exact:
        return f"{_samples(above.at_least)} > {t} usecs"
    if above.at_most is None:
        return f"at least {_samples(above.at_least)} > {t} usecs"
    if above.at_least == 0:
        return f"up to {_samples(above.at_most)} > {t} usecs"
    return f"{above.at_least} to {above.at_most} samples > {t} usecs"


def _samples(n: int) -> str:
    return f"{n} sample" if n == 1 else f"{n} samples"


def worst_line(c: CpuFigures) -> str:
    return f"worst {c.name}: " + figures_line(c.min_us, c.avg_us, c.p99_us, c.p999_us, c.max_us)


def format_duration(seconds: float) -> str:
    """`45 s`, `5 min`, `3 h`, `2 d`: the unit that keeps the number readable."""
    if seconds < 120:
        return f"{max(1, round(seconds))} s"
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} d"


def _last_week_count(f: Finding, last: Finding | None) -> int | None:
    """Last week's number of the same thing: spikes for spikes, samples for samples."""
    if last is None or last.invalid is not None or last.threshold_us != f.threshold_us:
        return None
    if f.spikes is not None:
        return last.spikes
    a = last.above_threshold
    if f.above_threshold is not None and f.above_threshold.exact and a is not None and a.exact:
        return a.at_least
    return None


def _lines(f: Finding) -> str:
    numbers = [str(b.line) for b in f.bad_examples[:MAX_LINES_LISTED]]
    more = ", ..." if f.bad_rows > len(numbers) else ""
    word = "line" if len(numbers) == 1 and not more else "lines"
    return f"{word} {', '.join(numbers)}{more}"


def _us(value: float | None) -> str:
    return "n/a" if value is None else _num(value)


def _fig(value: Figure | None) -> str:
    if value is None:
        return "n/a"
    return f"> {_num(value.us)}" if value.over else _num(value.us)


def _num(value: float) -> str:
    """Whole usecs, halves rounded up (118.5 -> 119)."""
    return str(int(math.floor(value + 0.5)))
