"""What every transport returns or raises: accepted (with refused recipients) or why not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from reporter.deliver.ledger import Refusal
from reporter.deliver.message import Envelope
from reporter.errors import DeliveryError


@dataclass(frozen=True)
class Accepted:
    """The server (or the sendmail command) took the message for these recipients."""

    recipients: tuple[str, ...]  # accepted
    refused: tuple[Refusal, ...] = ()  # refused while others were accepted
    reply: str = ""  # the server's final reply, for the log


class TransportError(DeliveryError):
    """The transport failed.

    `ambiguous`: the data was handed over and no answer came back, so the server may
    have accepted it. Otherwise nothing was accepted, and `temporary` says whether
    trying again later can help (4xx, connection trouble, sendmail exit 75).
    `refused`: the server answered that it will never take it (an SMTP 5xx reply,
    every recipient refused, sendmail's non-temporary exit status); the week is then
    not tried again without `--force`. A permanent failure that is not a refusal (no
    STARTTLS offered, an untrusted certificate, no such sendmail program) is a local
    setting to fix, after which the next run sends the week as usual.
    """

    def __init__(self, message: str, hint: str | None = None, *, temporary: bool,
                 ambiguous: bool = False, refused: bool = False) -> None:
        super().__init__(message, hint)
        self.temporary = temporary
        self.ambiguous = ambiguous
        self.refused = refused and not temporary and not ambiguous


class Transport(Protocol):
    def __call__(self, envelope: Envelope, data: bytes,
                 before_handover: Callable[[], None]) -> Accepted:
        """Hand `data` over; call `before_handover()` just before the point of no return."""
        ...
