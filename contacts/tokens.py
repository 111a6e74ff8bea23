"""Signed unsubscribe links: `{public_url}/public/unsubscribe/<token>`, the token naming the contact and the message
kind, signed with the inbox's secret (CARELOOP_SECRET_KEY) and valid for a year. The same links serve RFC 8058
one-click unsubscription (List-Unsubscribe-Post)."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.orm import Session

from careloop.config import CONSENT_KINDS, Config
from careloop.secret import secret_key
from store.models import Contact, utcnow

SALT = "careloop-unsubscribe"
MAX_AGE_DAYS = 365
UNSUBSCRIBE_PATH = "/public/unsubscribe/"


class TokenError(ValueError):
    """The link is forged, altered or expired; the message is safe to show."""


def serializer(secret: str | None, salt: str = SALT) -> URLSafeTimedSerializer:
    """The signer of one kind of link (the salt keeps an unsubscribe token from passing as a survey answer)."""
    if secret is None:
        secret = secret_key()
    return _serializer_for(secret, salt)


@lru_cache(maxsize=8)
def _serializer_for(secret: str, salt: str) -> URLSafeTimedSerializer:
    # Built once per secret: deriving the key and reading the secret file took 2.5 ms a link (100,000 notices).
    return URLSafeTimedSerializer(secret, salt=salt)


def unsubscribe_token(contact_id: int, kind: str, secret: str | None = None) -> str:
    return serializer(secret).dumps({"c": contact_id, "k": kind})


def unsubscribe_url(config: Config, contact_id: int, kind: str, secret: str | None = None) -> str:
    if not config.public_url:
        raise ValueError(f"{config.path or 'careloop.yaml'}: set public_url (e.g. https://care.example.com): "
                         f"every customer message carries an unsubscribe link under it")
    return config.public_url.rstrip("/") + UNSUBSCRIBE_PATH + unsubscribe_token(contact_id, kind, secret)


def read_token(token: str, secret: str | None = None, max_age_days: float = MAX_AGE_DAYS) -> tuple[int, str]:
    try:
        data = serializer(secret).loads(token, max_age=int(max_age_days * 86400))
    except SignatureExpired:
        raise TokenError("This unsubscribe link has expired. Use the link in a newer message, or reply to it.") from None
    except BadSignature:
        raise TokenError("This unsubscribe link is not valid. Use the link exactly as it is in the message.") from None
    if not isinstance(data, dict) or data.get("k") not in CONSENT_KINDS or not isinstance(data.get("c"), int):
        raise TokenError("This unsubscribe link is not valid. Use the link exactly as it is in the message.")
    return data["c"], data["k"]


def unsubscribe(session: Session, contact_id: int, kind: str, at: datetime | None = None) -> bool:
    """Record the unsubscription (the first time counts); False when the contact no longer exists."""
    column = getattr(Contact, f"unsubscribed_{kind}_at")
    session.execute(update(Contact).where(Contact.id == contact_id, column.is_(None))
                    .values({column: at or utcnow()}).execution_options(synchronize_session=False))
    return session.get(Contact, contact_id) is not None
