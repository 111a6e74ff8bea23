"""One-click answer links: `{public_url}/public/survey/<token>`, the token naming the contact, the survey send (its
outbox row) and the score, signed with careloop's secret (contacts/tokens.py signs; its own salt, so no other link
passes as an answer) and valid for surveys.answer_days."""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired

from careloop.config import Config
from contacts.tokens import TokenError, serializer

SALT = "careloop-survey-answer"
ANSWER_PATH = "/public/survey/"
_INVALID = "This answer link is not valid. Use the link exactly as it is in the e-mail."


def answer_token(contact_id: int, send_id: int, score: int, secret: str | None = None) -> str:
    return serializer(secret, SALT).dumps({"c": contact_id, "s": send_id, "v": score})


def answer_url(config: Config, token: str) -> str:
    if not config.public_url:
        raise ValueError(f"{config.path or 'careloop.yaml'}: set public_url (e.g. https://care.example.com): "
                         f"survey e-mails carry answer links under it")
    return config.public_url.rstrip("/") + ANSWER_PATH + token


def read_answer_token(token: str, max_age_days: float, secret: str | None = None) -> tuple[int, int, int]:
    """(contact id, send id, score); TokenError with a message safe to show when forged, altered or expired."""
    try:
        data = serializer(secret, SALT).loads(token, max_age=int(max_age_days * 86400))
    except SignatureExpired:
        raise TokenError("This survey has closed: its answer links have expired. Thank you all the same.") from None
    except BadSignature:
        raise TokenError(_INVALID) from None
    if not isinstance(data, dict) or not all(isinstance(data.get(key), int) for key in ("c", "s", "v")):
        raise TokenError(_INVALID)
    return data["c"], data["s"], data["v"]
