"""The `doctor` command: a line per check (ok, warn, FAIL with the fix); sends, writes nothing."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporter.cli import Context
    from reporter.doctor.result import Check


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from reporter.cli import add_week_argument

    add_week_argument(parser, "the next report due")


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Exit 0 when no check failed (warnings allowed), 1 when one did."""
    from reporter.config import default_config_path
    from reporter.doctor.checks import Options, run_checks

    options = Options(config_path=args.config or default_config_path(), week=args.week,
                      now=ctx.now)
    counts = {"ok": 0, "warn": 0, "FAIL": 0}
    for check in run_checks(options):
        counts[check.level] += 1
        ctx.stdout.write(format_check(check) + "\n")
        ctx.stdout.flush()
    ctx.stdout.write(f"doctor: {counts['ok']} ok, {counts['warn']} warn, "
                     f"{counts['FAIL']} FAIL\n")
    ctx.stdout.flush()
    return 1 if counts["FAIL"] else 0


def format_check(check: Check) -> str:
    """`ok    jira auth: logged in as ...`; a warning or failure ends with `; fix: ...`."""
    line = f"{check.level:<4}  {check.name}: {check.detail}"
    if check.fix and check.level != "ok":
        line += f"; fix: {check.fix}"
    return line
