"""The week's notes file as text: checked by the notes reader, read exactly, written atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from reporter.config import Config
from reporter.errors import InputError, local_file_error
from reporter.fsutil import atomic_file, write_keeping_links
from reporter.model.notes import WeekNotes
from reporter.store.lock import file_lock
from reporter.store.notes import parse_week_notes
from reporter.yamldoc import YamlSyntaxError, load_yaml_text

log = logging.getLogger(__name__)

BOM = "\ufeff"
NOTES_LOCK_WAIT_S = 60.0  # a note takes milliseconds; a minute is a stuck run


def check_text(config: Config, week_end: dt.date, path: Path, text: str) -> WeekNotes:
    """Parse `text` as the notes file at `path`; InputError names the file and line."""
    try:
        doc = load_yaml_text(text[1:] if text.startswith(BOM) else text, path)
    except YamlSyntaxError as exc:
        raise InputError(str(exc), hint="fix the file; nothing was changed") from None
    return parse_week_notes(doc, config, week_end)


def read_text(path: Path) -> str:
    """The notes file's text exactly as stored (a BOM included), or InputError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})",
                         hint="save the file as UTF-8; nothing was changed") from None


def write_text(path: Path, text: str) -> None:
    """Replace the notes file's text, keeping the file itself (see write_keeping_links).

    A notes file that is a symbolic link to the engineer's own file (in a dotfiles
    repository, say) gets the text in its target, and the link stays; one with hard
    links is rewritten in place; the permission bits stay as they were.
    """
    try:
        write_keeping_links(path, text.encode("utf-8"))
    except OSError as exc:
        raise local_file_error(exc, exc.filename or path, doing="cannot write the notes",
                               hint="the file was left as it was") from None


@contextlib.contextmanager
def notes_lock(data_dir: Path) -> Iterator[None]:
    """Serialise the writers of the notes files (`note`, and the draft it starts).

    The lock is on the folder data/weeks itself (flock(2) takes a folder), so it
    leaves no file behind and survives the notes files being replaced.
    """
    with file_lock(data_dir / "weeks", wait_s=NOTES_LOCK_WAIT_S, folder=True):
        yield


def create_text(path: Path, text: str) -> bool:
    """Write a new file atomically, never replacing one that exists; False when one does."""
    try:
        with atomic_file(path, exclusive=True, mode=0o666 & ~_umask()) as fh:  # as an editor
            fh.write(text.encode("utf-8"))
    except FileExistsError:
        return False
    except OSError as exc:
        raise local_file_error(exc, exc.filename or path, doing="cannot write the notes"
                               ) from None
    return True


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
