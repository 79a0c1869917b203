"""The `preview` command: print the email exactly as it would be sent."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from reporter.report import build_email_body

if TYPE_CHECKING:
    from reporter.cli import Context


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from reporter.cli import add_week_argument

    add_week_argument(parser, "the next report due")
    parser.add_argument("--offline", action="store_true",
                        help="render from the stored snapshot; do not pull")


def run(ctx: Context, args: argparse.Namespace) -> int:
    from reporter.commands.pull import configured_sources, pull_sources

    week_end = ctx.week(args.week, "due")
    failed: tuple[str, ...] = ()
    if not args.offline and configured_sources(ctx):
        failed = pull_sources(ctx, week_end)
    body = build_email_body(ctx, week_end, stale=failed)
    ctx.stdout.write(_headers(ctx, week_end) + "\n" + body)
    ctx.stdout.flush()
    return 1 if failed else 0


def _headers(ctx: Context, week_end: object) -> str:
    from reporter.config import DEFAULT_SUBJECT

    mail = ctx.config.mail
    subject = (mail.subject if mail else DEFAULT_SUBJECT).format(week_end=week_end)
    lines = []
    if mail is not None:
        lines.append(f"From: {mail.sender}")
        lines.append(f"To: {', '.join(mail.to)}")
        if mail.cc:
            lines.append(f"Cc: {', '.join(mail.cc)}")
    lines.append(f"Subject: {subject}")
    if mail is not None and mail.followup_to:
        lines.append(f"Mail-Followup-To: {', '.join((mail.sender, *mail.to, *mail.cc))}")
    return "".join(line + "\n" for line in lines)
