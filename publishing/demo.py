"""The store-replies part of `careloop demo`: the first pending Google Play and App Store drafts are approved by a demo
agent and published through the outbox to loopback fakes of both APIs (publishing/store_apis.py), signed in with
keys made for this run only, as a live deployment would with its own. Running it again posts nothing new: one
reply per platform is the demo agent's, every other draft stays for a person to decide."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from typing import Iterator

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from careloop.config import Config
from drafting.decisions import DecisionError, approve
from store.db import session_scope
from store.models import Draft, Mention

from .pipeline import publish_pending
from .store_apis import StoreAPIs

DEMO_AGENT = "demo-agent"
PLAY_KEY_ENV, APPLE_KEY_ENV = "CARELOOP_DEMO_PLAY_SERVICE_ACCOUNT", "CARELOOP_DEMO_APP_STORE_CONNECT_KEY"
DEMO_ISSUER, DEMO_KEY_ID = "careloop-demo-issuer", "DEMOKEY001"


def run_demo_store_replies(engine: Engine, config: Config) -> dict:
    """Counts: `approved` (this run), `published` (the outbox's counts), `posted` (replies the fakes now hold)."""
    apple_key = ec.generate_private_key(ec.SECP256R1())
    with StoreAPIs(apple_public_key=apple_key.public_key(), apple_issuer=DEMO_ISSUER) as apis, \
            _demo_keys(apis.url, apple_key):
        routed = _routed(config, apis.url)
        with session_scope(engine) as session:
            approved = sum(_approve_first(session, source_type, routed) for source_type in ("googleplay", "appstore"))
        _seed(engine, apis, routed)
        published = publish_pending(engine, routed)
        posted = apis.count("POST", ":reply") + apis.count("POST", "/v1/customerReviewResponses")
    return {"approved": approved, "published": published, "posted": posted}


def _approve_first(session: Session, source_type: str, config: Config) -> bool:
    """Approve the most urgent pending draft of `source_type` the platform would take, unless a demo run did before."""
    decided = select(Draft.id).join(Mention, Mention.id == Draft.mention_id).where(
        Draft.decided_by == DEMO_AGENT, Mention.source_type == source_type).limit(1)
    if session.scalar(decided) is not None:  # one per platform, on the first demo run
        return False
    candidates = session.scalars(select(Draft).join(Mention, Mention.id == Draft.mention_id)
                                 .where(Draft.status == "pending", Draft.kind == "reply", Mention.source_type == source_type)
                                 .order_by(Draft.priority.desc(), Draft.id).limit(20)).all()
    for draft in candidates:
        try:
            approve(session, draft.id, DEMO_AGENT, config=config)
            return True
        except DecisionError:  # longer than the platform takes: left for an agent to shorten
            continue
    return False


def _routed(config: Config, url: str) -> Config:
    """The demo's Play and App Store sources as live API sources on the fakes (App Store Connect mode)."""
    sources = []
    for source in config.sources:
        if source.type == "googleplay":
            source = source.model_copy(update={"path": None, "url": url, "options": {
                **source.options, "credentials_env": PLAY_KEY_ENV}})
        elif source.type == "appstore":
            source = source.model_copy(update={"path": None, "url": url, "options": {
                **source.options, "key_id": DEMO_KEY_ID, "issuer_id": DEMO_ISSUER, "key_env": APPLE_KEY_ENV}})
        sources.append(source)
    return config.model_copy(update={"sources": sources})


def _seed(engine: Engine, apis: StoreAPIs, config: Config) -> None:
    """The fakes hold the reviews the demo's approved replies answer (read from the bundled files)."""
    options = {source.name: source.options for source in config.sources}
    with session_scope(engine) as session:
        rows = session.execute(select(Mention).join(Draft, Draft.mention_id == Mention.id)
                               .where(Draft.status == "approved", Mention.source_type.in_(("googleplay", "appstore"))))
        for (mention,) in rows:
            source_options = options.get(mention.source.name, {})
            if mention.source_type == "googleplay":
                package = str(source_options.get("package_name") or "")
                apis.play.setdefault(package, {})[mention.external_id] = {
                    "reviewId": mention.external_id, "comments": [{"userComment": {"text": mention.text}}]}
            else:
                apis.apple.setdefault(str(source_options.get("app_id") or ""), {})[mention.external_id] = {
                    "response": None, "attributes": {"body": mention.text, "createdDate": ""}}


@contextmanager
def _demo_keys(url: str, apple_key: ec.EllipticCurvePrivateKey) -> Iterator[None]:
    """A Play service-account key whose token endpoint is the fake, and an App Store .p8 key, in the environment
    for this run only (where a deployment keeps its real ones)."""
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    values = {
        PLAY_KEY_ENV: json.dumps({"type": "service_account", "project_id": "careloop-demo", "private_key_id": "demo",
                                  "private_key": rsa_pem, "client_email": "careloop@demo.iam.gserviceaccount.com",
                                  "client_id": "1", "token_uri": f"{url}/token"}),
        APPLE_KEY_ENV: apple_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()).decode(),
    }
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
