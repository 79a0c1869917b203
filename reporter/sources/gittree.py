"""The local git tree: which posted patches were merged, where, by which match, in which release.

One `git log` pass over the commits that are new since the last scan indexes the
submitter's commits (subject, patch-id) and every `Link:`/`Message-Id:` trailer; the
index and the branch tips are kept under `<data_dir>/cache/`, so a re-run reads only
what is new. `git patch-id --stable` runs over the submitter's new commits only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import subprocess
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reporter.errors import SourceError
from reporter.fsutil import write_atomic
from reporter.model.patches import MergedCommit
from reporter.sources.gitexec import git_env, git_exe
from reporter.sources.gitrefs import RELEASE_TAG_RE, Refs, read_refs
from reporter.sources.patchid import PatchIdRuns

log = logging.getLogger(__name__)

STATE_VERSION = 3  # 3: a trailer is one string, not a list
_LOG_FORMAT = ("%H%x1f%ae%x1f%ct%x1f%s%x1f"
               "%(trailers:key=Link,key=Message-Id,key=Message-ID,valueonly,separator=%x1d)")
_MSGID_IN_LINK_RE = re.compile(r"/([^/\s<>]+@[^/\s<>]+?)/?(?:[#?].*)?$")
_MSGID_RE = re.compile(r"<?([^<>\s]+@[^<>\s]+?)>?$")


@dataclass(frozen=True)
class PatchQuery:
    """A posted patch to look for."""

    msgid: str
    subject: str  # without its [PATCH ...] prefix
    patch_id: str | None  # `git patch-id --stable` of the posted diff


@dataclass
class ScanState:
    """The incremental index (JSON under `<data_dir>/cache/`)."""

    repo: str
    emails: list[str]
    tips: dict[str, str] = field(default_factory=dict)  # branch -> last scanned tip
    # sha -> [author e-mail, committer time, subject, patch-id or None, first branch]
    authored: dict[str, list[object]] = field(default_factory=dict)
    # msgid -> "SHA TIME BRANCH": one string each, not a list, as there are thousands
    # (every Link: of the history): strings are no work for the garbage collector, and
    # a re-run decodes the index in half the time (bench/bench_git.py)
    trailers: dict[str, str] = field(default_factory=dict)
    # sha -> first release tag, "" for none yet; key "" holds the newest release tag seen
    releases: dict[str, str] = field(default_factory=dict)
    commits_scanned: int = 0

    def to_json(self) -> bytes:
        doc = {"version": STATE_VERSION, "repo": self.repo, "emails": self.emails,
               "tips": self.tips, "authored": self.authored, "trailers": self.trailers,
               "releases": self.releases, "commits_scanned": self.commits_scanned}
        return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class ScanReport:
    """What one scan did, for logs and benchmarks."""

    new_commits: int
    new_authored: int
    patch_ids_computed: int
    rescanned: bool


class GitTree:
    """One local clone, its configured branches and the submitter's addresses."""

    def __init__(self, repo: Path, branches: Sequence[str], emails: Iterable[str],
                 cache_dir: Path) -> None:
        self.repo = Path(os.path.expanduser(str(repo)))
        self.branches = tuple(branches)
        self.emails = sorted({e.lower() for e in emails if e})
        self.cache_dir = cache_dir
        self.state = ScanState(repo=str(self.repo), emails=self.emails)
        self._refs: Refs | None = None
        self._dirty = False  # the index changed since it was read or written

    # -- the scan ---------------------------------------------------------

    @property
    def state_path(self) -> Path:
        key = hashlib.sha1(str(self.repo.resolve()).encode()).hexdigest()[:12]  # noqa: S324
        return self.cache_dir / f"gittree-{key}.json"

    def open(self) -> Refs:
        """Check the clone and resolve the branches (one git process), failing clearly."""
        started = time.perf_counter()
        self._refs = read_refs(self.repo, self.branches)
        log.debug("git: %d branches resolved in %.1f ms", len(self.branches),
                  (time.perf_counter() - started) * 1000)
        return self._refs

    def _opened(self) -> Refs:
        return self._refs if self._refs is not None else self.open()

    def load_state(self) -> None:
        try:
            doc = json.loads(self.state_path.read_bytes())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("git: ignoring the unreadable scan cache %s (%s); rescanning",
                        self.state_path, exc)
            return
        if (not isinstance(doc, dict) or doc.get("version") != STATE_VERSION
                or doc.get("emails") != self.emails or doc.get("repo") != str(self.repo)):
            return
        trailers = doc.get("trailers") or {}
        if not isinstance(trailers, dict) or not all(
                isinstance(v, str) and v.count(" ") == 2 for v in trailers.values()):
            log.warning("git: ignoring the damaged scan cache %s; rescanning", self.state_path)
            return
        self.state = ScanState(
            repo=str(self.repo), emails=self.emails, tips=dict(doc.get("tips") or {}),
            authored=dict(doc.get("authored") or {}), trailers=trailers,
            releases=dict(doc.get("releases") or {}),
            commits_scanned=int(doc.get("commits_scanned") or 0),
        )

    def save_state(self) -> None:
        """Write the index when it changed since it was read or written."""
        if self._dirty:
            write_atomic(self.state_path, self.state.to_json())
            self._dirty = False

    def scan(self) -> ScanReport:
        """Index the commits that are new on any configured branch since the last scan.

        Branches are read in configuration order, each range stopping at its own last
        scanned tip and at the branches before it, so every commit is read once and is
        filed under the first configured branch that contains it. A branch that was
        rewritten (its old tip is gone or no longer an ancestor) starts the index anew.
        """
        tips = self._opened().tips
        self.load_state()
        old = dict(self.state.tips)
        if all(old.get(b) == tips[b] for b in self.branches):
            return ScanReport(0, 0, 0, False)
        rescanned = any(sha != tips.get(b) and not (
            self._exists(sha) and self._is_ancestor(sha, tips[b]))
            for b, sha in old.items() if b in tips)
        if rescanned:
            log.info("git: a branch was rewritten; indexing %s anew", self.repo)
            self.state = ScanState(repo=str(self.repo), emails=self.emails)
            old = {}
        started = time.perf_counter()
        runs = PatchIdRuns(self.repo)  # the submitter's commits' diffs, while the log runs
        try:
            new_commits, new_authored = self._log_pass(tips, old, runs)
            log.debug("git: log pass over %d commits in %.2f s", new_commits,
                      time.perf_counter() - started)
            started = time.perf_counter()
            computed = self._store_patch_ids(runs.results())
        finally:
            runs.close()
        log.debug("git: %d patch-ids, %.2f s after the log pass", computed,
                  time.perf_counter() - started)
        self.state.tips = dict(tips)
        self.state.commits_scanned += new_commits
        self._dirty = True
        self.save_state()
        log.info("git: %d new commits, %d by the submitter", new_commits, len(new_authored))
        return ScanReport(new_commits, len(new_authored), computed, rescanned)

    def _log_pass(self, tips: dict[str, str], old: dict[str, str],
                  runs: PatchIdRuns) -> tuple[int, list[str]]:
        """Read the new commits of each branch; the submitter's new ones go to `runs`."""
        order = {b: i for i, b in enumerate(self.branches)}
        new_commits = 0
        new_authored: list[str] = []
        mine = set(self.emails)
        for index, branch in enumerate(self.branches):
            tip = tips[branch]
            stops = {f"^{tips[b]}" for b in self.branches[:index]}
            if old.get(branch) and old[branch] != tip:
                stops.add(f"^{old[branch]}")
            elif old.get(branch) == tip:
                continue
            for line in self._stream(["log", "--no-merges", f"--format={_LOG_FORMAT}", tip,
                                      *sorted(stops), "--"]):
                parts = line.split("\x1f", 4)
                if len(parts) < 5:
                    continue
                sha, email, ctime, subject, trailers = parts
                new_commits += 1
                email = email.lower()
                if email in mine:
                    known = self.state.authored.get(sha)
                    if known is None:
                        self.state.authored[sha] = [email, int(ctime or 0), subject, None,
                                                    branch]
                        new_authored.append(sha)
                        runs.add(sha)
                    elif order.get(str(known[4]), len(order)) > index:
                        known[4] = branch  # now also on an earlier configured branch
                if trailers:
                    for value in trailers.split("\x1d"):
                        msgid = msgid_of_trailer(value)
                        if not msgid:
                            continue
                        known_t = self.state.trailers.get(msgid)
                        if known_t is None or order.get(known_t.rsplit(" ", 1)[1],
                                                        len(order)) > index:
                            self.state.trailers[msgid] = f"{sha} {int(ctime or 0)} {branch}"
        return new_commits, new_authored

    # -- matching ---------------------------------------------------------

    def find(self, queries: Sequence[PatchQuery]) -> dict[str, MergedCommit]:
        """For each query that git has, its commit (patch-id, then subject, then trailer).

        One pass over the submitter's commits keeps, for each patch-id and subject that
        a query asks for, its earliest commit: nothing is built for the others."""
        want_ids = {q.patch_id for q in queries if q.patch_id}
        want_subjects = {_norm_subject(q.subject) for q in queries}
        by_patch_id: dict[str, tuple[int, str, str]] = {}
        by_subject: dict[str, tuple[int, str, str]] = {}
        for sha, (_email, ctime, subject, patch_id, branch) in self.state.authored.items():
            norm = _norm_subject(str(subject))
            by_id, by_norm = patch_id in want_ids, norm in want_subjects
            if not (by_id or by_norm):
                continue
            entry = (int(ctime), sha, str(branch))  # type: ignore[call-overload]
            if by_id:
                by_patch_id[str(patch_id)] = min(entry, by_patch_id.get(str(patch_id), entry))
            if by_norm:
                by_subject[norm] = min(entry, by_subject.get(norm, entry))  # the earliest
        hits: dict[str, tuple[str, tuple[int, str, str]]] = {}
        for query in queries:
            trailer = self.state.trailers.get(query.msgid, "").split(" ", 2)
            attempts = [
                ("patch-id", by_patch_id.get(query.patch_id or "")),
                ("subject", by_subject.get(_norm_subject(query.subject))),
                ("trailer", (int(trailer[1]), trailer[0], trailer[2])
                 if len(trailer) == 3 else None),
            ]
            for method, commit in attempts:
                if commit is not None:
                    hits[query.msgid] = (method, commit)
                    break
        releases = self.releases_of([sha for _, (_, sha, _) in hits.values()])
        found = {
            msgid: MergedCommit(
                patch_msgid=msgid, commit=sha, branch=branch, method=method,
                committed=dt.datetime.fromtimestamp(ctime, dt.UTC).isoformat(),
                release=releases.get(sha))
            for msgid, (method, (ctime, sha, branch)) in hits.items()
        }
        self.save_state()
        return found

    def releases_of(self, shas: Sequence[str]) -> dict[str, str]:
        """The first release tag containing each commit (one `git name-rev` walk for all).

        Releases are tagged along one line of history, so the nearest release tag that
        contains a commit is the first one. Found tags are cached; commits in no release
        yet are asked again once a newer release tag exists.
        """
        newest = self._opened().newest_release
        if self.state.releases.get("", "") != newest:
            self.state.releases = {k: v for k, v in self.state.releases.items() if v}
            self.state.releases[""] = newest
            self._dirty = True
        todo = sorted({s for s in shas if s not in self.state.releases})
        if todo and newest:
            out = self._run(["name-rev", "--name-only", "--tags", "--refs=refs/tags/v*",
                             *todo])
            for sha, name in zip(todo, out.split(), strict=False):
                tag = re.split(r"[~^]", name, maxsplit=1)[0]
                self.state.releases[sha] = tag if RELEASE_TAG_RE.match(tag) else ""
            self._dirty = True
        return {s: self.state.releases[s] for s in shas if self.state.releases.get(s)}

    # -- git plumbing -----------------------------------------------------

    def _is_ancestor(self, sha: str, tip: str) -> bool:
        return self._git(["merge-base", "--is-ancestor", sha, tip]).returncode == 0

    def _exists(self, sha: str) -> bool:
        return self._git(["cat-file", "-e", f"{sha}^{{commit}}"]).returncode == 0

    def _store_patch_ids(self, pairs: list[tuple[str, str]]) -> int:
        done = 0
        for patch_id, sha in pairs:
            entry = self.state.authored.get(sha)
            if entry is not None:
                entry[3] = patch_id
                done += 1
        return done

    def _stream(self, args: list[str]) -> Iterator[str]:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [git_exe(), "-C", str(self.repo), *args], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=git_env(),
        )
        assert proc.stdout is not None
        for raw in proc.stdout:
            yield raw.decode("utf-8", errors="replace").rstrip("\n")
        stderr = proc.stderr.read() if proc.stderr else b""
        if proc.wait() != 0:
            raise SourceError(f"git: `git {args[0]}` failed in {self.repo}: "
                              f"{stderr.decode(errors='replace').strip()[:200]}",
                              hint="check that the clone is intact (`git fsck`)")

    def _run(self, args: list[str]) -> str:
        proc = self._git(args)
        if proc.returncode != 0:
            raise SourceError(f"git: `git {args[0]}` failed in {self.repo}: "
                              f"{proc.stderr.strip()[:200]}",
                              hint="check that the clone is intact (`git fsck`)")
        return proc.stdout

    def _git(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - fixed argv, no shell
            [git_exe(), "-C", str(self.repo), *args], capture_output=True, text=True,
            env=git_env(), check=False,
        )


def msgid_of_trailer(value: str) -> str | None:
    """The message-id in a `Link: https://lore.kernel.org/r/<id>` or `Message-Id: <id>`."""
    text = value.strip()
    if not text:
        return None
    if "://" in text:
        match = _MSGID_IN_LINK_RE.search(text)
        if not match:
            return None
        from urllib.parse import unquote

        return unquote(match.group(1))
    match = _MSGID_RE.match(text)
    return match.group(1) if match else None


def _norm_subject(subject: str) -> str:
    return " ".join(subject.split())
