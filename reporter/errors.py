"""The exception classes, each mapped by the CLI to an exit status."""

from __future__ import annotations


class ReporterError(Exception):
    """A failure the user can act on: a message, and a hint naming the fix."""

    exit_status = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class UsageError(ReporterError):
    """Bad command-line usage."""

    exit_status = 2


class ConfigError(ReporterError):
    """The configuration file is wrong: the message names file, key and line."""

    exit_status = 2


class InputError(ReporterError):
    """A notes, events, measurement or ledger file is wrong: nothing was changed."""

    exit_status = 2


class SourceError(ReporterError):
    """A source (Jira, Patchwork, the list archive, git) failed."""

    exit_status = 1


class DeliveryError(ReporterError):
    """The mail server or the sendmail command failed."""

    exit_status = 1
