"""The `=== Patch status ===` entries: one logical text per series (pure, no I/O).

Entry format (lines are logical: compose numbers the `<URL>` and wraps at 80 columns):

    SUBJECT (vN, K patches)<ARCHIVE-URL>
    State: ...                        see reporter.report.patch_states for every form
    Patchwork: S, but git has it merged (BRANCH)      when Patchwork and git disagree
    Patchwork: S for J of K, but git has them merged (BRANCH)
    Patchwork: Accepted, but git has no commit for it (BRANCHES)
    Reviewed-by: NAME, NAME (2/3)     one line per tag kind; (i/K) when not the whole series
    Acked-by: ... / Tested-by: ...
    Reviewed-by (Patchwork): NAME     the same, from Patchwork's comments (no list archive)
    Tags (Patchwork): Reviewed-by 2, Acked-by 1       counts a snapshot holds from Patchwork's
                                      `tags` field (which Patchwork 2.0 to 3.2 leave empty)
    Applied to TREE by NAME (Mon D)   a maintainer's "Applied to ..." reply
    Merged: SHA12 in BRANCH, in RELEASE                a one-patch series
    Merged: J of K patches in BRANCH, not in a release yet
    Merged: K of K patches (BRANCH1 I, BRANCH2 J), in RELEASE1, RELEASE2 (N not in a release yet)

A superseded version shows its State line and the tags, never a merge; it is left out
in the weeks after the one it was replaced in.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from reporter.config import PatchesConfig
from reporter.model.patches import CLOSED_STATES, TAG_KINDS, MergedCommit, PatchSnapshot, Series
from reporter.report.patch_states import day, state_line, state_name, state_text

__all__ = ["patch_entries", "state_name", "state_text"]


def patch_entries(current: PatchSnapshot | None, last_sent: PatchSnapshot | None,
                  config: PatchesConfig, week_end: dt.date) -> tuple[str, ...]:
    """One entry per series of the snapshot (active in the week or still open), oldest first."""
    if current is None or not current.series:
        return ()
    tz = _zone(current.timezone)
    start = week_end - dt.timedelta(days=6)
    entries = []
    for series in sorted(current.series, key=lambda s: (s.date, s.id)):
        if _replaced_before(series, tz, start):
            continue
        before = last_sent.find(series.id) if last_sent is not None else None
        lines = [_title(series)]
        lines.append(state_line(series, before, tz, start, week_end))
        replaced = series.superseded_by is not None
        disagreement = None if replaced else _git_disagreement(series, current.git_branches)
        if disagreement:
            lines.append(disagreement)
        lines.extend(_tag_lines(series))
        lines.extend(_applied_lines(series, tz))
        merged = None if replaced else _merged_line(series)
        if merged:
            lines.append(merged)
        entries.append("\n".join(lines))
    return tuple(entries)


def _replaced_before(series: Series, tz: ZoneInfo, start: dt.date) -> bool:
    if series.superseded_on is None:
        return False
    return dt.datetime.fromisoformat(series.superseded_on).astimezone(tz).date() < start


def _title(series: Series) -> str:
    count = series.total
    if series.received < series.total:
        patches = f"{series.received} of {count} patches"
    else:
        patches = "1 patch" if count == 1 else f"{count} patches"
    ref = f"<{series.archive_url}>" if series.archive_url else ""
    return f"{series.name} (v{series.version}, {patches}){ref}"


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
    if not series.thread_fetched and not series.comments_fetched:
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
        source = "" if series.thread_fetched else " (Patchwork)"
        lines.append(f"{kind}{source}: {', '.join(shown)}")
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
        when = f" ({day(reply.date, tz)})" if reply.date else ""
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
