"""Measurement attachments: which to fetch, safe file names, streamed and capped downloads."""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporter.errors import SourceError
from reporter.fsutil import atomic_file

if TYPE_CHECKING:
    from reporter.sources.jira.session import JiraSession

log = logging.getLogger(__name__)

# SPEC section 6: raw samples, cyclictest/netperf output, summary YAML/JSON.
TEXT_EXTENSIONS = frozenset({".csv", ".tsv", ".txt", ".log", ".json", ".yaml", ".yml", ".dat",
                             ".hist", ".out"})
TEXT_TYPES = frozenset({"application/json", "application/x-yaml", "application/yaml",
                        "application/csv"})
MEASUREMENT_WORDS = re.compile(
    r"latenc|cyclictest|netperf|jitter|hist|oslat|hwlat|rtt|percentile|spike|trace", re.I)
CHUNK_BYTES = 64 * 1024
MAX_NAME = 100


def looks_like_measurement(filename: str, mime_type: str, *, measured_card: bool) -> bool:
    """A text file (by extension or type) whose name mentions a measurement, or any text
    file on a card that `measurements:` in the configuration names."""
    ext = os.path.splitext(filename)[1].lower()
    mime = mime_type.split(";")[0].strip().lower()
    textual = ext in TEXT_EXTENSIONS or mime.startswith("text/") or mime in TEXT_TYPES
    if ext == ".gz" and "trace" in filename.lower():  # a gzipped ftrace record
        return True
    if not textual or ext in (".png", ".jpg", ".gif", ".pdf", ".zip", ".gz"):
        return False
    return measured_card or bool(MEASUREMENT_WORDS.search(filename))


def sanitise_filename(name: str) -> str:
    """A name safe on any disk: the last path part, ASCII letters, digits, `._-` only,
    not hidden, no `..`, at most MAX_NAME characters with the extension kept."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base)
    base = re.sub(r"\.{2,}", ".", base)
    base = base.strip("._-")
    if not base:
        return "attachment"
    if len(base) > MAX_NAME:
        stem, ext = os.path.splitext(base)
        ext = ext if len(ext) <= 16 else ""
        base = stem[: MAX_NAME - len(ext)].rstrip("._-") + ext
    return base


@dataclass(frozen=True)
class Fetched:
    """Where a download landed (relative to data_dir), or why it was skipped."""

    local_path: str | None
    skipped: str | None = None
    downloaded: bool = False


def fetch(session: JiraSession, *, url: str, attachment_id: str, filename: str, size: int,
          dest_dir: Path, data_dir: Path, cap_bytes: int) -> Fetched:
    """Download one attachment once into `dest_dir` as `<id>-<safe name>`.

    A file already there for that id is kept as is. The download is streamed into
    a temporary file that is renamed when complete; past `cap_bytes` it stops, the
    temporary file is removed and the attachment is reported as skipped.
    """
    existing = sorted(p for p in dest_dir.glob(f"{attachment_id}-*") if p.is_file())
    if existing:
        return Fetched(existing[0].relative_to(data_dir).as_posix())
    if size > cap_bytes:
        return _too_big(attachment_id, filename, cap_bytes)
    final = dest_dir / f"{attachment_id}-{sanitise_filename(filename)}"
    with session.open_stream(url) as response:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap_bytes:
            return _too_big(attachment_id, filename, cap_bytes)
        try:
            written = _save(session, response, final, attachment_id, filename, cap_bytes)
        except OSError as exc:  # the local disk, not the network (those are SourceErrors)
            raise SourceError(f"jira: cannot save attachment {attachment_id} in {dest_dir}: "
                              f"{exc.strerror or type(exc).__name__}",
                              hint="check the free space and the permissions of data_dir"
                              ) from None
    if written is None:
        return _too_big(attachment_id, filename, cap_bytes)
    log.info("jira: attachment %s saved (%d bytes)", final.name, written)
    return Fetched(final.relative_to(data_dir).as_posix(), downloaded=True)


class _TooBig(Exception):
    """The body passed the size cap: nothing is kept."""


def _save(session: JiraSession, response: Any, final: Path, attachment_id: str, filename: str,
          cap_bytes: int) -> int | None:
    """Stream the body into `final` atomically; None (and no file) when it passes the cap."""
    import requests

    written = 0
    try:
        with atomic_file(final) as fh:
            try:
                for chunk in response.iter_content(CHUNK_BYTES):
                    written += len(chunk)
                    if written > cap_bytes:
                        raise _TooBig
                    session.deadline.check(f"downloading attachment {attachment_id}")
                    fh.write(chunk)
            except requests.exceptions.RequestException as exc:
                if session.deadline_passed():  # the deadline shut the download down
                    raise session.deadline_error(response.url or "the attachment") from None
                # Timeouts, resets and bad chunking in mid-body; the text may hold URLs.
                raise _broken(attachment_id, filename, exc) from None
    except _TooBig:
        return None
    return written


def _too_big(attachment_id: str, filename: str, cap_bytes: int) -> Fetched:
    cap = f"{cap_bytes / (1024 * 1024):g} MiB"
    log.warning("jira: attachment %s (%r) is larger than %s: not downloaded "
                "(raise jira.max_attachment_mb to fetch it)", attachment_id, filename, cap)
    return Fetched(None, skipped=f"larger than {cap} (jira.max_attachment_mb)")


def _broken(attachment_id: str, filename: str, exc: BaseException) -> SourceError:
    return SourceError(f"jira: the download of attachment {attachment_id} ({filename!r}) "
                       f"broke off ({type(exc).__name__})",
                       hint="try again; nothing was kept of the partial file")
