"""What a pull says about a source that failed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceFailure:
    name: str  # jira | measurements | patches
    reason: str  # one line: what failed and the fix
