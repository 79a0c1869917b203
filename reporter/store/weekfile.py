"""The week's notes file as text: checked by the notes reader, read exactly, written atomically."""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
from pathlib import Path

from reporter.config import Config
from reporter.errors import InputError, ReporterError
from reporter.fsutil import atomic_file, write_atomic
from reporter.model.notes import WeekNotes
from reporter.store.notes import parse_week_notes
from reporter.yamldoc import YamlSyntaxError, load_yaml_text

log = logging.getLogger(__name__)

BOM = "\ufeff"


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
    """Replace the notes file atomically: readers see the old or the new text, never a mix."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
        write_atomic(path, text.encode("utf-8"))
        if mode is not None:  # the temporary file was made 0600; keep the user's mode
            os.chmod(path, mode)
    except OSError as exc:
        raise ReporterError(f"{path}: cannot write: {exc.strerror}",
                            hint="the file was left as it was") from None


def create_text(path: Path, text: str) -> bool:
    """Write a new file atomically, never replacing one that exists; False when one does."""
    try:
        with atomic_file(path, exclusive=True, mode=0o666 & ~_umask()) as fh:  # as an editor
            fh.write(text.encode("utf-8"))
    except FileExistsError:
        return False
    except OSError as exc:
        raise ReporterError(f"{path}: cannot write: {exc.strerror}") from None
    return True


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
