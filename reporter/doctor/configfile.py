"""The configuration file: that it loads and is valid, and what it configures."""

from __future__ import annotations

from pathlib import Path

from reporter.config import Config, load_config
from reporter.doctor.result import Check, fail, ok, warn
from reporter.errors import ConfigError


def check_config(path: Path) -> tuple[Config | None, list[Check]]:
    """The loaded configuration (None when it does not load) and one line per problem."""
    try:
        config = load_config(path)
    except ConfigError as exc:
        head, *problems = exc.message.splitlines()
        if not problems:
            return None, [fail("config", head, exc.hint)]
        return None, [fail("config", line.strip(), exc.hint) for line in problems]
    sources = [name for name, there in (("jira", config.jira), ("patches", config.patches),
                                        ("measurements", config.measurements)) if there]
    mail = f"mail by {config.mail.transport}" if config.mail else "no mail"
    titles = ", ".join(repr(s.title) for s in config.sections)
    checks = [ok("config", f"{path}: valid; sections {titles}; sources: "
                 f"{', '.join(sources) or 'none (notes alone)'}; {mail}")]
    if config.mail is None:
        checks.append(warn("mail", "not configured: `reporter send` needs a mail: section",
                           "add mail: (`reporter init --print` shows its keys)"))
    return config, checks
