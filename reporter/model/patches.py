"""What the patch sources know about the submitter's series, as stored in the week's snapshot."""

from __future__ import annotations

from dataclasses import dataclass

# Patchwork state slugs that mean "nothing more will happen to this patch".
CLOSED_STATES = frozenset({
    "accepted", "rejected", "superseded", "not-applicable", "deferred", "rfc",
    "handled-elsewhere", "mainlined",
})
TAG_KINDS = ("Reviewed-by", "Acked-by", "Tested-by")


@dataclass(frozen=True)
class ReviewTag:
    """One `Reviewed-by:`/`Acked-by:`/`Tested-by:` line found in the thread."""

    kind: str  # one of TAG_KINDS
    name: str  # the person, as written (pipermail and "via" rewriting undone)
    email: str  # lower case; "" when the line held none
    patch_msgid: str  # the patch it applies to; the cover letter's id for the whole series
    date: str  # ISO 8601 (UTC) of the message that carried it
    msgid: str  # the message that carried it


@dataclass(frozen=True)
class AppliedReply:
    """A maintainer's "Applied to u-boot-<tree>/<branch>, thanks!" reply."""

    tree: str  # "u-boot-efi/next"; "" when the reply names none
    name: str
    email: str
    date: str  # ISO 8601 (UTC)
    msgid: str
    patch_msgid: str  # the message it answers (patch or cover letter)


@dataclass(frozen=True)
class StateChange:
    """A Patchwork `patch-state-changed` event."""

    patch_id: int
    date: str  # ISO 8601 (UTC), read from the server's local time
    previous: str  # state slug
    current: str  # state slug
    actor: str | None = None  # Patchwork user name, when the server says


@dataclass(frozen=True)
class MergedCommit:
    """The upstream commit found for one patch in the local git tree."""

    patch_msgid: str
    commit: str  # full sha
    branch: str  # the first configured branch that contains it
    method: str  # patch-id | subject | trailer
    committed: str  # ISO 8601 (UTC), committer date
    release: str | None = None  # the first release tag that contains it


@dataclass(frozen=True)
class Patch:
    """One patch of a series, as Patchwork lists it."""

    id: int
    msgid: str  # without angle brackets
    name: str  # Patchwork's name, prefixes kept: "[v2,1/3] cmd: fix"
    date: str  # ISO 8601 (UTC), submission
    state: str  # slug: new, under-review, accepted, ...
    archived: bool
    web_url: str
    number: int = 1  # position in the series (1-based)
    commit_ref: str | None = None
    # Tag counts (R, A, T) kept by older snapshots; no Patchwork release fills `tags`.
    reviewed: int = 0
    acked: int = 0
    tested: int = 0
    state_since: str | None = None  # ISO 8601 (UTC): when it took its state, when known

    @property
    def is_open(self) -> bool:
        return not self.archived and self.state not in CLOSED_STATES


@dataclass(frozen=True)
class Series:
    """A posted series with what the list archive and the git tree say about it."""

    id: int
    name: str  # subject without its [PATCH ...] prefix
    version: int
    total: int  # patches announced by the subjects
    received: int  # patches that arrived
    date: str  # ISO 8601 (UTC), submission
    msgid: str  # the cover letter's, else the first patch's
    web_url: str  # Patchwork's page for the series
    archive_url: str  # per patches.links: lore, pipermail or Patchwork
    patches: tuple[Patch, ...] = ()
    cover_msgid: str | None = None
    state_changes: tuple[StateChange, ...] = ()
    review_tags: tuple[ReviewTag, ...] = ()
    applied: tuple[AppliedReply, ...] = ()
    merged: tuple[MergedCommit, ...] = ()
    thread_fetched: bool = False  # the archive thread was read: the tags come from it
    comments_fetched: bool = False  # else the tags come from Patchwork's comments
    superseded_by: int | None = None  # the version that replaced this one, when known
    superseded_on: str | None = None  # ISO 8601 (UTC): when it was replaced

    @property
    def states(self) -> tuple[str, ...]:
        """The distinct states of the series' patches, most common first, then by name."""
        counts: dict[str, int] = {}
        for patch in self.patches:
            counts[patch.state] = counts.get(patch.state, 0) + 1
        return tuple(sorted(counts, key=lambda s: (-counts[s], s)))

    @property
    def is_open(self) -> bool:
        return any(p.is_open for p in self.patches) if self.patches else False


@dataclass(frozen=True)
class PatchSnapshot:
    """One pull of the patch sources for one week: `data/snapshots/<week>/patches.json`."""

    pulled_at: str  # ISO 8601, aware
    submitter: str
    timezone: str = "UTC"  # the configured zone: dates in the entries are shown in it
    emails: tuple[str, ...] = ()  # every address that counted as the submitter
    patchwork: str | None = None  # Patchwork project URL, when configured
    git_branches: tuple[str, ...] = ()  # the branches that were scanned
    series: tuple[Series, ...] = ()

    def find(self, series_id: int) -> Series | None:
        for series in self.series:
            if series.id == series_id:
                return series
        return None
