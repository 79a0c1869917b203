"""The `init` command: write a commented starting configuration, never over an existing file."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.errors import ConfigError

if TYPE_CHECKING:
    from reporter.cli import Context
    from reporter.starter import Starter

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--path", type=Path, metavar="P", default=None,
                        help="where to write it (default: --config, $REPORTER_CONFIG or "
                        "~/.config/reporter/config.yaml)")
    parser.add_argument("--print", action="store_true", dest="print_only",
                        help="print the configuration instead of writing it")


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.config import default_config_path
    from reporter.starter import starting_config, user_details

    starter = starting_config(user_details())
    if args.print_only:
        ctx.stdout.write(starter.text)
        ctx.stdout.flush()
        _say_unknown(starter, None)
        return 0
    path: Path = args.path or args.config or default_config_path()
    path = Path(os.path.expanduser(str(path)))
    _create(path, starter.text)
    ctx.stdout.write(f"{path}\n")
    ctx.stdout.flush()
    _say_unknown(starter, path)
    log.info("wrote %s: keep the sources you use, then run `reporter --config %s doctor`",
             path, path)
    return 0


def _create(path: Path, text: str) -> None:
    """Write `path` atomically; an existing file (even one made meanwhile) is left alone."""
    from reporter.fsutil import atomic_file

    if path.exists() or path.is_symlink():
        raise _exists(path)
    mask = os.umask(0o022)
    os.umask(mask)
    try:
        with atomic_file(path, exclusive=True, mode=0o666 & ~mask) as fh:
            fh.write(text.encode("utf-8"))
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror}",
                          hint="choose another place with --path") from None


def _exists(path: Path) -> ConfigError:
    return ConfigError(f"{path}: already exists; left as it is",
                       hint="edit it, or write a new one elsewhere with --path P; "
                       "`reporter init --print` shows the starting configuration")


def _say_unknown(starter: Starter, path: Path | None) -> None:
    where = f" in {path}" if path else ""
    details = starter.details
    if "author.name" in starter.unknown:
        log.warning("author.name: not in git config (git config --global user.name) nor in "
                    "the password database; edit %r%s", "Your Name", where)
    elif details.name_from:
        log.info("author.name from %s", details.name_from)
    if "author.email" in starter.unknown:
        log.warning("author.email: not in git config (git config --global user.email); "
                    "edit %r%s", "you@example.org", where)
    if "timezone" in starter.unknown:
        log.warning("timezone: the system's time zone is not known; UTC is written, edit "
                    "it%s", where)
    elif details.timezone_from:
        log.info("timezone %s from %s", details.timezone, details.timezone_from)
