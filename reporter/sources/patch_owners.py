"""Whose patch each of the week's state changes is: known patches first, then lookups.

A `patch-state-changed` event embeds its patch without the submitter, so an event of
a patch the pull does not already know costs one `/patches/ID/` request. The owners
of other people's patches are remembered under `<data_dir>/cache/`, so pulling the
same week again (preview, then send) asks nothing twice. The lookups of one pull are
bounded by `patches.max_lookups`; what lies beyond is named in a warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reporter.fsutil import write_atomic
from reporter.model.patches import StateChange
from reporter.sources.patchwork import PatchworkClient
from reporter.sources.patchwork_json import PatchInfo

log = logging.getLogger(__name__)

CACHE_VERSION = 1
CACHE_LIMIT = 20000  # owners kept: the newest patch ids


@dataclass
class OwnerCache:
    """Patch id -> submitter e-mail of patches that are not the submitter's."""

    path: Path | None
    owners: dict[int, str] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def load(cls, cache_dir: Path | None, server: str, project: str) -> OwnerCache:
        if cache_dir is None:
            return cls(None)
        key = hashlib.sha1(f"{server}\0{project}".encode()).hexdigest()[:12]  # noqa: S324
        path = cache_dir / f"patchwork-owners-{key}.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("version") == CACHE_VERSION:
                return cls(path, {int(k): str(v) for k, v in doc["owners"].items()})
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
            log.warning("patchwork: ignoring the unreadable cache %s (%s)", path, exc)
        return cls(path)

    def remember(self, patch_id: int, email: str) -> None:
        self.owners[patch_id] = email
        self.changed = True

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        kept = sorted(self.owners)[-CACHE_LIMIT:]
        doc = {"version": CACHE_VERSION, "owners": {str(k): self.owners[k] for k in kept}}
        write_atomic(self.path, json.dumps(doc, separators=(",", ":")).encode("utf-8"))


@dataclass(frozen=True)
class Claims:
    """The week's events sorted out: which patches are the submitter's, at what cost."""

    mine: tuple[int, ...]  # patch ids of the submitter's among the events
    found: tuple[PatchInfo, ...]  # the looked-up patches that turned out to be the submitter's
    lookups: int  # `/patches/ID/` requests made
    from_cache: int  # unknown patches whose owner the cache knew
    unchecked: int  # unknown patches left over the bound


def claim_events(client: PatchworkClient, events: Sequence[StateChange],
                 msgids: dict[int, str], known_ids: Collection[int],
                 known_msgids: Collection[str], emails: Collection[str], *,
                 max_lookups: int, cache: OwnerCache) -> Claims:
    """Sort the week's events into the submitter's and the others'.

    A patch is known to be the submitter's by its id or by its message-id (`msgids`
    gives each event's); the cache knows other people's. Every other patch costs one
    lookup, newest event first, up to `max_lookups`.
    """
    mine: dict[int, None] = {}
    unknown: dict[int, None] = {}
    from_cache: set[int] = set()
    for change in sorted(events, key=lambda c: c.date, reverse=True):
        pid = change.patch_id
        owner = cache.owners.get(pid)
        if pid in known_ids or msgids.get(pid, "") in known_msgids:
            mine.setdefault(pid)
        elif owner is not None and owner not in emails:
            from_cache.add(pid)
        else:
            unknown.setdefault(pid)
    todo = list(unknown)[:max_lookups]
    found = []
    for pid in todo:
        info = client.patch_detail(pid)
        if info is not None and info.submitter_email in emails:
            found.append(info)
            mine.setdefault(pid)
        elif info is not None:
            cache.remember(pid, info.submitter_email)
    unchecked = len(unknown) - len(todo)
    if unchecked:
        log.warning("patchwork: %d of the week's state changes are of patches not looked up "
                    "(patches.max_lookups is %d): a change to an old series of yours may be "
                    "missing; raise patches.max_lookups", unchecked, max_lookups)
    cache.save()
    log.info("patchwork: %d state changes of the week: %d patches of yours, %d looked up, "
             "%d known from the cache", len(events), len(mine), len(todo), len(from_cache))
    return Claims(mine=tuple(mine), found=tuple(found), lookups=len(todo),
                  from_cache=len(from_cache), unchecked=unchecked)
