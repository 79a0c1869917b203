"""One check's result: ok, warn or FAIL, what was found, and the fix."""

from __future__ import annotations

from dataclasses import dataclass

from reporter.errors import ReporterError

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Check:
    level: str  # ok | warn | FAIL
    name: str  # "jira auth"
    detail: str  # what was found; never a secret
    fix: str | None = None

    @property
    def failed(self) -> bool:
        return self.level == FAIL


def ok(name: str, detail: str) -> Check:
    return Check(OK, name, detail)


def warn(name: str, detail: str, fix: str | None = None) -> Check:
    return Check(WARN, name, detail, fix)


def fail(name: str, detail: str, fix: str | None = None) -> Check:
    return Check(FAIL, name, detail, fix)


def failed(name: str, exc: ReporterError) -> Check:
    """A FAIL from an exception: its message, and its hint as the fix."""
    return Check(FAIL, name, " ".join(exc.message.split()), exc.hint)
