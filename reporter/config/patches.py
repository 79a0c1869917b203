"""The `patches:` section: the submitter, Patchwork, the list archive and the git tree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter.config.checker import Checker, check_email, check_tz, check_url, positive
from reporter.yamldoc import KeyPath


@dataclass(frozen=True)
class PatchworkConfig:
    url: str
    project: str
    api_version: str
    # The server's TIME_ZONE: Patchwork stores event times in it, naive (USE_TZ = False).
    timezone: str = "Australia/Canberra"


@dataclass(frozen=True)
class ArchiveConfig:
    lore: str | None
    pipermail: str | None
    max_thread_bytes: int = 128 * 1024 * 1024  # a thread's t.mbox.gz, decompressed


@dataclass(frozen=True)
class GitConfig:
    repo: Path
    branches: tuple[str, ...]


@dataclass(frozen=True)
class PatchesConfig:
    submitter: str
    patchwork: PatchworkConfig | None
    archive: ArchiveConfig
    links: str  # lore | pipermail | patchwork
    git: GitConfig | None
    timeout_s: float
    deadline_s: float
    max_pages: int
    submitters: tuple[str, ...] = ()  # every configured address; `submitter` is the first
    max_lookups: int = 500  # patch lookups for the week's events of patches not known as mine

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.submitters or ((self.submitter,) if self.submitter else ())


def check_patches(c: Checker, top: dict[str, Any]) -> PatchesConfig | None:
    raw = c.get(top, (), "patches", dict, None)
    if raw is None:
        return None
    kp: KeyPath = ("patches",)
    m = c.mapping(raw, kp, {"submitter", "patchwork", "archive", "links", "git",
                               "timeout_s", "deadline_s", "max_pages", "max_lookups"})
    if m is None:
        return None
    submitters = _submitters(c, m, kp)
    patchwork = None
    pw = c.get(m, kp, "patchwork", dict, None)
    if pw is not None:
        pkp = kp + ("patchwork",)
        pm = c.mapping(pw, pkp, {"url", "project", "api_version", "timezone"})
        if pm is not None:
            patchwork = PatchworkConfig(
                url=(c.get(pm, pkp, "url", str, check=check_url) or "").rstrip("/"),
                project=c.get(pm, pkp, "project", str) or "",
                api_version=c.get(pm, pkp, "api_version", str, "1.3",
                                     lambda v: None if re.match(r"^1\.[1-9]$", v)
                                     else "must be 1.1 or newer, like 1.3"),
                timezone=c.get(pm, pkp, "timezone", str, "Australia/Canberra", check_tz),
            )
    archive = ArchiveConfig(None, None)
    ar = c.get(m, kp, "archive", dict, None)
    if ar is not None:
        akp = kp + ("archive",)
        am = c.mapping(ar, akp, {"lore", "pipermail", "max_thread_mb"})
        if am is not None:
            lore = c.get(am, akp, "lore", str, None, check_url)
            pipermail = c.get(am, akp, "pipermail", str, None, check_url)
            cap_mb = c.get(am, akp, "max_thread_mb", float, 128.0, positive)
            archive = ArchiveConfig(lore.rstrip("/") if lore else None,
                                    pipermail.rstrip("/") if pipermail else None,
                                    int((cap_mb or 128.0) * 1024 * 1024))
    links = c.choice(m, kp, "links", ("lore", "pipermail", "patchwork"), "lore")
    if links == "pipermail" and not archive.pipermail:
        c.fail(kp + ("links",), "links: pipermail needs archive.pipermail")
    if links == "patchwork" and patchwork is None:
        c.fail(kp + ("links",), "links: patchwork needs patchwork.url")
    git = None
    g = c.get(m, kp, "git", dict, None)
    if g is not None:
        gkp = kp + ("git",)
        gm = c.mapping(g, gkp, {"repo", "branches"})
        if gm is not None:
            repo = c.get(gm, gkp, "repo", str)
            branches = c.str_list(gm, gkp, "branches", ["origin/master"])
            git = GitConfig(c.path(repo or "."), branches)
    return PatchesConfig(
        submitter=submitters[0] if submitters else "",
        patchwork=patchwork,
        archive=archive,
        links=links or "lore",
        git=git,
        timeout_s=c.get(m, kp, "timeout_s", float, 30.0, positive),
        deadline_s=c.get(m, kp, "deadline_s", float, 600.0, positive),
        max_pages=c.get(m, kp, "max_pages", int, 100, positive),
        submitters=submitters,
        max_lookups=c.get(m, kp, "max_lookups", int, 500, positive),
    )


def _submitters(c: Checker, m: dict[str, Any], kp: KeyPath) -> tuple[str, ...]:
    """`submitter: ADDRESS` or `submitter: [ADDRESS, ...]`, lower-cased, in order."""
    if isinstance(m.get("submitter"), list):
        found = c.str_list(m, kp, "submitter", check=check_email)
        if not found and not m["submitter"]:
            c.fail(kp + ("submitter",), "the list is empty: give at least one address")
    else:
        one = c.get(m, kp, "submitter", str, check=check_email)
        found = (one,) if one else ()
    return tuple(dict.fromkeys(a.lower() for a in found))

