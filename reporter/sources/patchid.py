"""`git patch-id --stable` of commits and of posted patches, so the two can be matched."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from reporter.sources.gitexec import git_env, git_exe


def patch_ids_of_commits(repo: Path, shas: Sequence[str]) -> list[tuple[str, str]]:
    """(patch-id, sha) of each commit, by `git log -p --no-walk | git patch-id --stable`."""
    runs = PatchIdRuns(repo, batch=max(len(shas), 1))
    for sha in shas:
        runs.add(sha)
    return runs.results()


class PatchIdRuns:
    """Patch-ids of commits found one by one, computed in the background as they come.

    Every `batch` commits start one `git log -p --no-walk | git patch-id --stable`
    pipeline, at most `parallel` at a time, so the diffs are made while the caller
    reads on (the git scan's log pass keeps one core busy; this uses the other).
    A batch's output (82 bytes a commit) fits in the pipe, so nothing waits on it
    until results() reads.
    """

    def __init__(self, repo: Path, *, batch: int = 200, parallel: int = 2) -> None:
        self.repo = repo
        self.batch = batch
        self.parallel = parallel
        self._pending: list[str] = []
        self._running: list[tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]] = []
        self._done: list[tuple[str, str]] = []

    def add(self, sha: str) -> None:
        self._pending.append(sha)
        if len(self._pending) >= self.batch:
            self._start()

    def results(self) -> list[tuple[str, str]]:
        """(patch-id, sha) of every commit added, once all runs have finished."""
        if self._pending:
            self._start()
        while self._running:
            self._collect_oldest()
        return self._done

    def close(self) -> None:
        """Stop the runs still going (the scan failed): no git process outlives it."""
        for pipeline in self._running:
            for proc in pipeline:
                proc.kill()
                proc.wait()
        self._running = []

    def _start(self) -> None:
        if len(self._running) >= self.parallel:
            self._collect_oldest()
        shas, self._pending = self._pending, []
        log_proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [git_exe(), "-C", str(self.repo), "log", "--no-walk=unsorted", "-p", "--no-color",
             "--format=commit %H", *shas, "--"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env(),
        )
        pid_proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [git_exe(), "-C", str(self.repo), "patch-id", "--stable"], stdin=log_proc.stdout,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env(),
        )
        assert log_proc.stdout is not None
        log_proc.stdout.close()
        self._running.append((log_proc, pid_proc))

    def _collect_oldest(self) -> None:
        log_proc, pid_proc = self._running.pop(0)
        out, _ = pid_proc.communicate()
        log_proc.wait()
        for line in out.decode().splitlines():
            fields = line.split()
            if len(fields) == 2:
                self._done.append((fields[0], fields[1]))


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
