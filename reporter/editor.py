"""Opens a file in the user's editor: $VISUAL, then $EDITOR, then vi (as git does), no shell."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path

from reporter.errors import UsageError

FALLBACK = "vi"


def editor_command(env: Mapping[str, str] | None = None) -> str:
    """The editor's command line: the first of $VISUAL and $EDITOR that is set, else vi."""
    env = os.environ if env is None else env
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "")
        if value.strip():
            return value
    return FALLBACK


def edit_file(path: Path, env: Mapping[str, str] | None = None) -> None:
    """Run the editor on `path` and wait; UsageError when it cannot be run or fails."""
    command = editor_command(env)
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise UsageError(f"editor {command!r}: cannot split it into words: {exc}",
                         hint="fix $VISUAL or $EDITOR") from None
    try:
        result = subprocess.run([*argv, str(path)], check=False)  # noqa: S603 - the user's editor
    except OSError as exc:
        raise UsageError(f"editor {command!r}: cannot run {argv[0]!r}: {exc.strerror}",
                         hint=f"set $VISUAL or $EDITOR to your editor, or edit {path} by "
                         "hand") from None
    if result.returncode != 0:
        raise UsageError(f"editor {command!r} exited with status {result.returncode}",
                         hint=f"{path} is kept as the editor left it")
