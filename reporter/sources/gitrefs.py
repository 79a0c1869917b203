"""A clone's branch tips and release tags, read with one `git for-each-ref`.

gitpython's `Repo()` costs 90 ms of imports and each `rev-parse` a process;
a re-run with nothing new needs only the tips, so they come from one process
that also lists the release tags (no tag object is read: the names say the order).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import SourceError
from reporter.sources.gitexec import git_env, git_exe

RELEASE_TAG_RE = re.compile(r"^v(\d{4})\.(\d{2})(?:\.(\d+))?(?:-rc(\d+))?$")
CLONE_HINT = "clone U-Boot there, or fix patches.git.repo"


@dataclass(frozen=True)
class Refs:
    tips: dict[str, str]  # configured branch -> commit sha
    release_tags: tuple[str, ...]  # vYYYY.MM[.N][-rcN], unsorted

    @property
    def newest_release(self) -> str:
        """The highest release tag by version, "" for none: U-Boot numbers them by date."""
        return max(self.release_tags, key=release_order, default="")


def read_refs(repo: Path, branches: Sequence[str]) -> Refs:
    """Resolve `branches` as git does (gitrevisions(7): refs/NAME, refs/tags/NAME,
    refs/heads/NAME, refs/remotes/NAME, refs/remotes/NAME/HEAD) and list the release tags.

    A name that is not a branch (a tag, a commit id, HEAD) asks `git rev-parse` for
    the commit it names. Raises SourceError naming the fix.
    """
    if not repo.is_dir():
        raise SourceError(f"git: {repo} does not exist", hint=CLONE_HINT)
    for branch in branches:
        if branch.startswith("-"):
            raise SourceError(f"git: {branch!r} is not a branch name",
                              hint="fix patches.git.branches")
    candidates = {b: _candidates(b) for b in branches}
    patterns = sorted({ref for refs in candidates.values() for ref in refs})
    proc = _git(repo, ["for-each-ref", "--format=%(objectname) %(refname)", "refs/tags/v*",
                       *patterns])
    if proc.returncode != 0:
        if "not a git repository" in proc.stderr:
            raise SourceError(f"git: {repo} is not a git clone", hint=CLONE_HINT)
        raise SourceError(f"git: `git for-each-ref` failed in {repo}: "
                          f"{proc.stderr.strip()[:200]}",
                          hint="check that the clone is intact (`git fsck`)")
    refs: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        sha, _, name = line.partition(" ")
        refs[name] = sha
    tips = {}
    for branch in branches:
        ref = next((r for r in candidates[branch] if r in refs), None)
        if ref is not None and ref.startswith(("refs/heads/", "refs/remotes/")):
            tips[branch] = refs[ref]
        else:  # a tag (to peel), a commit id, HEAD, or nothing: git knows
            tips[branch] = _rev_parse(repo, branch)
    tags = tuple(name[len("refs/tags/"):] for name in refs if name.startswith("refs/tags/"))
    return Refs(tips, tuple(t for t in tags if RELEASE_TAG_RE.match(t)))


def release_order(tag: str) -> tuple[int, ...]:
    """Sort key of a release tag: v2023.04-rc1 < v2023.04-rc2 < v2023.04 < v2023.04.1."""
    match = RELEASE_TAG_RE.match(tag)
    if not match:
        return (-1,)
    year, month, patch, rc = match.groups()
    return (int(year), int(month), int(patch or 0), 0 if rc else 1, int(rc or 0))


def _candidates(name: str) -> tuple[str, ...]:
    if name.startswith("refs/"):
        return (name,)
    return (f"refs/{name}", f"refs/tags/{name}", f"refs/heads/{name}",
            f"refs/remotes/{name}", f"refs/remotes/{name}/HEAD")


def _rev_parse(repo: Path, branch: str) -> str:
    proc = _git(repo, ["rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}"])
    if proc.returncode != 0:
        raise SourceError(f"git: branch {branch} is not in {repo}",
                          hint="run `git fetch` in the clone, or fix patches.git.branches")
    return proc.stdout.strip()


def _git(repo: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        [git_exe(), "-C", str(repo), *args], capture_output=True, text=True,
        env=git_env(), check=False,
    )
