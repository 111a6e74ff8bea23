"""Digests and alerts leave through the one outbox (publishing/outbox.py): e-mail by the SMTP channel, alerts also
by the webhook channel (Slack, Teams, generic signed JSON). One row per (digest or alert, recipient), keyed so a
re-run queues nothing twice. Subscribers are staff named in careloop.yaml: no contact policy applies (consent
kind None), but an address that clicked the digest's one-click unsubscribe gets `skipped_unsubscribed`.
"""
from __future__ import annotations

import base64

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from careloop.config import Config
from publishing.outbox import deliver, enqueue_many
from store.db import session_scope
from store.models import Alert, Digest

from .digests import BuiltDigest, record_digest
from .render import environment, messages
from .unsubscribe import is_unsubscribed, unsubscribe_url

KINDS = ("digest", "alert")


def queue_digest(session: Session, config: Config, digest: Digest, built: BuiltDigest, subscribers: list[str]) -> int:
    """One e-mail per subscriber; returns how many rows were new. Flushes in the caller's transaction."""
    images = [{"cid": name, "content_type": "image/png", "data": base64.b64encode(png).decode("ascii"),
               "filename": f"{name}.png"} for name, png in built.charts.items()]
    rows = []
    for address in dict.fromkeys(subscribers):
        payload = {"to": address, "subject": built.subject, "text": built.text, "html": built.html, "images": images,
                   "unsubscribe_url": unsubscribe_url(config, address, digest.name)}
        skipped = is_unsubscribed(session, address, digest.name)
        rows.append({"key": f"digest:{digest.id}:{address.lower()}", "kind": "digest", "channel": "email",
                     "payload": payload, "status": "skipped_unsubscribed" if skipped else "queued",
                     "error": f"{address} unsubscribed from digest {digest.name}" if skipped else None})
    return enqueue_many(session, rows)


def queue_alert(session: Session, config: Config, alert: Alert) -> int:
    """E-mail to `reports.alerts.subscribers`, a post to each of `reports.alerts.webhooks`."""
    settings = config.reports.alerts
    words = messages(settings.language)
    scope = alert.source_name or (f"{alert.source_type}" if alert.source_type else "")
    subject = words["alert_subject"].format(brand=alert.brand or alert.source_name,
                                            what=words[_what(alert.kind)] + (f" ({scope})" if scope else ""))
    link = alert.details.get("link") or f"{config.reports.inbox_url.rstrip('/')}/reports"
    context = {"alert": alert, "subject": subject, "link": link, "t": words}
    html = environment().get_template("alert.html").render(context)
    text = environment().get_template("alert.txt").render(context)
    rows = [{"key": f"alert:{alert.id}:email:{address.lower()}", "kind": "alert", "channel": "email",
             "payload": {"to": address, "subject": subject, "text": text, "html": html}}
            for address in dict.fromkeys(settings.subscribers)]
    data = {"kind": alert.kind, "brand": alert.brand, "source_type": alert.source_type, "source": alert.source_name,
            "count": alert.count, "usual_low": alert.usual_low, "usual_high": alert.usual_high,
            "window_start": alert.window_start.isoformat(), "window_end": alert.window_end.isoformat(),
            "terms": alert.details.get("terms", [])}
    rows += [{"key": f"alert:{alert.id}:webhook:{name}", "kind": "alert", "channel": "webhook",
              "payload": {"webhook": name, "event": f"alert.{alert.kind}", "title": subject, "text": alert.explanation,
                          "url": link, "data": data}}
             for name in settings.webhooks]
    return enqueue_many(session, rows)


def _what(kind: str) -> str:
    return {"volume": "volume_spike", "negative_share": "negative_share_spike"}.get(kind, kind)


def send_queued(engine: Engine, config: Config, channels=None) -> dict:
    """Deliver every queued digest and alert (and take over ones a dead run left claimed)."""
    return deliver(engine, config, kinds=KINDS, channels=channels)


def send_by_hand(engine: Engine, config: Config, built: BuiltDigest, brands: list[str], channels=None) -> int:
    """`careloop digest --send`: to the subscribers of the configured digests covering these brands; the same
    digest (name and period) is sent once, however often the command runs. Returns how many were queued now."""
    subscribers = [address for digest in config.reports.digests
                   if set(digest.brands) == set(brands) or not brands and not digest.brands
                   for address in digest.subscribers]
    if not subscribers:
        raise LookupError(f"{config.path}: no digest under reports.digests is about "
                          f"{', '.join(brands) or 'all brands'}: add one with subscribers to send this digest")
    with session_scope(engine) as session:
        row = record_digest(session, built, brands)
        queued = queue_digest(session, config, row, built, subscribers) if row is not None else 0
    send_queued(engine, config, channels)
    return queued
