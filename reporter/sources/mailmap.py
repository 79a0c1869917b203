"""The git tree's `.mailmap`: the other addresses it gives the configured submitter.

Lines take git's four forms (gitmailmap(5)):

    Proper Name <commit@email.xx>
    <proper@email.xx> <commit@email.xx>
    Proper Name <proper@email.xx> <commit@email.xx>
    Proper Name <proper@email.xx> Commit Name <commit@email.xx>

Only the forms with two addresses join addresses. U-Boot's has, for one:
`AKASHI Takahiro <akashi.tkhro@gmail.com> <takahiro.akashi@linaro.org>`.
"""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from reporter.errors import SourceError
from reporter.sources.gitexec import git_env, git_exe

log = logging.getLogger(__name__)

_ADDRESS_RE = re.compile(r"<([^<>\s]*)>")


def parse_mailmap(text: str) -> list[tuple[str, str]]:
    """The (proper, commit) address pairs of a mailmap, lower-cased, in file order."""
    pairs = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        found = _ADDRESS_RE.findall(stripped)
        if len(found) >= 2 and found[0] and found[1]:
            pairs.append((found[0].lower(), found[1].lower()))
    return pairs


def joined_addresses(pairs: Iterable[tuple[str, str]], addresses: Iterable[str]
                     ) -> tuple[str, ...]:
    """`addresses`, then every address the mailmap gives the same person, in file order.

    An address is joined to its proper address and to every other address mapped to
    that proper address (one hop: git maps commit addresses to proper ones, no chains).
    """
    pairs = list(pairs)
    wanted = [a.lower() for a in addresses]
    proper = set(wanted)
    proper.update(p for p, c in pairs if c in proper)
    out = dict.fromkeys(wanted)
    for p, c in pairs:
        if p in proper:
            out.setdefault(p)
            out.setdefault(c)
    return tuple(a for a in out if a)


def read_mailmap(repo: Path) -> str:
    """The tree's `.mailmap`: the work tree's file, else `HEAD:.mailmap`; "" when none."""
    path = Path(repo).expanduser()
    worktree_file = path / ".mailmap"
    if worktree_file.is_file():
        try:
            return worktree_file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            log.warning("git: cannot read %s (%s); no .mailmap addresses", worktree_file, exc)
            return ""
    if not path.is_dir():
        return ""  # the git tree's own check names the missing clone
    try:
        exe = git_exe()
    except SourceError:
        return ""
    proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [exe, "-C", str(path), "show", "HEAD:.mailmap"], capture_output=True,
        env=git_env(), check=False,
    )
    if proc.returncode != 0:
        log.info("git: %s has no .mailmap", path)
        return ""
    return proc.stdout.decode("utf-8", errors="replace")


def mailmap_addresses(repo: Path, addresses: Iterable[str]) -> tuple[str, ...]:
    """The configured addresses and those the tree's `.mailmap` joins to them."""
    wanted = tuple(addresses)
    joined = joined_addresses(parse_mailmap(read_mailmap(repo)), wanted)
    extra = [a for a in joined if a not in {w.lower() for w in wanted}]
    if extra:
        log.info("git: .mailmap joins %s to %s", ", ".join(extra), ", ".join(wanted))
    return joined
