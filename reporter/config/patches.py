"""The `patches:` section: the submitter, Patchwork, the list archive and the git tree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter.config.checker import Checker, check_email, check_url, positive
from reporter.yamldoc import KeyPath


@dataclass(frozen=True)
class PatchworkConfig:
    url: str
    project: str
    api_version: str


@dataclass(frozen=True)
class ArchiveConfig:
    lore: str | None
    pipermail: str | None


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


def check_patches(c: Checker, top: dict[str, Any]) -> PatchesConfig | None:
    raw = c.get(top, (), "patches", dict, None)
    if raw is None:
        return None
    kp: KeyPath = ("patches",)
    m = c.mapping(raw, kp, {"submitter", "patchwork", "archive", "links", "git",
                               "timeout_s", "deadline_s", "max_pages"})
    if m is None:
        return None
    submitter = c.get(m, kp, "submitter", str, check=check_email)
    patchwork = None
    pw = c.get(m, kp, "patchwork", dict, None)
    if pw is not None:
        pkp = kp + ("patchwork",)
        pm = c.mapping(pw, pkp, {"url", "project", "api_version"})
        if pm is not None:
            patchwork = PatchworkConfig(
                url=(c.get(pm, pkp, "url", str, check=check_url) or "").rstrip("/"),
                project=c.get(pm, pkp, "project", str) or "",
                api_version=c.get(pm, pkp, "api_version", str, "1.3",
                                     lambda v: None if re.match(r"^1\.[1-9]$", v)
                                     else "must be 1.1 or newer, like 1.3"),
            )
    archive = ArchiveConfig(None, None)
    ar = c.get(m, kp, "archive", dict, None)
    if ar is not None:
        akp = kp + ("archive",)
        am = c.mapping(ar, akp, {"lore", "pipermail"})
        if am is not None:
            lore = c.get(am, akp, "lore", str, None, check_url)
            pipermail = c.get(am, akp, "pipermail", str, None, check_url)
            archive = ArchiveConfig(lore.rstrip("/") if lore else None,
                                    pipermail.rstrip("/") if pipermail else None)
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
        submitter=submitter or "",
        patchwork=patchwork,
        archive=archive,
        links=links or "lore",
        git=git,
        timeout_s=c.get(m, kp, "timeout_s", float, 30.0, positive),
        deadline_s=c.get(m, kp, "deadline_s", float, 600.0, positive),
        max_pages=c.get(m, kp, "max_pages", int, 100, positive),
    )
