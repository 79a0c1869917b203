"""How git is run: the program's full path, found once, and an environment without prompts."""

from __future__ import annotations

import os
import shutil

from reporter.errors import SourceError


def git_exe() -> str:
    """The git program's full path (once), or a SourceError naming the fix."""
    global _GIT_EXE
    if _GIT_EXE is None:
        found = shutil.which("git")
        if found is None:
            raise SourceError("git: the git program is not installed",
                              hint="install git, or remove patches.git from the configuration")
        _GIT_EXE = found
    return _GIT_EXE


_GIT_EXE: str | None = None


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env
