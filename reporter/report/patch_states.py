"""The `State:` line of a patch-status entry: transitions of the week, or since when (pure).

    State: New -> Accepted (Feb 9)                      every patch moved alike, by events
    State: New -> Accepted -> New (Feb 8)               a change undone within the week
    State: 1/3 New -> Accepted (Feb 15), 2/3 New -> Under Review, 3/3 New
                                                        patches moved differently; a move
                                                        without a day comes from the last
                                                        report, not from an event
    State: Under Review -> Accepted (Feb 9); last report: New
                                                        the events and the last report disagree
    State: Accepted 2, New 1 (posted Feb 7)             a series posted in the week
    State: Under Review (since Jan 20, 4 weeks)         unchanged in the week
    State: New, superseded by v2 (Feb 7)                a newer version arrived in the week
    State: Superseded by v2 (Feb 8)                     ... and Patchwork says so too
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from reporter.model.patches import Patch, Series, StateChange

_STATE_NAMES = {"rfc": "RFC"}

Move = tuple[tuple[str, ...], str | None]  # the states a patch went through; its day


def state_name(slug: str) -> str:
    """`under-review` -> `Under Review`, as Patchwork shows it."""
    return _STATE_NAMES.get(slug, " ".join(w.capitalize() for w in slug.split("-")) or "?")


def state_text(series: Series) -> str:
    states = series.states
    if len(states) <= 1:
        return state_name(states[0]) if states else "Unknown"
    counts = {s: sum(1 for p in series.patches if p.state == s) for s in states}
    return ", ".join(f"{state_name(s)} {counts[s]}" for s in states)


def state_line(series: Series, before: Series | None, tz: ZoneInfo, first: dt.date,
               last: dt.date) -> str:
    """The line for a series; `before` is the same series in the last report, if any."""
    now = state_text(series)
    if series.superseded_by is not None:
        when = f" ({day(series.superseded_on, tz)})" if series.superseded_on else ""
        if all(p.state == "superseded" for p in series.patches):
            return f"State: Superseded by v{series.superseded_by}{when}"
        return f"State: {now}, superseded by v{series.superseded_by}{when}"
    if before is None and first <= local_date(series.date, tz) <= last:
        return f"State: {now} (posted {day(series.date, tz)})"
    moves = {p.id: _move(series, p, before) for p in series.patches}
    if not any(moves.values()):
        return f"State: {now}{_since(series, tz, last)}"
    return f"State: {_moves_text(series, moves, tz)}{_disagreement(series, before)}"


def _move(series: Series, patch: Patch, before: Series | None) -> Move | None:
    """What the week's events say the patch went through, else what the last report did."""
    events = _events_of(series, patch.id)
    if events:
        path = [events[0].previous or patch.state]
        for change in events:
            if change.current and change.current != path[-1]:
                path.append(change.current)
        return (tuple(path), events[-1].date) if len(path) > 1 else None
    old = _patch_in(before, patch.id)
    if old is not None and old.state != patch.state:
        return (old.state, patch.state), None
    return None


def _moves_text(series: Series, moves: dict[int, Move | None], tz: ZoneInfo) -> str:
    numbers = _numbers(series)
    groups: dict[str, list[int]] = {}
    for patch in series.patches:
        move = moves[patch.id]
        if move is None:
            text = state_name(patch.state)
        else:
            path, when = move
            text = " -> ".join(state_name(s) for s in path)
            text += f" ({day(when, tz)})" if when else ""
        groups.setdefault(text, []).append(numbers[patch.id])
    if len(groups) == 1:
        return next(iter(groups))
    parts = sorted(groups.items(), key=lambda item: min(item[1]))
    return ", ".join(f"{_span(nums)}/{series.total} {text}" for text, nums in parts)


def _disagreement(series: Series, before: Series | None) -> str:
    """`; last report: S` when a patch's first event does not start from its last state."""
    if before is None:
        return ""
    for patch in series.patches:
        events = _events_of(series, patch.id)
        old = _patch_in(before, patch.id)
        if events and old is not None and events[0].previous and \
                old.state != events[0].previous:
            return f"; last report: {state_text(before)}"
    return ""


def _since(series: Series, tz: ZoneInfo, last: dt.date) -> str:
    """` (since Jan 20, 4 weeks)` when every patch's state has a known start."""
    dates = [p.state_since for p in series.patches]
    if not dates or any(d is None for d in dates):
        return ""
    latest = max((d for d in dates if d), key=dt.datetime.fromisoformat)
    weeks = (last - local_date(latest, tz)).days // 7
    if weeks <= 0:
        return f" (since {day(latest, tz)})"
    return f" (since {day(latest, tz)}, {weeks} week{'s' if weeks > 1 else ''})"


def _numbers(series: Series) -> dict[int, int]:
    """Each patch's position: its `[i/n]` number, or its place when numbers repeat."""
    given = [p.number for p in series.patches]
    if len(set(given)) == len(given):
        return {p.id: p.number for p in series.patches}
    return {p.id: i for i, p in enumerate(series.patches, 1)}


def _span(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "1-3,5"."""
    out: list[str] = []
    nums = sorted(set(numbers))
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}-{nums[j]}")
        i = j + 1
    return ",".join(out)


def _events_of(series: Series, patch_id: int) -> list[StateChange]:
    return sorted((c for c in series.state_changes if c.patch_id == patch_id),
                  key=lambda c: dt.datetime.fromisoformat(c.date))


def _patch_in(series: Series | None, patch_id: int) -> Patch | None:
    if series is None:
        return None
    return next((p for p in series.patches if p.id == patch_id), None)


def local_date(iso: str, tz: ZoneInfo) -> dt.date:
    return dt.datetime.fromisoformat(iso).astimezone(tz).date()


def day(iso: str | None, tz: ZoneInfo) -> str:
    if not iso:
        return "?"
    when = local_date(iso, tz)
    return f"{when:%b} {when.day}"
