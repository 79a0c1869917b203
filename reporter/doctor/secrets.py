"""The secrets: that each one the configuration needs can be found; where, never its value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from reporter.config import Config
from reporter.doctor.result import Check, failed, ok
from reporter.errors import ReporterError

if TYPE_CHECKING:
    from reporter.secrets import Credentials
    from reporter.sources.jira.connect import Login


def jira_secret(config: Config, environ: Mapping[str, str] | None = None
                ) -> tuple[Check | None, Login | None]:
    """The Jira login (None when its secret is missing) and the line saying where it is."""
    from reporter.sources.jira.connect import login_for

    jc = config.jira
    if jc is None:
        return None, None
    try:
        login = login_for(jc, environ)
    except ReporterError as exc:
        return failed("secret jira", exc), None
    if jc.auth == "none":
        return ok("secret jira", "none needed (jira.auth: none)"), login
    return ok("secret jira", f"found: {login.note}"), login


def smtp_secret(config: Config) -> tuple[Check | None, Credentials | None, bool]:
    """The SMTP login (None without AUTH), the line saying where it is, and whether the
    check can go on (False when a needed password is missing)."""
    from reporter.deliver.smtp import smtp_credentials

    mail = config.mail
    if mail is None or mail.transport != "smtp" or mail.smtp is None:
        return None, None, True
    try:
        creds = smtp_credentials(mail.smtp)
    except ReporterError as exc:
        return failed("secret smtp", exc), None, False
    if creds is None:
        return ok("secret smtp", f"none needed: no AUTH for {mail.smtp.host} (no mail.smtp.user, "
                  "password_env or ~/.netrc entry)"), None, True
    return ok("secret smtp", f"found: the password of {creds.user} from {creds.origin}"), \
        creds, True
