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


class LocalFileError(ReporterError):
    """A file or folder on this machine (data_dir, mostly) cannot be read or written."""

    exit_status = 2


def local_file_error(exc: OSError, path: object = None, *, doing: str = "", then: str = "",
                     hint: str | None = None) -> LocalFileError:
    """One line for an OSError: the path, what was being done, the system's reason, `then`."""
    where = path if path is not None else exc.filename
    reason = exc.strerror or type(exc).__name__
    parts = [str(where)] if where is not None else []
    if doing:
        parts.append(doing)
    parts.append(reason)
    return LocalFileError(": ".join(parts) + then,
                          hint=hint or "check the permissions and free space of that folder")


class NoNotesError(ReporterError):
    """The week has no notes file, so there is nothing of the engineer's to send."""

    exit_status = 1


def no_notes_line(path: object, week_end: object) -> str:
    """The one line `send` fails with and `preview` warns with when a week has no notes."""
    return (f"no notes for the week ending {week_end}: {path} does not exist; start it with "
            f"`reporter draft --week {week_end}`, or send the harvested draft alone with "
            f"`reporter send --week {week_end} --allow-empty`")


class DeadlineError(SourceError):
    """A source's pull passed its deadline_s (a slow or trickling server, a long
    Retry-After); the message names the source and says it timed out."""
