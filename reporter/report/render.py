"""Lays the view model out as the email body with the jinja2 templates.

This is also the one gate every byte of the body passes: control characters (C0,
DEL and C1, except tab and newline) from any source are replaced here, with
U+FFFD, the Unicode replacement character; a CR before a newline is dropped.
"""

from __future__ import annotations

import functools
import re
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import jinja2.sandbox

from reporter.errors import ConfigError
from reporter.report.layout import bullet_list
from reporter.report.template_cache import TemplateCache
from reporter.report.view import ReportView

if TYPE_CHECKING:
    from jinja2 import Template

TEMPLATE = "weekly.txt.j2"
REPLACEMENT = "\ufffd"
# Unicode category Cc: U+0000-U+001F, U+007F-U+009F. Tab and newline are text.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def default_templates_dir() -> Path:
    """templates/ beside the package in a checkout, or the installed reporter/templates."""
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent / "templates"
    if (checkout / TEMPLATE).is_file():
        return checkout
    return package / "templates"


def make_environment(templates_dir: Path | None = None,
                     cache_dir: Path | None = None) -> jinja2.Environment:
    """The environment for the shipped templates or the user's `templates_dir`; given
    `cache_dir` (DATA_DIR/cache), compiled templates are kept there between runs."""
    user = templates_dir is not None
    folder = templates_dir or default_templates_dir()
    # A template the user supplies runs sandboxed: it can lay out, not reach into Python.
    cls = jinja2.sandbox.SandboxedEnvironment if user else jinja2.Environment
    env = cls(
        loader=jinja2.FileSystemLoader(str(folder)),
        bytecode_cache=None if cache_dir is None else TemplateCache(cache_dir, sandboxed=user),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - plain text email, nothing is HTML
    )
    env.filters["bullets"] = bullet_list
    return env


@functools.lru_cache(maxsize=8)
def _environment(templates_dir: Path | None, cache_dir: Path | None) -> jinja2.Environment:
    """One environment per folder and run, so that the template checked before the work
    is compiled once and rendered from jinja2's cache (which reloads a changed file)."""
    return make_environment(templates_dir, cache_dir)


def check_template(templates_dir: Path | None = None, cache_dir: Path | None = None) -> None:
    """Load (and so compile) the template; ConfigError names the template and line."""
    _load(_environment(templates_dir, cache_dir), templates_dir)


def render_body(view: ReportView, templates_dir: Path | None = None,
                cache_dir: Path | None = None) -> str:
    """The body text: the template's output, controls replaced, no trailing white space."""
    template = _load(_environment(templates_dir, cache_dir), templates_dir)
    try:
        text = template.render(
            sections=view.sections,
            patches=view.patches,
            issues=view.issues,
            calendar=view.calendar,
        )
    except Exception as exc:  # noqa: BLE001 - a user's template can fail in any way
        # The sandbox's own limits (range() over 100000 items: OverflowError), a
        # StrictUndefined name, a filter given the wrong type: all the template's fault.
        raise ConfigError(f"{_where(exc, template)}: template error: "
                          f"{type(exc).__name__}: {_one_line(exc)}",
                          hint=_hint(templates_dir)) from None
    return clean_text(text)


def clean_text(text: str) -> str:
    """Control characters replaced (U+FFFD), and no line ending in white space."""
    text = _CONTROL_RE.sub(REPLACEMENT, text.replace("\r\n", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _load(env: jinja2.Environment, templates_dir: Path | None) -> Template:
    try:
        return env.get_template(TEMPLATE)
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"template {exc.name} not found in {templates_dir or 'templates/'}",
                          hint="check templates_dir in the configuration") from None
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or TEMPLATE}:{exc.lineno}"
        raise ConfigError(f"{where}: template syntax error: {_one_line(exc)}",
                          hint=_hint(templates_dir)) from None
    except (jinja2.TemplateError, OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{templates_dir or 'templates/'}/{TEMPLATE}: cannot load the "
                          f"template: {_one_line(exc)}", hint=_hint(templates_dir)) from None


def _where(exc: BaseException, template: Template) -> str:
    """`file:line` of the innermost template frame in the traceback (jinja2 rewrites
    tracebacks so that a template's frames carry its file name and line)."""
    filename = template.filename or TEMPLATE
    line = getattr(exc, "lineno", None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return f"{filename}:{line if line is not None else '?'}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _hint(templates_dir: Path | None) -> str:
    if templates_dir is None:
        return "the shipped template is broken: please report it"
    return (f"fix the template in {templates_dir}, or remove templates_dir from the "
            "configuration to use the shipped one")
