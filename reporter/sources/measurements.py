"""The week's measurement files, from the configured globs and the Jira attachments.

A configured file belongs to the week when its path (below the glob's fixed
folders) holds a date inside the week (2023-02-16 or 20230216, the last one
wins), or else when it was last modified inside the week (in the configured time
zone). A glob may also name the week itself: `{week_end}` is replaced by the
week's last day (`data/measurements/{week_end}/*.csv`).

Jira attachments are those the Jira source downloaded for the week (it keeps
only measurement-looking ones); each card's first `measurements` entry gives
the threshold, label, column and unit, and cards without one get none (no
spikes line). An attachment in which not a single row could be read, and which
is not in a measuring tool's own format, is not a measurement at all: it is
left out with a warning instead of being called invalid data.
"""

from __future__ import annotations

import datetime as dt
import glob
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.config import Config, MeasurementConfig
from reporter.errors import InputError
from reporter.model.cards import JiraSnapshot
from reporter.model.findings import Finding, MeasurementSnapshot
from reporter.week import week_start

if TYPE_CHECKING:  # the parsers load when a file is measured: a week without files is quick
    from reporter.measure.analyse import MeasureOptions

log = logging.getLogger(__name__)

_DATE_RE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
_MAGIC = re.compile(r"[*?\[]")


def pull_measurements(config: Config, week_end: dt.date, now: dt.datetime, *,
                      jira: JiraSnapshot | None) -> MeasurementSnapshot:
    """Summarise every measurement file of the week; refused files become invalid findings."""
    findings: list[Finding] = []
    seen: set[tuple[str, Path]] = set()
    for entry in config.measurements:
        for path in week_files(entry.files, week_end, config.tz):
            key = (entry.card, path.resolve())
            if key in seen:
                continue
            seen.add(key)
            findings.append(_measure(path, options_for(entry), path.name, _shown(path, config)))
    if jira is not None:
        findings.extend(_attachments(config, jira))
    # In the configuration's order (the email shows a card's findings in this order),
    # each entry's files by name, then the Jira attachments.
    log.info("measurements: %d %s", len(findings), "file" if len(findings) == 1 else "files")
    return MeasurementSnapshot(pulled_at=now.isoformat(), findings=tuple(findings))


def options_for(entry: MeasurementConfig) -> MeasureOptions:
    from reporter.measure.analyse import MeasureOptions

    return MeasureOptions(threshold_us=entry.threshold_us, column=entry.column,
                          unit=entry.unit, label=entry.label, card=entry.card)


def week_files(pattern: str, week_end: dt.date, tz: dt.tzinfo) -> list[Path]:
    """The files the glob matches that belong to the week ending `week_end`."""
    if "{week_end}" in pattern:
        pattern = pattern.replace("{week_end}", week_end.isoformat())
        return sorted(p for p in map(Path, glob.glob(pattern, recursive=True)) if p.is_file())
    first = week_start(week_end)
    base = _fixed_prefix(pattern)
    out = []
    for name in sorted(glob.glob(pattern, recursive=True)):
        path = Path(name)
        if not path.is_file():
            continue
        day = date_in_path(_below(path, base))
        if day is None:
            day = dt.datetime.fromtimestamp(path.stat().st_mtime, tz).date()
        if first <= day <= week_end:
            out.append(path)
    return out


def date_in_path(path: Path) -> dt.date | None:
    """The last valid date written in the path (2023-02-16 or 20230216), if any."""
    found = None
    for match in _DATE_RE.finditer(str(path)):
        try:
            found = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return found


def glob_matches(config: Config, path: Path) -> MeasurementConfig | None:
    """The first measurements entry whose glob (any week) matches `path`."""
    target = path.resolve()
    for entry in config.measurements:
        pattern = entry.files.replace("{week_end}", "*")
        if any(Path(p).resolve() == target for p in glob.glob(pattern, recursive=True)):
            return entry
    return None


def _attachments(config: Config, jira: JiraSnapshot) -> list[Finding]:
    entries: dict[str, MeasurementConfig] = {}
    for entry in config.measurements:
        entries.setdefault(entry.card, entry)
    out = []
    for card in jira.cards:
        known = entries.get(card.key)
        for att in card.attachments:
            if not att.local_path:
                continue
            path = config.data_dir / att.local_path
            if not path.resolve().is_relative_to(config.data_dir.resolve()):
                log.warning("jira: attachment %r of %s is stored outside data_dir (%s); "
                            "left out", att.filename, card.key, att.local_path)
                continue
            options = options_for(known) if known else _card_options(card.key)
            finding = _measure(path, options, att.filename, f"jira:{att.id}")
            if _not_a_measurement(finding):
                log.warning("jira: attachment %r of %s is not a measurement file (%s); "
                            "left out", att.filename, card.key, finding.invalid)
                continue
            out.append(finding)
    return out


def _not_a_measurement(f: Finding) -> bool:
    """Refused, not from a measuring tool's format, and without one good row."""
    loose = f.format in ("unknown", "raw", "csv", "summary-yaml", "summary-json")
    return f.invalid is not None and loose and f.bad_rows >= f.rows


def _card_options(card: str) -> MeasureOptions:
    from reporter.measure.analyse import MeasureOptions

    return MeasureOptions(card=card)


def _measure(path: Path, options: MeasureOptions, name: str, source: str) -> Finding:
    from reporter.measure.analyse import measure_file
    from reporter.trace.finding import is_trace, trace_finding

    if is_trace(path):
        return trace_finding(path, card=options.card, label=options.label, name=name,
                             source=source)
    try:
        finding = measure_file(path, options, display_name=name, source=source)
    except InputError as exc:
        return Finding(file=name, kind="unknown", format="unknown", card=options.card,
                       label=options.label, source=source, threshold_us=options.threshold_us,
                       invalid=f"cannot read the file: {exc.message.split(': ', 1)[-1]}")
    if finding.invalid is not None:
        log.warning("measurements: %s (%s): invalid data: %s", name, options.card,
                    finding.invalid)
    elif finding.bad_rows:
        log.warning("measurements: %s (%s): %d bad rows ignored", name, options.card,
                    finding.bad_rows)
    return finding


def _shown(path: Path, config: Config) -> str:
    for base in (config.data_dir, config.path.parent):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def _fixed_prefix(pattern: str) -> Path:
    parts = []
    for part in Path(pattern).parts[:-1]:
        if _MAGIC.search(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def _below(path: Path, base: Path) -> Path:
    try:
        return path.relative_to(base)
    except ValueError:
        return path
