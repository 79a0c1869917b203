"""Opens a file in the user's editor ($EDITOR, else $VISUAL), split like a shell would, no shell."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path

from reporter.errors import UsageError


def edit_file(path: Path, env: Mapping[str, str] | None = None) -> None:
    """Run the editor on `path` and wait; UsageError when it is unset, missing or fails."""
    env = os.environ if env is None else env
    command = env.get("EDITOR") or env.get("VISUAL")
    if not command or not command.strip():
        raise UsageError(f"no editor to open {path}: $EDITOR is not set",
                         hint="export EDITOR=vi (or your editor), or edit the file by hand")
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise UsageError(f"$EDITOR {command!r}: cannot split it into words: {exc}") from None
    try:
        result = subprocess.run([*argv, str(path)], check=False)  # noqa: S603 - the user's editor
    except OSError as exc:
        raise UsageError(f"$EDITOR {command!r}: cannot run {argv[0]!r}: {exc.strerror}",
                         hint=f"fix $EDITOR, or edit {path} by hand") from None
    if result.returncode != 0:
        raise UsageError(f"$EDITOR {command!r} exited with status {result.returncode}",
                         hint=f"{path} is kept as the editor left it")
