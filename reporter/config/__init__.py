"""The configuration: one schema module per section of the file, checked completely once.

`core` loads the file and owns the top level; `jira`, `patches`, `measurements`,
`calendar` and `mail` each own their section's dataclasses and checks; `checker`
holds the typed getters that collect every problem with its file, key and line.
"""

from __future__ import annotations

from reporter.config.calendar import CalendarConfig
from reporter.config.core import Author, Config, Section, default_config_path, load_config
from reporter.config.jira import JiraConfig
from reporter.config.mail import DEFAULT_SUBJECT, MailConfig, SmtpConfig
from reporter.config.measurements import MeasurementConfig
from reporter.config.patches import ArchiveConfig, GitConfig, PatchesConfig, PatchworkConfig

__all__ = [
    "DEFAULT_SUBJECT", "ArchiveConfig", "Author", "CalendarConfig", "Config", "GitConfig",
    "JiraConfig", "MailConfig", "MeasurementConfig", "PatchesConfig", "PatchworkConfig",
    "Section", "SmtpConfig", "default_config_path", "load_config",
]
