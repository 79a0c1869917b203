"""The `=== Patch status ===` entries: one logical text per series (pure, no I/O).

Entry format (lines are logical: compose numbers the `<URL>` and wraps at 80 columns):

    SUBJECT (vN, K patches)<ARCHIVE-URL>
    State: OLD -> NEW (Mon D)         when it changed since the last sent week
    State: NEW (posted Mon D)         for a series posted in the week
    State: S1 2, S2 1                 when the patches differ (count of each)
    Patchwork: S, but git has it merged (BRANCH)      when Patchwork and git disagree
    Patchwork: S for J of K, but git has them merged (BRANCH)
    Patchwork: Accepted, but git has no commit for it (BRANCHES)
    Reviewed-by: NAME, NAME (2/3)     one line per tag kind; (i/K) when not the whole series
    Acked-by: ... / Tested-by: ...
    Tags (Patchwork): Reviewed-by 2, Acked-by 1       when the thread could not be read
    Applied to TREE by NAME (Mon D)   a maintainer's "Applied to ..." reply
    Merged: SHA12 in BRANCH, in RELEASE                a one-patch series
    Merged: J of K patches in BRANCH, not in a release yet
    Merged: K of K patches (BRANCH1 I, BRANCH2 J), in RELEASE1, RELEASE2 (N not in a release yet)
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from reporter.config import PatchesConfig
from reporter.model.patches import CLOSED_STATES, TAG_KINDS, MergedCommit, PatchSnapshot, Series

_STATE_NAMES = {"rfc": "RFC"}


def patch_entries(current: PatchSnapshot | None, last_sent: PatchSnapshot | None,
                  config: PatchesConfig, week_end: dt.date) -> tuple[str, ...]:
    """One entry per series of the snapshot (active in the week or still open), oldest first."""
    if current is None or not current.series:
        return ()
    tz = _zone(current.timezone)
    start = week_end - dt.timedelta(days=6)
    entries = []
    for series in sorted(current.series, key=lambda s: (s.date, s.id)):
        before = last_sent.find(series.id) if last_sent is not None else None
        lines = [_title(series)]
        lines.append(_state_line(series, before, tz, start, week_end))
        disagreement = _git_disagreement(series, current.git_branches)
        if disagreement:
            lines.append(disagreement)
        lines.extend(_tag_lines(series))
        lines.extend(_applied_lines(series, tz))
        merged = _merged_line(series)
        if merged:
            lines.append(merged)
        entries.append("\n".join(lines))
    return tuple(entries)


def state_name(slug: str) -> str:
    """`under-review` -> `Under Review`, as Patchwork shows it."""
    return _STATE_NAMES.get(slug, " ".join(w.capitalize() for w in slug.split("-")) or "?")


def state_text(series: Series) -> str:
    states = series.states
    if len(states) <= 1:
        return state_name(states[0]) if states else "Unknown"
    counts = {s: sum(1 for p in series.patches if p.state == s) for s in states}
    return ", ".join(f"{state_name(s)} {counts[s]}" for s in states)


def _title(series: Series) -> str:
    count = series.total
    if series.received < series.total:
        patches = f"{series.received} of {count} patches"
    else:
        patches = "1 patch" if count == 1 else f"{count} patches"
    ref = f"<{series.archive_url}>" if series.archive_url else ""
    return f"{series.name} (v{series.version}, {patches}){ref}"


def _state_line(series: Series, before: Series | None, tz: ZoneInfo, start: dt.date,
                week_end: dt.date) -> str:
    now = state_text(series)
    text = f"State: {now}"
    if before is not None and state_text(before) != now:
        text = f"State: {state_text(before)} -> {now}"
        if series.state_changes:
            text += f" ({_day(series.state_changes[-1].date, tz)})"
    elif before is None:
        posted = _local_date(series.date, tz)
        if start <= posted <= week_end:
            text += f" (posted {_day(series.date, tz)})"
    return text


def _git_disagreement(series: Series, branches: tuple[str, ...]) -> str | None:
    """Both facts, when git contradicts Patchwork's state; else None."""
    if not branches or not series.patches:
        return None
    merged = {m.patch_msgid: m for m in series.merged}
    count = len(series.patches)
    open_merged = [p for p in series.patches if p.state not in CLOSED_STATES and p.msgid in merged]
    if open_merged:
        where = ", ".join(sorted({merged[p.msgid].branch for p in open_merged}))
        says = state_name(open_merged[0].state)
        if len(open_merged) == count:
            return f"Patchwork: {says}, but git has it merged ({where})"
        pronoun = "it" if len(open_merged) == 1 else "them"
        return (f"Patchwork: {says} for {len(open_merged)} of {count}, but git has {pronoun} "
                f"merged ({where})")
    missing = [p for p in series.patches if p.state == "accepted" and p.msgid not in merged]
    if missing:
        where = ", ".join(branches)
        if len(missing) == count:
            return f"Patchwork: Accepted, but git has no commit for it ({where})"
        pronoun = "it" if len(missing) == 1 else "them"
        return (f"Patchwork: Accepted for {len(missing)} of {count}, but git has no commit "
                f"for {pronoun} ({where})")
    return None


