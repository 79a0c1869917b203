"""Patchwork's side of the patch pull: the submitter's series for one week, with their history.

Reads the submitter's patches and series (under each of his addresses), the project's
`patch-state-changed` events of the week (whoever they concern, sorted out by
`patch_owners`), loads the old series those events name, dates each patch's state,
and, without a list archive, reads the review tags from Patchwork's comments.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.model.patches import Patch, PatchSnapshot, ReviewTag, Series, StateChange
from reporter.sources.patch_http import Deadline
from reporter.sources.patch_owners import Claims, OwnerCache, claim_events
from reporter.sources.patch_versions import mark_superseded
from reporter.sources.patchwork import PatchworkClient
from reporter.sources.patchwork_json import PatchInfo, SeriesInfo, clean_subject

if TYPE_CHECKING:
    import requests

    from reporter.config import PatchesConfig

log = logging.getLogger(__name__)

HORIZON_MARGIN = dt.timedelta(days=1)


@dataclass(frozen=True)
class PatchworkView:
    """What Patchwork says for the week."""

    series: tuple[Series, ...]
    emails: tuple[str, ...]  # every address that counted as the submitter


def from_patchwork(pc: PatchesConfig, http: requests.Session, deadline: Deadline,
                   start: dt.datetime, end: dt.datetime, previous: PatchSnapshot | None,
                   addresses: Sequence[str], cache_dir: Path | None) -> PatchworkView:
    """The submitter's series active in [start, end) or still open, as Patchwork has them."""
    assert pc.patchwork is not None
    client = PatchworkClient(pc.patchwork, http, timeout_s=pc.timeout_s, deadline=deadline,
                             max_pages=pc.max_pages)
    client.check_project()
    keys, emails = _identities(client, addresses)
    since = _horizon(start, previous)

    patches: dict[int, PatchInfo] = {}
    infos: dict[int, SeriesInfo] = {}
    for key in keys:  # one query per address: one unknown value empties a list filter
        for info in client.patches(key, since, end):
            patches[info.patch.id] = info
        for sinfo in client.series(key, since, end):
            infos[sinfo.id] = sinfo
    if not patches and not (previous and previous.series):
        _warn_if_unknown(client, addresses, since is None)

    events = client.state_changes(start, end)
    old = {p.id: (s.id, p) for s in (previous.series if previous else ()) for p in s.patches}
    claims = claim_events(
        client, [c for c, _ in events], {c.patch_id: m for c, m in events},
        known_ids=set(patches) | set(old),
        known_msgids={i.patch.msgid for i in patches.values()} | {p.msgid for _, p in
                                                                  old.values()},
        emails=emails, max_lookups=pc.max_lookups,
        cache=OwnerCache.load(cache_dir, client.base, client.project))
    _load_old_series(client, claims, patches, old)

    changes = [c for c, _ in events]
    grouped: dict[int, list[Patch]] = {}
    before_patches = {pid: p for pid, (_, p) in old.items()}
    for info in patches.values():
        series_id = info.series_ids[0] if info.series_ids else -info.patch.id
        patch = replace(info.patch, state_since=_since(info.patch, changes,
                                                       before_patches.get(info.patch.id)))
        grouped.setdefault(series_id, []).append(patch)
    for series_id in grouped:
        if series_id > 0 and series_id not in infos:
            infos[series_id] = client.series_detail(series_id)

    built = mark_superseded([_series(sid, members, infos.get(sid), changes)
                             for sid, members in grouped.items()])
    before = {s.id: s for s in previous.series} if previous else {}
    active = [s for s in built if _is_active(s, start, end, before.get(s.id))]
    active = _date_states(client, active)
    if not pc.archive.lore:
        active = [_with_comment_tags(client, s, infos.get(s.id), emails) for s in active]
    log.info("patchwork: %d patches, %d series (%d shown), %d state changes in the week, "
             "%d requests", len(patches), len(grouped), len(active), len(changes),
             client.requests_sent)
    return PatchworkView(series=tuple(active), emails=tuple(emails))


def _identities(client: PatchworkClient, addresses: Sequence[str]
                ) -> tuple[list[str | int], list[str]]:
    """The submitter filters to query and the addresses that count as the submitter.

    Each address, then the people that share a user account with it, where the server
    lets anonymous readers list people (current servers answer 403 without a token).
    """
    keys: list[str | int] = list(addresses)
    emails = [a.lower() for a in addresses]
    for address in addresses:
        people = client.people(address)
        if people is None:
            break
        for found in people:
            if found.email not in emails:
                keys.append(found.id)
                emails.append(found.email)
    return keys, emails


def _warn_if_unknown(client: PatchworkClient, addresses: Sequence[str],
                     whole_history: bool) -> None:
    if not whole_history and any(client.has_patches(a) for a in addresses):
        return
    log.warning("patchwork: project %s at %s has no patch from %s; check patches.submitter "
                "(the address your patch mails carry)", client.project, client.base,
                ", ".join(addresses))


