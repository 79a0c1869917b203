"""The mail transport: the SMTP login (connect, TLS, certificate, AUTH, QUIT) or sendmail."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from reporter.config import MailConfig
from reporter.doctor.result import Check, fail, failed, ok, warn
from reporter.errors import ReporterError

if TYPE_CHECKING:
    from reporter.secrets import Credentials

CERT_SOON_S = 14 * 24 * 3600


def check_smtp(mail: MailConfig, creds: Credentials | None) -> Iterator[Check]:
    """Log in as `send` would and QUIT before MAIL: the server never sees a message."""
    from reporter.deliver.smtp import SmtpTransport

    cfg = mail.smtp
    assert cfg is not None
    where = f"{cfg.host}:{cfg.port}"
    try:
        found = SmtpTransport(cfg, creds).check_login()
    except ReporterError as exc:
        yield failed("smtp", exc)
        return
    yield ok("smtp connect", f"{where} answers (security: {cfg.security})")
    if found.tls is None:
        yield ok("smtp tls", "none (security: none, a local relay)")
    else:
        how = "STARTTLS" if cfg.security == "starttls" else "SSL"
        left = (found.certificate_expires_s - time.time()
                if found.certificate_expires_s is not None else None)
        if left is not None and left < CERT_SOON_S:
            yield warn("smtp tls", f"{how}, {found.tls}; the certificate is valid but expires "
                       f"in {max(0, int(left // 86400))} days",
                       "tell the mail server's admins, or expect sends to fail then")
        else:
            yield ok("smtp tls", f"{how}, {found.tls}; the certificate is valid for {cfg.host}")
    if found.login is None:
        yield ok("smtp auth", "not used (no login configured)")
    else:
        yield ok("smtp auth", f"logged in as {found.login}; QUIT without sending")


def check_sendmail(mail: MailConfig) -> Check:
    program = os.path.expanduser(mail.sendmail[0]) if mail.sendmail else ""
    found = shutil.which(program) if program else None
    if found is None:
        return fail("sendmail", f"{program or '(empty)'}: no such program",
                    "set mail.sendmail to the command, with its full path for cron")
    return ok("sendmail", f"{found} exists (not run)")
