"""`archive: git`: commits the data folder after each send."""

from __future__ import annotations

import subprocess
from pathlib import Path

from reporter.config import Config
from reporter.errors import DeliveryError


def commit_data_dir(config: Config, message: str) -> bool:
    """Commit everything under data_dir (not the lock); True when a commit was made.

    The folder becomes a repository of its own when it is in none. Only paths under
    data_dir are staged and committed, so a parent repository's other changes stay
    as they are.
    """
    folder = config.data_dir
    if _git(folder, "rev-parse", "--is-inside-work-tree", check=False).returncode != 0:
        _git(folder, "init", "-q")
    _git(folder, "add", "-A", "--", ".", ":(exclude).lock", ":(exclude)**/*.tmp")
    staged = _git(folder, "diff", "--cached", "--quiet", "--", ".", check=False)
    if staged.returncode == 0:
        return False
    _git(folder, "-c", f"user.name={config.author.name or 'reporter'}",
         "-c", f"user.email={config.author.email or 'reporter@localhost'}",
         "commit", "-q", "-m", message, "--", ".", ":(exclude).lock")
    return True


def _git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,  # noqa: S603,S607
                              check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DeliveryError(f"archive: git {args[0]} in {folder}: {exc}",
                            hint="install git, or set archive: none") from None
    if check and done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DeliveryError(f"archive: git {args[0]} in {folder} failed: "
                            f"{why[-1] if why else done.returncode}",
                            hint="fix the repository in data_dir, or set archive: none")
    return done
