"""One-click unsubscribe for digest subscribers (RFC 8058): the List-Unsubscribe link carries a signed token naming
the address and the digest, so the mail client's POST needs no login and no CSRF token, and nobody can forge
another subscriber's. Addresses are kept as hashes, as the suppression list keeps them."""
from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.config import Config
from inbox.security import secret_key
from store.mentions import insert_ignoring_conflicts
from store.models import DigestUnsubscribe
from store.outreach import email_hash

SALT = "careloop-digest-unsubscribe"
PATH = "/reports/digests/unsubscribe/"


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(secret_key(), salt=SALT)


def unsubscribe_url(config: Config, address: str, digest: str) -> str:
    return f"{config.reports.inbox_url.rstrip('/')}{PATH}{_signer().dumps({'a': address, 'd': digest})}"


def read_token(token: str) -> tuple[str, str] | None:
    """(address, digest name), or None for a token careloop did not sign."""
    try:
        data = _signer().loads(token)
    except BadSignature:
        return None
    return (data["a"], data["d"]) if isinstance(data, dict) and {"a", "d"} <= data.keys() else None


def unsubscribe(session: Session, address: str, digest: str) -> None:
    insert_ignoring_conflicts(session, DigestUnsubscribe, [{"digest": digest, "email_hash": email_hash(address)}],
                              ["digest", "email_hash"])


def is_unsubscribed(session: Session, address: str, digest: str) -> bool:
    return session.scalar(select(DigestUnsubscribe.digest).where(
        DigestUnsubscribe.digest == digest, DigestUnsubscribe.email_hash == email_hash(address))) is not None
