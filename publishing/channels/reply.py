"""Replies in public threads and under reviews through the source's connector (Reddit, Google Play, App Store)."""
from __future__ import annotations

from typing import Callable

from careloop.config import Config
from careloop.errors import PermanentError, TemporaryError, is_retryable
from connectors import ConnectorError, get_connector

from .base import Channel, Message


class ReplyChannel(Channel):
    """Payload: source, source_type, mention_external_id, text. The channel is named after the source type.
    Finds what it sent (the account's own reply in the thread, the review's developer reply), so an interrupted
    send is checked, not guessed. A platform that cannot answer now (429, 5xx) is retried; a refusal (credentials,
    a deleted review, a locked thread) fails the reply for an agent to decide."""

    finds_sent = True

    def __init__(self, name: str, config: Config, connector_for: Callable[[str], object] = get_connector):
        self.name, self.config = name, config
        self.connector = connector_for(name)

    def _source(self, message: Message):
        wanted = message.payload["source"]
        source = next((source for source in self.config.sources if source.name == wanted), None)
        if source is None:
            raise PermanentError(f"source {wanted!r} is not in careloop.yaml any more")
        return source

    def send(self, message: Message) -> str:
        payload = message.payload
        try:
            return self.connector.reply(self._source(message), payload["mention_external_id"], payload["text"])
        except ConnectorError as error:
            raise _outbox_error(error) from error

    def find_sent(self, message: Message) -> str | None:
        payload = message.payload
        try:
            return self.connector.find_own_reply(self._source(message), payload["mention_external_id"], payload["text"])
        except ConnectorError as error:
            raise _outbox_error(error) from error


def _outbox_error(error: ConnectorError) -> Exception:
    return (TemporaryError if is_retryable(error) else PermanentError)(f"{type(error).__name__}: {error}")
