"""The git tree's .mailmap: git's four line forms, the work tree or HEAD:.mailmap, and the
addresses the pull then uses for Patchwork and git."""

from __future__ import annotations

from pathlib import Path

from reporter.sources.mailmap import (
    joined_addresses,
    mailmap_addresses,
    parse_mailmap,
    read_mailmap,
)
from tests.patch_helpers import MAILMAP, SECOND_ADDRESS, SUBMITTER, commit, git

# The forms gitmailmap(5) lists, as U-Boot's .mailmap writes them.
FORMS = """\
# Entries in this file take one of the following forms:
# Proper Name <commit@email.xx>
Allen Martin <amartin@nvidia.com>
<proper@example.org> <commit@example.org>
AKASHI Takahiro <akashi.tkhro@gmail.com> <takahiro.akashi@linaro.org>
Marek Behún <kabel@kernel.org> Marek Behun <marek.behun@nic.cz>
Wolfgang Denk <wd@denx.de> <wd@castor.denx.de>
Wolfgang Denk <wd@denx.de> <WD@Pollux.denx.de>
Stefan Roese <sr@denx.de> <stroese>
"""


def test_only_lines_with_two_addresses_join_addresses() -> None:
    assert parse_mailmap(FORMS) == [
        ("proper@example.org", "commit@example.org"),
        ("akashi.tkhro@gmail.com", "takahiro.akashi@linaro.org"),
        ("kabel@kernel.org", "marek.behun@nic.cz"),
        ("wd@denx.de", "wd@castor.denx.de"),
        ("wd@denx.de", "wd@pollux.denx.de"),
        ("sr@denx.de", "stroese"),
    ]


def test_either_address_finds_the_other() -> None:
    pairs = parse_mailmap(FORMS)
    assert joined_addresses(pairs, ["akashi.tkhro@gmail.com"]) == (
        "akashi.tkhro@gmail.com", "takahiro.akashi@linaro.org")
    assert joined_addresses(pairs, ["Takahiro.Akashi@linaro.org"]) == (
        "takahiro.akashi@linaro.org", "akashi.tkhro@gmail.com")
    # A commit address reaches its proper one and every other mapped to it.
    assert joined_addresses(pairs, ["wd@castor.denx.de"]) == (
        "wd@castor.denx.de", "wd@denx.de", "wd@pollux.denx.de")
    assert joined_addresses(pairs, ["amartin@nvidia.com"]) == ("amartin@nvidia.com",)
    assert joined_addresses([], ["a@b.org"]) == ("a@b.org",)


def _repo(tmp_path: Path, mailmap: str | None) -> Path:
    repo = tmp_path / "u-boot"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "master")
    files = {"README": "Das U-Boot\n"}
    if mailmap is not None:
        files[".mailmap"] = mailmap
    commit(repo, "Initial commit", files)
    return repo


def test_the_work_tree_file_is_read_first(tmp_path: Path) -> None:
    repo = _repo(tmp_path, MAILMAP)
    (repo / ".mailmap").write_text(MAILMAP + "Me <me@new.org> <me@old.org>\n")
    assert "me@new.org" in read_mailmap(repo)
    assert mailmap_addresses(repo, [SUBMITTER[1]]) == (SUBMITTER[1], SECOND_ADDRESS)


def test_a_bare_clone_is_read_from_head(tmp_path: Path) -> None:
    repo = _repo(tmp_path, MAILMAP)
    bare = tmp_path / "u-boot.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    assert not (bare / ".mailmap").exists()
    assert mailmap_addresses(bare, [SECOND_ADDRESS]) == (SECOND_ADDRESS, SUBMITTER[1])


def test_no_mailmap_or_no_clone_adds_nothing(tmp_path: Path) -> None:
    repo = _repo(tmp_path, None)
    assert read_mailmap(repo) == ""
    assert mailmap_addresses(repo, [SUBMITTER[1]]) == (SUBMITTER[1],)
    assert mailmap_addresses(tmp_path / "missing", [SUBMITTER[1]]) == (SUBMITTER[1],)


def test_git_matches_commits_under_the_joined_address(tmp_path: Path) -> None:
    """A submitter configured by his new address finds the commits of his old one."""
    from reporter.sources.gittree import GitTree, PatchQuery

    repo = _repo(tmp_path, MAILMAP)
    sha = commit(repo, "cmd: bootefi: clean up", {"cmd/bootefi.c": "int x;\n"},
                 author=SUBMITTER)  # committed under takahiro.akashi@linaro.org
    emails = mailmap_addresses(repo, [SECOND_ADDRESS])
    tree = GitTree(repo, ["master"], emails, tmp_path / "cache")
    tree.open()
    tree.scan()
    found = tree.find([PatchQuery(msgid="m@x", subject="cmd: bootefi: clean up",
                                  patch_id=None)])
    assert found["m@x"].commit == sha
    alone = GitTree(repo, ["master"], [SECOND_ADDRESS], tmp_path / "cache2")
    alone.open()
    alone.scan()
    assert alone.find([PatchQuery(msgid="m@x", subject="cmd: bootefi: clean up",
                                  patch_id=None)]) == {}
