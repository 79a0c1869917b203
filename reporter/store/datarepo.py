"""The `archive: git` option: the data folder as a git repository, one commit per sent week."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporter.errors import ReporterError

if TYPE_CHECKING:
    from reporter.config import Config

SUBJECT = "Week ending {week}: sent"
SUBJECT_RE = re.compile(r"^Week ending (\d{4}-\d{2}-\d{2}): sent$")
GITIGNORE = "# Written by reporter: the lock and unfinished atomic writes are not archived.\n" \
            ".lock\n.*.tmp\n"


class ArchiveError(ReporterError):
    """The data folder's git repository could not take the week's commit."""

    exit_status = 1


def week_paths(data_dir: Path, week_end: dt.date) -> list[Path]:
    """What a sent week consists of: notes, snapshot (with downloaded attachments), the sent
    email and its ledger entry, and the personal events the email's calendar was made from."""
    week = week_end.isoformat()
    paths = [
        data_dir / "weeks" / f"{week}.yaml",
        data_dir / "snapshots" / week,
        data_dir / "sent" / f"{week}.eml",
        data_dir / "sent" / f"{week}.json",
        data_dir / "events.yaml",
    ]
    paths.extend(_attachments(data_dir, week_end))
    return [p for p in paths if p.exists()]


def commit_week(config: Config, week_end: dt.date, message_id: str) -> str | None:
    """Commit the week's files to the data folder's repository (made on first use).

    Returns the new commit's id, or None when `archive` is not `git` or nothing changed
    since the week was last committed (so calling it again is harmless). Commits are made
    as the configured author unless GIT_AUTHOR_*/GIT_COMMITTER_* say otherwise; only the
    week's paths are committed, whatever else is staged in the repository.
    """
    if config.archive != "git":
        return None
    import git

    data_dir = config.data_dir
    try:
        repo, created = _open_or_init(data_dir)
        paths = week_paths(data_dir, week_end)
        if created:
            ignore = data_dir / ".gitignore"
            if not ignore.exists():
                ignore.write_text(GITIGNORE, encoding="utf-8")
            paths.append(ignore)
        if not paths:
            return None
        rel = [str(p.relative_to(data_dir)) for p in paths]
        repo.git.add("--all", "--", *rel)
        if not repo.git.diff("--cached", "--name-only", "--", *rel).strip():
            return None
        message = _message(week_end, message_id)
        with repo.git.custom_environment(**_identity(config)):
            repo.git.commit("--quiet", "-m", message, "--", *rel)
        return str(repo.git.rev_parse("HEAD"))
    except git.GitCommandError as exc:
        detail = (exc.stderr or "").strip().splitlines()
        reason = detail[-1] if detail else f"git exited with status {exc.status}"
        raise ArchiveError(f"archive: git in {data_dir}: {reason}",
                           hint="fix the repository (git status there); the email was not "
                           "affected") from None
    except git.InvalidGitRepositoryError:
        raise ArchiveError(f"archive: {data_dir}/.git is there but is not a git repository",
                           hint="repair or move it away; the next send makes a new one"
                           ) from None
    except (git.GitError, OSError) as exc:
        raise ArchiveError(f"archive: git in {data_dir}: {exc}") from None


def archived_weeks(config: Config) -> dict[dt.date, str]:
    """The archived weeks and the short id of the newest commit of each; {} without archive.

    The commits are found in the repository that holds data_dir (its own, or a parent's),
    among the commits that touch data_dir.
    """
    if config.archive != "git" or not config.data_dir.is_dir():
        return {}
    import git

    try:
        repo = git.Repo(config.data_dir, search_parent_directories=True)
        log = repo.git.log("--format=%h%x00%s", "--", str(config.data_dir.resolve()))
    except git.GitError:
        return {}  # not a repository, or no commit yet
    out: dict[dt.date, str] = {}
    for line in log.splitlines():
        short, _, subject = line.partition("\0")
        match = SUBJECT_RE.match(subject)
        if match:
            week = dt.date.fromisoformat(match.group(1))
            out.setdefault(week, short)
    return out


def _open_or_init(data_dir: Path) -> tuple[Any, bool]:
    """The repository whose top is `data_dir` (never one of its parents), made when missing."""
    import git

    if (data_dir / ".git").exists():
        return git.Repo(data_dir), False
    from reporter.fsutil import make_dirs

    make_dirs(data_dir)
    return git.Repo.init(data_dir), True


def _message(week_end: dt.date, message_id: str) -> str:
    one_line = " ".join(message_id.split())
    return f"{SUBJECT.format(week=week_end.isoformat())}\n\nMessage-ID: {one_line}\n"


def _identity(config: Config) -> dict[str, str]:
    name, email = config.author.name, config.author.email
    env = {}
    for role in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{role}_NAME"] = os.environ.get(f"GIT_{role}_NAME") or name
        env[f"GIT_{role}_EMAIL"] = os.environ.get(f"GIT_{role}_EMAIL") or email
    return env


def _attachments(data_dir: Path, week_end: dt.date) -> list[Path]:
    """Downloaded attachments the week's Jira snapshot names (paths inside data_dir only)."""
    from reporter.store.snapshot import part_path

    try:
        doc = json.loads(part_path(data_dir, week_end, "jira").read_text(encoding="utf-8"))
        cards = doc["data"]["cards"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    root = data_dir.resolve()
    out = []
    for card in cards if isinstance(cards, list) else ():
        for att in card.get("attachments") or () if isinstance(card, dict) else ():
            local = att.get("local_path") if isinstance(att, dict) else None
            if not isinstance(local, str) or not local:
                continue
            path = (data_dir / local).resolve()
            if path.is_relative_to(root) and path.is_file():
                out.append(data_dir / path.relative_to(root))
    return out