def _horizon(start: dt.datetime, previous: PatchSnapshot | None) -> dt.datetime | None:
    """How far back to read: the week, or the oldest series still open last time."""
    if previous is None:
        return None  # a first pull reads the submitter's whole history once
    dates = [start]
    dates.extend(dt.datetime.fromisoformat(s.date) for s in previous.series if s.is_open)
    return min(dates) - HORIZON_MARGIN


def _load_old_series(client: PatchworkClient, claims: Claims,
                     patches: dict[int, PatchInfo], old: dict[int, tuple[int, Patch]]) -> None:
    """Read in full the series of the week's events that the submitter queries missed."""
    wanted: dict[int, None] = {}
    for info in claims.found:
        if info.series_ids:
            wanted.setdefault(info.series_ids[0])
        else:
            patches[info.patch.id] = info
    for pid in claims.mine:
        if pid not in patches and pid in old:
            wanted.setdefault(old[pid][0])
    loaded = {i.series_ids[0] for i in patches.values() if i.series_ids}
    for series_id in wanted:
        if series_id in loaded or series_id <= 0:
            continue
        for info in client.series_patches(series_id):
            patches[info.patch.id] = info


def _series(series_id: int, members: list[Patch], found: SeriesInfo | None,
            changes: Iterable[StateChange]) -> Series:
    members.sort(key=lambda p: (p.number, p.id))
    first = members[0]
    ids = {p.id for p in members}
    return Series(
        id=series_id,
        name=clean_subject(found.name if found and found.name else first.name)
        or clean_subject(first.name),
        version=found.version if found else 1,
        total=found.total if found else len(members),
        received=found.received if found else len(members),
        date=found.date if found else first.date,
        msgid=(found.cover_msgid if found and found.cover_msgid else first.msgid),
        web_url=(found.web_url if found and found.web_url else first.web_url),
        archive_url="",
        patches=tuple(members),
        cover_msgid=found.cover_msgid if found else None,
        state_changes=tuple(sorted((c for c in changes if c.patch_id in ids),
                                   key=lambda c: (c.date, c.patch_id))),
    )


def _is_active(series: Series, start: dt.datetime, end: dt.datetime,
               before: Series | None) -> bool:
    if series.superseded_on and dt.datetime.fromisoformat(series.superseded_on) < start:
        return False  # replaced before the week: said that week, gone since
    if series.is_open or series.state_changes:
        return True
    if start <= dt.datetime.fromisoformat(series.date) < end:
        return True
    if before is not None:
        old = {p.id: p.state for p in before.patches}
        return any(old.get(p.id, p.state) != p.state for p in series.patches)
    return False


def _since(patch: Patch, changes: Sequence[StateChange], before: Patch | None) -> str | None:
    """When the patch took its current state: the week's events, the last snapshot, or
    its submission for a patch still `new`; None when only older events can tell."""
    mine = [c for c in changes if c.patch_id == patch.id]
    if mine:
        into = [c for c in mine if c.current == patch.state] or mine
        return max(into, key=lambda c: _at(c.date)).date
    if before is not None and before.state == patch.state and before.state_since:
        return before.state_since
    if patch.state == "new":
        return patch.date
    return None


def _date_states(client: PatchworkClient, series_list: list[Series]) -> list[Series]:
    """Open patches whose state has no date yet get it from their own events (first runs)."""
    undated = [p.id for s in series_list for p in s.patches if p.is_open and not p.state_since]
    if not undated:
        return series_list
    latest: dict[int, StateChange] = {}
    for change in client.patch_events(undated):
        held = latest.get(change.patch_id)
        if held is None or _at(change.date) > _at(held.date):
            latest[change.patch_id] = change
    out = []
    for series in series_list:
        patches = tuple(replace(p, state_since=latest[p.id].date)
                        if not p.state_since and p.id in latest
                        and latest[p.id].current == p.state else p
                        for p in series.patches)
        out.append(replace(series, patches=patches))
    return out


def _with_comment_tags(client: PatchworkClient, series: Series, info: SeriesInfo | None,
                       emails: Sequence[str]) -> Series:
    """The series with the review tags of Patchwork's comments on its patches still in
    play (open, or changed in the week) and on its cover letter: one request each."""
    changed = {c.patch_id for c in series.state_changes}
    tags: list[ReviewTag] = []
    in_play = [p for p in series.patches if p.is_open or p.id in changed]
    for patch in in_play:
        tags.extend(client.patch_tags(patch.id, patch.msgid, emails))
    if info is not None and info.cover_id is not None and series.cover_msgid and in_play:
        tags.extend(client.cover_tags(info.cover_id, series.cover_msgid, emails))
    unique = {(t.kind, t.email or t.name, t.patch_msgid): t for t in reversed(tags)}
    ordered = sorted(unique.values(), key=lambda t: (t.date, t.kind, t.name, t.patch_msgid))
    return replace(series, review_tags=tuple(ordered), comments_fetched=True)


def _at(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)
