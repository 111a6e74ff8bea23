"""Channels: how outgoing messages leave careloop. `Channels(config)` builds those a delivery run needs on first
use: `email` (SMTP), `webhook`, and a reply channel per source type that can reply (`reddit`, `googleplay`,
`appstore`). Tests pass their own (`RecordingChannel`) by name. The API is described in publishing/outbox.py."""
from __future__ import annotations

from typing import Callable, Mapping

from careloop.config import Config
from connectors import get_connector

from .base import Channel, ChannelConfigError, ChannelDown, DeliveryUncertain, Message, RecipientRefused
from .recording import RecordingChannel


def _email(config: Config, connector_for) -> Channel:
    from .email import SmtpChannel

    if config.email is None:
        raise ChannelConfigError(f"{config.path or 'careloop.yaml'}: e-mail is queued but there is no `email:` section "
                                 f"(host, port, security, from)")
    return SmtpChannel(config.email)


def _webhook(config: Config, connector_for) -> Channel:
    from .webhook import WebhookChannel

    return WebhookChannel(config)


# Channel name → factory. Any other name is a source type whose connector replies in public threads.
FACTORIES: dict[str, Callable[[Config, Callable[[str], object]], Channel]] = {"email": _email, "webhook": _webhook}


class Channels:
    """The channels of one delivery run: built on first use, closed together."""

    def __init__(self, config: Config, given: Mapping[str, Channel] | None = None,
                 connector_for: Callable[[str], object] = get_connector):
        self.config, self.connector_for = config, connector_for
        self._open: dict[str, Channel] = dict(given or {})
        self._given = set(self._open)

    def get(self, name: str) -> Channel:
        if name not in self._open:
            factory = FACTORIES.get(name)
            if factory is not None:
                self._open[name] = factory(self.config, self.connector_for)
            else:
                from .reply import ReplyChannel

                try:
                    self._open[name] = ReplyChannel(name, self.config, self.connector_for)
                except KeyError as exc:
                    raise ChannelConfigError(f"no channel named {name!r}: {exc.args[0]}") from None
        return self._open[name]

    def close(self) -> None:
        for name, channel in self._open.items():
            if name not in self._given:
                channel.close()


__all__ = ["Channel", "ChannelConfigError", "ChannelDown", "Channels", "DeliveryUncertain", "Message",
           "RecipientRefused", "RecordingChannel"]
