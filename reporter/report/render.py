"""Lays the view model out as the email body with the jinja2 templates."""

from __future__ import annotations

from pathlib import Path

import jinja2
import jinja2.sandbox

from reporter.errors import ConfigError
from reporter.report.layout import bullet_list
from reporter.report.view import ReportView

TEMPLATE = "weekly.txt.j2"


def default_templates_dir() -> Path:
    """templates/ beside the package in a checkout, or the installed reporter/templates."""
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent / "templates"
    if (checkout / TEMPLATE).is_file():
        return checkout
    return package / "templates"


def make_environment(templates_dir: Path | None = None) -> jinja2.Environment:
    user = templates_dir is not None
    folder = templates_dir or default_templates_dir()
    # A template the user supplies runs sandboxed: it can lay out, not reach into Python.
    cls = jinja2.sandbox.SandboxedEnvironment if user else jinja2.Environment
    env = cls(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - plain text email, nothing is HTML
    )
    env.filters["bullets"] = bullet_list
    return env


def render_body(view: ReportView, templates_dir: Path | None = None) -> str:
    env = make_environment(templates_dir)
    try:
        template = env.get_template(TEMPLATE)
        text = template.render(
            sections=view.sections,
            patches=view.patches,
            issues=view.issues,
            calendar=view.calendar,
        )
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"template {exc.name} not found in {templates_dir or 'templates/'}",
                          hint="check templates_dir in the configuration") from None
    except jinja2.TemplateError as exc:
        where = f"{getattr(exc, 'filename', None) or TEMPLATE}:{getattr(exc, 'lineno', '?')}"
        raise ConfigError(f"{where}: template error: {exc}") from None
    # No line of the email ends in white space, whatever the template or the data did.
    return "\n".join(line.rstrip() for line in text.split("\n"))
