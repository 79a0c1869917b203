"""The command line: parses arguments, loads the configuration once, dispatches, exits."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from reporter import __version__
from reporter.config import Config, default_config_path, load_config
from reporter.errors import ConfigError, ReporterError, UsageError
from reporter.week import resolve_week, today_in

log = logging.getLogger("reporter")

# Command name -> module under reporter.commands. Each module defines
# `add_arguments(parser)` and `run(ctx, args) -> int`, and imports heavy
# libraries inside `run` only, so that parsing stays quick.
COMMANDS = {
    "pull": "refresh the week's snapshot from every configured source",
    "draft": "create the week's notes file from the tracker",
    "note": "add a bullet to the week's notes file",
    "preview": "print the email exactly as it would be sent",
    "send": "pull, render and send the week's email once",
    "measure": "print the findings for one measurement file",
    "trace": "the breakdown of each latency spike in an ftrace record",
    "history": "a card's notes, status and findings across weeks",
    "status": "what is tracked, the last pull and the weeks sent",
}
NEEDS_NO_CONFIG = {"measure", "trace"}  # trace record needs data_dir or --output


@dataclass(frozen=True)
class Context:
    """What every command gets: the configuration, the clock (read once) and the streams."""

    config: Config
    now: dt.datetime  # aware
    stdout: TextIO
    stderr: TextIO
    interactive: bool  # a person at a terminal (not cron)
    debug: bool = False

    @property
    def today(self) -> dt.date:
        return today_in(self.now, self.config.tz)

    def week(self, spec: str | None, default: str) -> dt.date:
        """Resolve `--week`; `default` is `this`, `last` or `due` (the next report to send)."""
        if spec is None:
            if default == "due":
                from reporter.deliver.ledger import week_state

                last = resolve_week("last", self.today, self.config.week_ends_on)
                state = week_state(self.config.data_dir, last)
                spec = "this" if state == "sent" else "last"
            else:
                spec = default
        return resolve_week(spec, self.today, self.config.week_ends_on)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}", hint="see `reporter --help`")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only `command`'s module is imported for its arguments (all when None).

    `reporter --help` lists every command from COMMANDS without importing any module.
    """
    parser = _Parser(prog="reporter", description="Write, track and send the weekly status "
                     "email.")
    parser.add_argument("--config", type=Path, default=None,
                        help="configuration file (default: $REPORTER_CONFIG or "
                        "~/.config/reporter/config.yaml)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("--version", action="version", version=f"reporter {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, help_text in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        if command is None or name == command:
            module = importlib.import_module(f"reporter.commands.{name}")
            module.add_arguments(cmd)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand named in `argv` (the first word that is not an option or its value)."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def add_week_argument(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--week", metavar="DATE|this|last", default=None,
                        help=f"any date inside the week, 'this' or 'last' (default: {default})")


class _StderrHandler(logging.Handler):
    """Writes `reporter: level: message` to whatever sys.stderr is at the time."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = self.format(record)
            prefix = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
            sys.stderr.write(f"reporter: {prefix}{msg}\n")
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


def _setup_logging(debug: bool, interactive: bool) -> None:
    root = logging.getLogger("reporter")
    for handler in list(root.handlers):
        if isinstance(handler, _StderrHandler):
            root.removeHandler(handler)
    handler = _StderrHandler()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else (logging.INFO if interactive else logging.WARNING))


def main(argv: Sequence[str] | None = None, *, now: dt.datetime | None = None) -> int:
    """Run one command; returns the exit status (0 done, 1 source or mail failed, 2 bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    interactive = sys.stderr.isatty()
    _setup_logging(debug, interactive)
    try:
        args = build_parser(_command_in(argv) or "").parse_args(argv)
        config_path = args.config or default_config_path()
        if args.command in NEEDS_NO_CONFIG and args.config is None and not config_path.exists():
            config = None
        else:
            config = load_config(config_path)
        ctx = Context(
            config=config,  # type: ignore[arg-type]  # None only for NEEDS_NO_CONFIG
            now=now or _now(),
            stdout=sys.stdout,
            stderr=sys.stderr,
            interactive=interactive,
            debug=debug,
        )
        module = importlib.import_module(f"reporter.commands.{args.command}")
        status: int = module.run(ctx, args)
        return status
    except ReporterError as exc:
        if debug:
            log.exception("%s", exc)
        else:
            log.error("%s", exc)
        return exc.exit_status
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130


def _now() -> dt.datetime:
    """The clock, read once per run; REPORTER_NOW (ISO 8601) pins it for tests and demos."""
    pinned = os.environ.get("REPORTER_NOW")
    if pinned:
        try:
            value = dt.datetime.fromisoformat(pinned)
        except ValueError:
            raise ConfigError(f"REPORTER_NOW={pinned!r}: not an ISO 8601 date and time") from None
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
