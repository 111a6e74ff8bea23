"""Webhooks: one channel for every feature that posts out (notices to a status page, alerts to Slack or Teams).

Payload: `webhook` (a name under `webhooks:` in careloop.yaml), `event`, `title`, `text`, `url` (optional link),
`data` (optional JSON object, generic format only). Formats: `generic` posts that JSON signed with
`X-Careloop-Signature: t=<unix time>,v1=<hex sha256 HMAC of "t.body">` (careloop/signing.py shows how to verify);
`slack` an incoming-webhook message; `teams` an Adaptive Card message for a Workflows webhook.
"""
from __future__ import annotations

import json
import os

import httpx

from careloop.config import Config, WebhookSettings
from careloop.errors import PermanentError, TemporaryError
from careloop.logs import remember_secret
from careloop.signing import HEADER, signature

from .base import Channel, ChannelConfigError, DeliveryUncertain, Message


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_body(settings: WebhookSettings, message: Message) -> dict:
    payload = message.payload
    title, text, url = payload.get("title") or "", payload.get("text") or "", payload.get("url")
    if settings.format == "slack":
        link = f"\n<{url}|Details>" if url else ""
        return {"text": f"*{_slack_escape(title)}*\n{_slack_escape(text)}{link}"}
    if settings.format == "teams":
        card = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "version": "1.4",
                "body": [{"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
                         {"type": "TextBlock", "text": text, "wrap": True}]}
        if url:
            card["actions"] = [{"type": "Action.OpenUrl", "title": "Details", "url": url}]
        return {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}
    return {"id": message.key, "event": payload.get("event"), "title": title, "text": text, "url": url,
            "data": payload.get("data") or {}}


class WebhookChannel(Channel):
    name = "webhook"

    def __init__(self, config: Config):
        self.webhooks = config.webhooks
        self.client = httpx.Client(follow_redirects=False)

    def send(self, message: Message) -> str:
        name = message.payload.get("webhook")
        settings = self.webhooks.get(name)
        if settings is None:
            raise ChannelConfigError(f"webhook {name!r} is not under webhooks: in careloop.yaml (known: {sorted(self.webhooks)})")
        body = json.dumps(webhook_body(settings, message), ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"content-type": "application/json; charset=utf-8", "user-agent": "careloop"}
        if settings.format == "generic":
            secret = os.environ.get(settings.secret_env or "")
            remember_secret(secret)
            if not secret:
                raise ChannelConfigError(f"webhook {name!r}: set {settings.secret_env} to its signing secret")
            headers[HEADER] = signature(secret, body)
        try:
            response = self.client.post(settings.url, content=body, headers=headers, timeout=settings.timeout_seconds)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise TemporaryError(f"webhook {name!r}: cannot connect to {settings.url}: {exc}") from None
        except httpx.TransportError as exc:  # sent, but no answer: it may have arrived
            raise DeliveryUncertain(f"webhook {name!r}: no answer from {settings.url}: {type(exc).__name__}: {exc}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryError(f"webhook {name!r}: {settings.url} answered {response.status_code}")
        if response.status_code >= 300:
            raise PermanentError(f"webhook {name!r}: {settings.url} answered {response.status_code}: {response.text[:200]}")
        return response.headers.get("x-request-id") or f"HTTP {response.status_code}"

    def close(self) -> None:
        self.client.close()
