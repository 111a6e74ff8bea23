"""The Channel protocol: how one outgoing message leaves careloop. See publishing/outbox.py for the whole API."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from careloop.errors import CareloopError, PermanentError, TemporaryError


@dataclass(frozen=True)
class Message:
    """What a channel gets: the outbox row's identity and its payload (the channel's own schema)."""

    id: int
    key: str
    kind: str
    channel: str
    payload: dict[str, Any]
    attempts: int = 1  # 1 on the first try


class Channel(ABC):
    """Sends one message and returns the platform's id for it (Message-ID, comment fullname, HTTP status …).

    Errors: raise an error with `retryable=True` (careloop.errors.TemporaryError) when the same send may succeed
    later, DeliveryUncertain when the message may have gone out, anything else fails the message for good.
    `finds_sent = True` declares `find_sent`: after an interrupted send the outbox asks the platform instead of
    marking the message uncertain."""

    name: ClassVar[str]
    finds_sent: ClassVar[bool] = False

    @abstractmethod
    def send(self, message: Message) -> str: ...

    def find_sent(self, message: Message) -> str | None:
        """The external id of `message` if the platform already has it (only where `finds_sent`)."""
        raise NotImplementedError(f"channel {self.name!r} cannot look up what it sent")

    def close(self) -> None:
        """Release connections; called once after a delivery run."""


class DeliveryUncertain(CareloopError):
    """The message may or may not have been delivered (the connection broke after it was handed over): the outbox
    marks it `uncertain` for an admin to resend or drop, never sends it again by itself."""


class RecipientRefused(PermanentError):
    """The receiving side refused this address for good (SMTP 5xx): the message fails and the address is suppressed."""

    def __init__(self, message: str, address: str):
        super().__init__(message)
        self.address = address


class ChannelConfigError(PermanentError):
    """A channel is not configured (no `email:` in careloop.yaml, unknown webhook name, missing secret)."""


class ChannelDown(TemporaryError):
    """The channel cannot send anything now (server unreachable, login refused): no message is at fault. The outbox
    puts the message back without charging it an attempt and leaves the channel alone for the rest of the run."""
