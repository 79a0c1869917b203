"""The `note` command (being built: see the open issue)."""

from __future__ import annotations

import argparse
from typing import Any

from reporter.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs="*")


def run(ctx: Any, args: argparse.Namespace) -> int:
    raise UsageError("reporter note is not built yet")
