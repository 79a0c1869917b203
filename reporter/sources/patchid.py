"""`git patch-id --stable` of commits and of posted patches, so the two can be matched."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from reporter.sources.gitexec import git_env, git_exe


def patch_ids_of_commits(repo: Path, shas: Sequence[str]) -> list[tuple[str, str]]:
    """(patch-id, sha) of each commit, by `git log -p --no-walk | git patch-id --stable`."""
    if not shas:
        return []
    log_proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [git_exe(), "-C", str(repo), "log", "--no-walk=unsorted", "-p", "--no-color",
         "--format=commit %H", *shas, "--"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env(),
    )
    pid_proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [git_exe(), "-C", str(repo), "patch-id", "--stable"], stdin=log_proc.stdout,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env(),
    )
    assert log_proc.stdout is not None
    log_proc.stdout.close()
    out, _ = pid_proc.communicate()
    log_proc.wait()
    pairs = []
    for line in out.decode().splitlines():
        fields = line.split()
        if len(fields) == 2:
            pairs.append((fields[0], fields[1]))
    return pairs


def patch_ids_of_mails(texts: dict[str, str], git_dir: Path | None = None) -> dict[str, str]:
    """`git patch-id --stable` of posted patches (their mail text), keyed like `texts`."""
    if not texts:
        return {}
    keys = list(texts)
    stream = []
    for index, key in enumerate(keys):
        # A synthetic `commit <hex>` line separates the patches and names them.
        stream.append(f"commit {index + 1:040x}\n{texts[key]}\n")
    cwd = str(git_dir) if git_dir else None
    proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [git_exe(), "patch-id", "--stable"], input="".join(stream).encode("utf-8"),
        capture_output=True, env=git_env(), cwd=cwd, check=False,
    )
    result = {}
    for line in proc.stdout.decode().splitlines():
        fields = line.split()
        if len(fields) == 2:
            index = int(fields[1], 16) - 1
            if 0 <= index < len(keys):
                result[keys[index]] = fields[0]
    return result
