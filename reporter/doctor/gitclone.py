"""The local git clone: it and its branches exist, and how long ago it was last fetched."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

from reporter.config import Config
from reporter.doctor.result import Check, failed, ok, warn
from reporter.errors import SourceError
from reporter.timefmt import human_age, human_time

STALE_FETCH_S = 7 * 24 * 3600  # a week: merges of the week would be missed


def check_git(config: Config, now: dt.datetime) -> Iterator[Check]:
    from reporter.sources.gitexec import git_env, git_exe
    from reporter.sources.gittree import GitTree

    pc = config.patches
    assert pc is not None and pc.git is not None
    tree = GitTree(pc.git.repo, pc.git.branches, [pc.submitter], config.cache_dir)
    try:
        tree.open()  # reads only: the clone, then each branch
        git = git_exe()
        common = subprocess.run([git, "-C", str(tree.repo), "rev-parse", "--git-common-dir"],  # noqa: S603
                                capture_output=True, text=True, env=git_env(), timeout=30,
                                check=True).stdout.strip()
    except SourceError as exc:
        yield failed("git clone", exc)
        return
    except (OSError, subprocess.SubprocessError):
        yield warn("git clone", f"{tree.repo}: git rev-parse failed", "check the clone")
        return
    yield ok("git clone", f"{tree.repo}: branches {', '.join(pc.git.branches)} exist")
    git_dir = Path(common) if Path(common).is_absolute() else tree.repo / common
    fetched = _last_fetch(git_dir)
    fix = f"run `git -C {tree.repo} fetch` (cron can do it before the send)"
    if fetched is None:
        yield warn("git fetch", f"{tree.repo}: no fetch recorded", fix)
        return
    age = now.timestamp() - fetched
    when = human_time(dt.datetime.fromtimestamp(fetched, dt.UTC), config.tz)
    if age > STALE_FETCH_S:
        yield warn("git fetch", f"last fetched {human_age(age)} ago ({when}): patches "
                   "merged since then are not seen", fix)
    else:
        yield ok("git fetch", f"last fetched {human_age(age)} ago ({when})")


def _last_fetch(git_dir: Path) -> float | None:
    """When refs last came from a remote: FETCH_HEAD, or the remote-tracking refs' logs."""
    stamps = []
    for path in [git_dir / "FETCH_HEAD", *sorted((git_dir / "logs" / "refs" / "remotes")
                                                 .rglob("*"))]:
        try:
            if path.is_file():
                stamps.append(path.stat().st_mtime)
        except OSError:
            continue
    return max(stamps) if stamps else None