def _tag_lines(series: Series) -> list[str]:
    if not series.thread_fetched:
        counts = [("Reviewed-by", sum(p.reviewed for p in series.patches)),
                  ("Acked-by", sum(p.acked for p in series.patches)),
                  ("Tested-by", sum(p.tested for p in series.patches))]
        shown = [f"{kind} {n}" for kind, n in counts if n]
        return [f"Tags (Patchwork): {', '.join(shown)}"] if shown else []
    numbers = {p.msgid: p.number for p in series.patches}
    whole = {series.cover_msgid} if series.cover_msgid else set()
    lines = []
    for kind in TAG_KINDS:
        people: dict[str, tuple[str, set[int], bool]] = {}
        for tag in series.review_tags:
            if tag.kind != kind:
                continue
            key = tag.email or tag.name.casefold()
            name, nums, all_of = people.get(key, (tag.name, set(), False))
            if tag.patch_msgid in whole:
                all_of = True
            elif tag.patch_msgid in numbers:
                nums.add(numbers[tag.patch_msgid])
            people[key] = (name, nums, all_of)
        if not people:
            continue
        shown = []
        for name, nums, all_of in people.values():
            if all_of or len(series.patches) <= 1 or len(nums) >= len(series.patches):
                shown.append(name)
            else:
                which = ", ".join(f"{n}/{series.total}" for n in sorted(nums))
                shown.append(f"{name} ({which})")
        lines.append(f"{kind}: {', '.join(shown)}")
    return lines


def _applied_lines(series: Series, tz: ZoneInfo) -> list[str]:
    lines = []
    seen: set[tuple[str, str]] = set()
    for reply in series.applied:
        key = (reply.tree, reply.email or reply.name)
        if key in seen:
            continue
        seen.add(key)
        where = f" to {reply.tree}" if reply.tree else ""
        when = f" ({_day(reply.date, tz)})" if reply.date else ""
        lines.append(f"Applied{where} by {reply.name}{when}")
    return lines


def _merged_line(series: Series) -> str | None:
    merged: list[MergedCommit] = list(series.merged)
    if not merged:
        return None
    branches: dict[str, int] = {}
    for commit in merged:
        branches[commit.branch] = branches.get(commit.branch, 0) + 1
    if len(branches) == 1:
        where = next(iter(branches))
    else:
        where = "(" + ", ".join(f"{b} {n}" for b, n in branches.items()) + ")"
    releases = [m.release for m in merged]
    named = sorted({r for r in releases if r})
    if not named:
        release = "not in a release yet"
    elif None in releases:
        unreleased = releases.count(None)
        release = f"in {', '.join(named)} ({unreleased} not in a release yet)"
    else:
        release = f"in {', '.join(named)}"
    if len(series.patches) <= 1 and len(merged) == 1:
        return f"Merged: {merged[0].commit[:12]} in {where}, {release}"
    count = f"Merged: {len(merged)} of {len(series.patches)} patches"
    if len(branches) == 1:
        return f"{count} in {where}, {release}"
    return f"{count} {where}, {release}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _local_date(iso: str, tz: ZoneInfo) -> dt.date:
    return dt.datetime.fromisoformat(iso).astimezone(tz).date()


def _day(iso: str, tz: ZoneInfo) -> str:
    day = _local_date(iso, tz)
    return f"{day:%b} {day.day}"

