"""The `mail:` section: sender, recipients, subject and the transport (SMTP or sendmail)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reporter.config.checker import Checker, check_env, check_mailbox, check_subject, positive
from reporter.yamldoc import KeyPath

DEFAULT_SUBJECT = "[Weekly] Week ending {week_end}"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str | None
    password_env: str | None
    keyring_service: str
    timeout_s: float


@dataclass(frozen=True)
class MailConfig:
    sender: str  # `from` in the file
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc_self: bool
    followup_to: bool
    subject: str
    transport: str  # smtp | sendmail
    smtp: SmtpConfig | None
    sendmail: tuple[str, ...]
    retries: int
    retry_delay_s: float


def check_mail(c: Checker, top: dict[str, Any]) -> MailConfig | None:
    raw = c.get(top, (), "mail", dict, None)
    if raw is None:
        return None
    kp: KeyPath = ("mail",)
    m = c.mapping(raw, kp, {"from", "to", "cc", "bcc_self", "followup_to", "subject",
                               "transport", "smtp", "sendmail", "retries", "retry_delay_s"})
    if m is None:
        return None
    sender = c.get(m, kp, "from", str, check=check_mailbox)
    to = c.str_list(m, kp, "to", check=check_mailbox)
    if "to" in m and isinstance(m["to"], list) and not m["to"]:
        c.fail(kp + ("to",), "at least one recipient is needed")
    cc = c.str_list(m, kp, "cc", [], check=check_mailbox)
    subject = c.get(m, kp, "subject", str, DEFAULT_SUBJECT, check_subject)
    transport = c.choice(m, kp, "transport", ("smtp", "sendmail"), "smtp")
    smtp = None
    s = c.get(m, kp, "smtp", dict, None)
    if s is not None:
        skp = kp + ("smtp",)
        sm = c.mapping(s, skp, {"host", "port", "security", "user", "password_env",
                                   "keyring_service", "timeout_s", "password"})
        if sm is not None:
            if "password" in sm:
                c.fail(skp + ("password",), "secrets are never read from the "
                          "configuration file; name an environment variable in "
                          "password_env, or use the keyring or ~/.netrc")
            security = c.choice(sm, skp, "security", ("starttls", "ssl", "none"),
                                   "starttls")
            smtp = SmtpConfig(
                host=c.get(sm, skp, "host", str) or "",
                port=c.get(sm, skp, "port", int,
                              465 if security == "ssl" else 587,
                              lambda v: None if 0 < v < 65536 else "must be 1 to 65535"),
                security=security or "starttls",
                user=c.get(sm, skp, "user", str, None),
                password_env=c.get(sm, skp, "password_env", str, None, check_env),
                keyring_service=c.get(sm, skp, "keyring_service", str,
                                         "reporter-smtp"),
                timeout_s=c.get(sm, skp, "timeout_s", float, 60.0, positive),
            )
    if transport == "smtp" and smtp is None:
        c.fail(kp + ("smtp",), "transport: smtp needs an smtp: {host: ...} mapping")
    sendmail = c.str_list(m, kp, "sendmail", ["/usr/sbin/sendmail"])
    if transport == "sendmail" and not sendmail:
        c.fail(kp + ("sendmail",), "transport: sendmail needs the command as a list")
    return MailConfig(
        sender=sender or "",
        to=to,
        cc=cc,
        bcc_self=c.get(m, kp, "bcc_self", bool, False),
        followup_to=c.get(m, kp, "followup_to", bool, False),
        subject=subject or DEFAULT_SUBJECT,
        transport=transport or "smtp",
        smtp=smtp,
        sendmail=sendmail,
        retries=c.get(m, kp, "retries", int, 3,
                         lambda v: None if 0 <= v <= 10 else "must be 0 to 10"),
        retry_delay_s=c.get(m, kp, "retry_delay_s", float, 5.0,
                               lambda v: None if v >= 0 else "must not be negative"),
    )
