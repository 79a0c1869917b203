"""The git tree matcher: patch-id, author + subject, trailer; releases; the incremental scan."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reporter.errors import SourceError
from reporter.sources.gitrefs import Refs, read_refs, release_order
from reporter.sources.gittree import (
    STATE_VERSION,
    GitTree,
    PatchQuery,
    msgid_of_trailer,
)
from reporter.sources.patchid import PatchIdRuns, patch_ids_of_commits, patch_ids_of_mails
from tests.conftest import ROOT
from tests.patch_helpers import (
    S1,
    S1_SUBJECTS,
    S2,
    S2_SUBJECT,
    S4,
    S4_SUBJECTS,
    SECOND_ADDRESS,
    SUBMITTER,
    Scenario,
    build_repos,
    commit,
    git,
    source,
)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_repos(tmp_path_factory.mktemp("repos"))


def _texts(scenario: Scenario, msgids: list[str]) -> dict[str, str]:
    return {m: scenario.mails[m].decode() for m in msgids}


def _queries(scenario: Scenario) -> list[PatchQuery]:
    ids = patch_ids_of_mails(_texts(scenario, S1 + [S2]), scenario.upstream)
    queries = [PatchQuery(m, s, ids.get(m)) for m, s in zip(S1, S1_SUBJECTS, strict=False)]
    queries.append(PatchQuery(S2, S2_SUBJECT, ids.get(S2)))
    queries.append(PatchQuery(S4[0], S4_SUBJECTS[0], None))
    return queries


def test_posted_patches_get_a_patch_id_like_the_commits(scenario: Scenario) -> None:
    ids = patch_ids_of_mails(_texts(scenario, S1), scenario.upstream)
    assert set(ids) == set(S1)
    assert len(set(ids.values())) == 3
    commit_id = git(scenario.upstream, "show", scenario.commits["p1"])
    from_git = git(scenario.upstream, "patch-id", "--stable", stdin=commit_id.encode()).split()
    assert ids[S1[0]] == from_git[0]


def test_each_method_finds_its_commit_and_others_do_not_match(scenario: Scenario,
                                                               tmp_path: Path) -> None:
    tree = GitTree(scenario.upstream, ["master", "next"], [SUBMITTER[1], SECOND_ADDRESS],
                   tmp_path / "cache")
    tree.scan()
    found = tree.find(_queries(scenario))
    assert {m: (c.method, c.commit, c.branch, c.release) for m, c in found.items()} == {
        S1[0]: ("patch-id", scenario.commits["p1"], "master", "v2023.04-rc1"),
        S1[1]: ("subject", scenario.commits["p2"], "master", "v2023.04-rc2"),
        S1[2]: ("trailer", scenario.commits["p3"], "next", None),
    }
    # S2's near subject by the submitter, and S4's subject by another author: no match.
    assert S2 not in found and S4[0] not in found
    assert found[S1[0]].committed == "2023-02-08T09:00:00+00:00"


def test_a_subject_match_needs_the_submitters_address(scenario: Scenario,
                                                      tmp_path: Path) -> None:
    tree = GitTree(scenario.upstream, ["master"], ["someone@else.org"], tmp_path / "cache")
    tree.scan()
    assert tree.find([PatchQuery(S1[1], S1_SUBJECTS[1], None)]) == {}


def test_a_rescan_without_new_commits_reads_nothing(scenario: Scenario,
                                                    tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = GitTree(scenario.upstream, ["master", "next"], [SUBMITTER[1]], cache).scan()
    assert first.new_commits == 6 and first.new_authored == 3
    state = json.loads(next(cache.glob("gittree-*.json")).read_text())
    assert set(state["tips"]) == {"master", "next"}
    again = GitTree(scenario.upstream, ["master", "next"], [SUBMITTER[1]], cache).scan()
    assert (again.new_commits, again.patch_ids_computed) == (0, 0)


def test_only_new_commits_are_read_and_patch_ids_are_bounded(tmp_path: Path) -> None:
    scenario = build_repos(tmp_path / "repos")
    cache = tmp_path / "cache"
    tree = GitTree(scenario.upstream, ["master"], [SUBMITTER[1]], cache)
    tree.scan()
    git(scenario.upstream, "checkout", "-q", "master")
    commit(scenario.upstream, "board: add a board", {"board/a.c": source("a", 3)},
           author=("Someone", "someone@example.org"), date="2023-02-10T00:00:00+00:00")
    sha = commit(scenario.upstream, S1_SUBJECTS[2], {"board/b.c": source("b", 3)},
                 date="2023-02-10T01:00:00+00:00")
    report = GitTree(scenario.upstream, ["master"], [SUBMITTER[1]], cache).scan()
    assert (report.new_commits, report.new_authored, report.patch_ids_computed) == (2, 1, 1)
    again = GitTree(scenario.upstream, ["master"], [SUBMITTER[1]], cache)
    again.scan()
    assert sha in again.state.authored


def test_a_rewritten_branch_is_rescanned_and_stale_commits_do_not_match(tmp_path: Path) -> None:
    scenario = build_repos(tmp_path / "repos")
    cache = tmp_path / "cache"
    GitTree(scenario.upstream, ["next"], [SUBMITTER[1]], cache).scan()
    git(scenario.upstream, "branch", "-f", "next", scenario.commits["p1"])
    git(scenario.upstream, "reflog", "expire", "--expire=now", "--all")
    git(scenario.upstream, "gc", "-q", "--prune=now")
    tree = GitTree(scenario.upstream, ["next"], [SUBMITTER[1]], cache)
    tree.scan()
    found = tree.find([PatchQuery(S1[1], S1_SUBJECTS[1], None),
                       PatchQuery(S1[0], S1_SUBJECTS[0], None)])
    assert list(found) == [S1[0]]


def test_a_missing_clone_is_a_source_error(tmp_path: Path) -> None:
    tree = GitTree(tmp_path / "no-such-clone", ["master"], [SUBMITTER[1]], tmp_path / "c")
    with pytest.raises(SourceError) as info:
        tree.scan()
    assert info.value.message.startswith("git: ")
    assert "patches.git.repo" in (info.value.hint or "")


def test_a_folder_that_is_not_a_clone_is_a_source_error(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(SourceError, match="is not a git clone"):
        GitTree(tmp_path / "plain", ["master"], [SUBMITTER[1]], tmp_path / "c").scan()


def test_a_missing_branch_is_a_source_error(scenario: Scenario, tmp_path: Path) -> None:
    tree = GitTree(scenario.upstream, ["master", "origin/nowhere"], [SUBMITTER[1]],
                   tmp_path / "c")
    with pytest.raises(SourceError, match="origin/nowhere") as info:
        tree.scan()
    assert "git fetch" in (info.value.hint or "")


def test_a_corrupt_cache_is_rebuilt(scenario: Scenario, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    tree = GitTree(scenario.upstream, ["master"], [SUBMITTER[1]], cache)
    cache.mkdir()
    tree.state_path.write_text("{not json")
    assert tree.scan().new_commits == 5
    assert json.loads(tree.state_path.read_text())["version"] == STATE_VERSION


def test_a_patch_applied_twice_is_found_at_its_earliest_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "master")
    commit(repo, "base", {"a.c": "int a;\n"}, date="2023-01-01T00:00:00+00:00")
    first = commit(repo, "cmd: fix the thing", {"a.c": "int a = 1;\n"},
                   date="2023-01-05T00:00:00+00:00")
    commit(repo, "Revert it", {"a.c": "int a;\n"}, date="2023-01-06T00:00:00+00:00")
    commit(repo, "cmd: fix the thing", {"a.c": "int a = 1;\n"},
           date="2023-01-09T00:00:00+00:00")
    tree = GitTree(repo, ["master"], [SUBMITTER[1]], tmp_path / "cache")
    tree.scan()
    patch_id = tree.state.authored[first][3]
    found = tree.find([PatchQuery("a@x", "cmd:  fix the thing", None),
                       PatchQuery("b@x", "something else", str(patch_id))])
    assert {m: (c.method, c.commit) for m, c in found.items()} == {
        "a@x": ("subject", first), "b@x": ("patch-id", first)}


def test_a_trailer_is_found_again_from_the_stored_index(scenario: Scenario,
                                                       tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    GitTree(scenario.upstream, ["master", "next"], [SUBMITTER[1]], cache).scan()
    [index] = cache.glob("gittree-*.json")
    stored = json.loads(index.read_text())["trailers"][S1[2]]
    assert stored == f"{scenario.commits['p3']} {stored.split()[1]} next"
    again = GitTree(scenario.upstream, ["master", "next"], [SUBMITTER[1]], cache)
    assert again.scan().new_commits == 0  # the index is read, not rebuilt
    found = again.find([PatchQuery(S1[2], "no such subject", None)])
    assert (found[S1[2]].method, found[S1[2]].commit) == ("trailer", scenario.commits["p3"])


@pytest.mark.parametrize("damage", ["list", "no-branch", "not-a-dict"])
def test_an_index_of_another_shape_is_rebuilt(scenario: Scenario, tmp_path: Path,
                                              damage: str, caplog: pytest.LogCaptureFixture
                                              ) -> None:
    cache = tmp_path / "cache"
    GitTree(scenario.upstream, ["master", "next"], [SUBMITTER[1]], cache).scan()
    [index] = cache.glob("gittree-*.json")
    doc = json.loads(index.read_text())
    sha, ctime, branch = doc["trailers"][S1[2]].split()
    doc["trailers"] = {"list": {S1[2]: [sha, int(ctime), branch]},
                       "no-branch": {S1[2]: f"{sha} {ctime}"},
                       "not-a-dict": [S1[2]]}[damage]
    index.write_text(json.dumps(doc))
    tree = GitTree(scenario.upstream, ["master", "next"], [SUBMITTER[1]], cache)
    assert tree.scan().new_commits == 6
    assert "ignoring the damaged scan cache" in caplog.text
    found = tree.find([PatchQuery(S1[2], "no such subject", None)])
    assert found[S1[2]].commit == scenario.commits["p3"]


def test_an_index_of_the_previous_version_is_rebuilt(scenario: Scenario,
                                                     tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    GitTree(scenario.upstream, ["master"], [SUBMITTER[1]], cache).scan()
    [index] = cache.glob("gittree-*.json")
    doc = json.loads(index.read_text())
    doc["version"] = STATE_VERSION - 1
    index.write_text(json.dumps(doc))
    assert GitTree(scenario.upstream, ["master"], [SUBMITTER[1]], cache).scan().new_commits == 5
    assert json.loads(index.read_text())["version"] == STATE_VERSION


@pytest.mark.parametrize(("value", "msgid"), [
    ("https://lore.kernel.org/r/20230207021500.4-takahiro.akashi@linaro.org",
     "20230207021500.4-takahiro.akashi@linaro.org"),
    ("https://lore.kernel.org/u-boot/abc%2Fdef@x.org/", "abc/def@x.org"),
    ("https://patch.msgid.link/1234@host.example", "1234@host.example"),
    ("<20230101.1@linaro.org>", "20230101.1@linaro.org"),
    ("https://github.com/u-boot/u-boot/issues/12", None),
    ("", None),
])
def test_trailers_give_their_message_id(value: str, msgid: str | None) -> None:
    assert msgid_of_trailer(value) == msgid


def test_branch_names_resolve_as_git_resolves_them(scenario: Scenario, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(scenario.upstream), str(clone))
    # A branch and a tag of the same name: git (with a warning) takes the tag.
    git(clone, "branch", "v2023.04-rc1", scenario.commits["other-work"])
    names = ["origin/master", "refs/remotes/origin/next", "origin", "master", "HEAD",
             "v2023.04-rc1", scenario.commits["p1"][:12]]
    refs = read_refs(clone, names)
    for name in names:
        assert refs.tips[name] == git(clone, "rev-parse", f"{name}^{{commit}}").strip(), name
    assert refs.tips["v2023.04-rc1"] == scenario.commits["p1"]  # the tag, peeled
    assert sorted(refs.release_tags, key=release_order) == ["v2023.04-rc1", "v2023.04-rc2"]


def test_release_tags_order_by_version() -> None:
    tags = ["v2023.04", "v2023.04-rc10", "v2022.10", "v2023.04-rc2", "v2023.04.1", "v2023.07-rc1"]
    assert sorted(tags, key=release_order) == [
        "v2022.10", "v2023.04-rc2", "v2023.04-rc10", "v2023.04", "v2023.04.1", "v2023.07-rc1"]
    assert Refs({}, tuple(tags)).newest_release == "v2023.07-rc1"
    assert Refs({}, ()).newest_release == ""


RERUN_PROBE = """
import sys
from pathlib import Path
from reporter.sources.gittree import GitTree, PatchQuery
tree = GitTree(Path(sys.argv[1]), ["master", "next"], [sys.argv[2]], Path(sys.argv[3]))
report = tree.scan()
found = tree.find([PatchQuery(sys.argv[4], "x", None)])
print(report.new_commits, len(found), "git" in sys.modules)
"""


def test_a_rerun_with_nothing_new_runs_one_git_process(scenario: Scenario,
                                                       tmp_path: Path) -> None:
    """A `git` first on PATH logs each run of the program, then runs the real one."""
    real = shutil.which("git")
    assert real is not None
    shim = tmp_path / "bin" / "git"
    shim.parent.mkdir()
    calls = tmp_path / "calls.log"
    shim.write_text(f'#!/bin/sh\necho "$*" >> {calls}\nexec {real} "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", RERUN_PROBE, str(scenario.upstream), SUBMITTER[1],
            str(tmp_path / "cache"), S1[2]]
    first = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    assert first.stdout.split() == ["6", "1", "False"]  # gitpython is never imported
    calls.unlink()
    again = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    assert again.stdout.split() == ["0", "1", "False"]
    assert [line.split()[2] for line in calls.read_text().splitlines()] == ["for-each-ref"]


def test_the_index_is_not_rewritten_when_nothing_changed(scenario: Scenario,
                                                         tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    tree = GitTree(scenario.upstream, ["master"], [SUBMITTER[1]], cache)
    tree.scan()
    tree.find([PatchQuery(S1[0], S1_SUBJECTS[0], None)])
    before = tree.state_path.stat().st_mtime_ns, tree.state_path.stat().st_ino
    again = GitTree(scenario.upstream, ["master"], [SUBMITTER[1]], cache)
    again.scan()
    again.find([PatchQuery(S1[0], S1_SUBJECTS[0], None)])
    assert (tree.state_path.stat().st_mtime_ns, tree.state_path.stat().st_ino) == before


def test_patch_ids_in_small_background_batches_match_one_run(scenario: Scenario) -> None:
    shas = git(scenario.upstream, "rev-list", "--no-merges", "master", "next").split()
    assert len(shas) >= 5
    whole = sorted(patch_ids_of_commits(scenario.upstream, shas))
    assert {sha for _, sha in whole} == set(shas)
    runs = PatchIdRuns(scenario.upstream, batch=2, parallel=1)
    for sha in shas:
        runs.add(sha)
    assert sorted(runs.results()) == whole
    stopped = PatchIdRuns(scenario.upstream, batch=1, parallel=2)
    for sha in shas[:2]:
        stopped.add(sha)
    stopped.close()  # a failed scan: the runs still going are stopped, none is left over
    assert stopped.results() == []
