"""The compiled email template, kept under DATA_DIR/cache/templates between runs.

jinja2 compiles a template to Python code on every fresh process: a third of
what `preview` does after its imports. This bytecode cache keeps that code, so
a run loads it instead. A file is used only when all of this holds:
- it was written by this jinja2 and this Python (jinja2's magic header);
- it was compiled from the very source now on disk (its SHA-1, jinja2's checksum);
- it was compiled for the same kind of environment: the shipped template runs in
  a plain environment, a user's in the sandbox, and their code differs, so each
  kind has its own file name.

Anything else (missing, truncated, foreign, unreadable) is ignored and the template
compiled as without a cache; a cache that cannot be written is skipped. Neither
case is worth a warning: the cache only saves time. The file is compared as bytes
and its code read with marshal; nothing in it is unpickled.
"""

from __future__ import annotations

import logging
import marshal
import pickle
from pathlib import Path

import jinja2.bccache

from reporter.fsutil import write_atomic

log = logging.getLogger(__name__)

FOLDER = "templates"


class TemplateCache(jinja2.bccache.BytecodeCache):
    """jinja2's bytecode, one file per template and environment kind, in `folder`."""

    def __init__(self, cache_dir: Path, *, sandboxed: bool) -> None:
        self.folder = cache_dir / FOLDER
        self.data_dir = cache_dir.parent
        self.kind = "sandboxed" if sandboxed else "shipped"

    def path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.{self.kind}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = self.path(bucket)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            log.debug("template cache: ignoring %s: %s", path, exc)
            return
        header = jinja2.bccache.bc_magic + pickle.dumps(bucket.checksum, 2)
        if not data.startswith(header):
            log.debug("template cache: %s is for another source or version", path)
            return
        try:
            # The user's own data_dir, written 0600 by this tool: trusted as Python trusts
            # its .pyc files (which is what this is, for the template).
            bucket.code = marshal.loads(data[len(header):])  # noqa: S302
        except (EOFError, ValueError, TypeError) as exc:
            log.debug("template cache: ignoring the damaged %s: %s", path, exc)
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if not self.data_dir.is_dir():
            return  # a run must not create its data folder to keep a cache in
        path = self.path(bucket)
        try:
            write_atomic(path, bucket.bytecode_to_string())
        except OSError as exc:
            log.debug("template cache: cannot write %s: %s", path, exc)
