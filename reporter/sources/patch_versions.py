"""Versions of one series: which version replaced which, and which version a merge belongs to.

A series is superseded by a later series of the same name from the submitter with a
higher version (`[PATCH v2]` after `[PATCH]`), or when Patchwork marks all its
patches `superseded`. A commit that git matches to patches of several versions
(the subject and author match every version) belongs to the newest version only; a
superseded version claims no merge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from reporter.model.patches import MergedCommit, Series


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def mark_superseded(series_list: Sequence[Series]) -> list[Series]:
    """Each series with `superseded_by`/`superseded_on` set when a newer version exists."""
    by_name: dict[str, list[Series]] = {}
    for series in series_list:
        by_name.setdefault(name_key(series.name), []).append(series)
    out = []
    for series in series_list:
        newer = sorted((s for s in by_name[name_key(series.name)]
                        if s.version > series.version and _instant(s.date) >= _instant(
                            series.date)),
                       key=lambda s: (s.version, s.date, s.id))
        by: int | None = newer[0].version if newer else None
        dates = [newer[0].date] if newer else []
        if series.patches and all(p.state == "superseded" for p in series.patches):
            dates.extend(_state_dates(series))
        if by is None and not dates:
            out.append(series)
            continue
        on = min(dates, key=_instant) if dates else None
        out.append(replace(series, superseded_by=by, superseded_on=on))
    return out


def _state_dates(series: Series) -> list[str]:
    """When the series' patches became `superseded`: the latest such event, else since."""
    events = [c.date for c in series.state_changes if c.current == "superseded"]
    if events:
        return [max(events, key=_instant)]
    since = [p.state_since for p in series.patches if p.state_since]
    return [max(since, key=_instant)] if since else []


def claim_merges(series_list: Iterable[Series], merged: Mapping[str, MergedCommit]
                 ) -> dict[str, MergedCommit]:
    """The merges each patch keeps: none for a superseded version, and each commit for
    the patch of the newest version that git matched to it."""
    owner: dict[str, tuple[tuple[int, dt.datetime, int], str]] = {}
    for series in series_list:
        if series.superseded_by is not None or series.superseded_on is not None:
            continue
        rank = (series.version, _instant(series.date), series.id)
        for patch in series.patches:
            commit = merged.get(patch.msgid)
            if commit is None:
                continue
            held = owner.get(commit.commit)
            if held is None or rank > held[0]:
                owner[commit.commit] = (rank, patch.msgid)
    return {msgid: merged[msgid] for _, msgid in owner.values()}


def _instant(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)
