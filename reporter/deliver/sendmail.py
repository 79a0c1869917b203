"""The sendmail transport: the configured command, no shell, `-i`, `--`, the message on stdin."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable

from reporter.deliver.message import Envelope
from reporter.deliver.transport import Accepted, TransportError

log = logging.getLogger(__name__)

EX_TEMPFAIL = 75  # sysexits.h: "temporary failure; user is invited to retry"
TIMEOUT_S = 300.0
# `-t` makes the command read the recipients from the headers. reporter gives them on
# the command line instead (the Bcc to the sender is in no header), and with `-t`
# Sendmail itself drops the command-line addresses, so nobody would get the message.
READ_RECIPIENTS = {"-t", "--read-recipients"}


def sendmail_argv(command: tuple[str, ...], envelope: Envelope) -> list[str]:
    """The argv: the configured command without -t, `-i`, `--`, then each recipient."""
    if not command:
        raise ValueError("empty sendmail command")
    program = os.path.expanduser(command[0])
    options = [arg for arg in command[1:] if arg not in READ_RECIPIENTS]
    if len(options) != len(command) - 1:
        log.debug("sendmail: -t removed; the recipients are given on the command line")
    return [program, *options, "-i", "--", *envelope.recipients]


class SendmailTransport:
    """Pipes one message to a sendmail-compatible command (sendmail, msmtp, postfix, exim)."""

    def __init__(self, command: tuple[str, ...], timeout_s: float = TIMEOUT_S) -> None:
        self.command = command
        self.timeout_s = timeout_s

    def __call__(self, envelope: Envelope, data: bytes,
                 before_handover: Callable[[], None]) -> Accepted:
        argv = sendmail_argv(self.command, envelope)
        name = os.path.basename(argv[0])
        before_handover()
        try:
            done = subprocess.run(argv, input=data, capture_output=True, shell=False,  # noqa: S603
                                  timeout=self.timeout_s, check=False)
        except FileNotFoundError:
            raise TransportError(f"sendmail: {argv[0]}: no such program", temporary=False,
                                 hint="set mail.sendmail to the command's full path"
                                 ) from None
        except PermissionError:
            raise TransportError(f"sendmail: {argv[0]}: not executable", temporary=False,
                                 hint="check mail.sendmail") from None
        except subprocess.TimeoutExpired:
            raise TransportError(
                f"sendmail: {name} did not finish within {self.timeout_s:.0f} s and was "
                "stopped after reading the message", temporary=False, ambiguous=True,
                hint="check its queue or log; `reporter send --force` resends with the "
                "same Message-ID") from None
        except OSError as exc:
            raise TransportError(f"sendmail: cannot run {argv[0]}: {exc.strerror}",
                                 temporary=False) from None
        why = _first_line(done.stderr) or _first_line(done.stdout)
        if done.returncode == 0:
            return Accepted(recipients=envelope.recipients, reply=why)
        if done.returncode < 0:
            raise TransportError(
                f"sendmail: {name} was killed by signal {-done.returncode} after reading "
                "the message", temporary=False, ambiguous=True,
                hint="check its queue or log; `reporter send --force` resends with the "
                "same Message-ID")
        detail = f": {why}" if why else ""
        if done.returncode == EX_TEMPFAIL:
            raise TransportError(f"sendmail: {name} exited 75 (temporary failure){detail}",
                                 temporary=True)
        raise TransportError(f"sendmail: {name} exited {done.returncode}{detail}",
                             temporary=False, refused=True, hint="see the command's own log")


def _first_line(output: bytes) -> str:
    for line in output.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""
