"""A channel that keeps what it is given: the test double for every other channel (and for dry runs)."""
from __future__ import annotations

from .base import Channel, Message


class RecordingChannel(Channel):
    """Records each message. `fail(key, *errors)` makes the next sends of that message key raise those errors in
    turn (key None: any message). `finds_sent` answers from what it recorded, like a platform that can be asked."""

    def __init__(self, name: str = "recording", *, finds_sent: bool = False):
        self.name = name
        self.finds_sent = finds_sent  # type: ignore[misc]  (declared per instance for tests)
        self.sent: list[Message] = []
        self.failures: dict[str | None, list[BaseException]] = {}

    def fail(self, key: str | None, *errors: BaseException) -> None:
        self.failures.setdefault(key, []).extend(errors)

    def send(self, message: Message) -> str:
        for key in (message.key, None):
            if self.failures.get(key):
                raise self.failures[key].pop(0)
        self.sent.append(message)
        return f"{self.name}-{len(self.sent)}"

    def find_sent(self, message: Message) -> str | None:
        for index, sent in enumerate(self.sent):
            if sent.key == message.key:
                return f"{self.name}-{index + 1}"
        return None
