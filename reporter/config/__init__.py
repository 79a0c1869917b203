"""The configuration: one schema module per section of the file, checked completely once.

`core` loads the file and owns the top level; `jira`, `patches`, `measurements`,
`calendar` and `mail` each own their section's dataclasses and checks; `checker`
holds the typed getters that collect every problem with its file, key and line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reporter.config.calendar import CalendarConfig
from reporter.config.core import Author, Config, Section, default_config_path, load_config
from reporter.config.mail import DEFAULT_SUBJECT, MailConfig, SmtpConfig
from reporter.config.measurements import MeasurementConfig

if TYPE_CHECKING:
    from reporter.config.jira import JiraConfig
    from reporter.config.patches import ArchiveConfig, GitConfig, PatchesConfig, PatchworkConfig

# The jira and patches sections' classes load when first asked for: a configuration
# without those sections (the demo's `preview`) never pays for them.
_LAZY = {"JiraConfig": "jira", "ArchiveConfig": "patches", "GitConfig": "patches",
         "PatchesConfig": "patches", "PatchworkConfig": "patches"}

__all__ = [
    "DEFAULT_SUBJECT", "ArchiveConfig", "Author", "CalendarConfig", "Config", "GitConfig",
    "JiraConfig", "MailConfig", "MeasurementConfig", "PatchesConfig", "PatchworkConfig",
    "Section", "SmtpConfig", "default_config_path", "load_config",
]


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
