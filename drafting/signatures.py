"""The approving agent's signature, appended to a reply at approval (not rendered into the draft), so the reply
says who answered: the agent's own signature for the mention's brand when they set one (their profile, or an
admin on /admin/users), else the language's `_sign.j2` with their display name ("Jana from Nokia", "Jana z týmu
Nokia"), else their login name. An actor that is no inbox user (a script, the demo) signs with its name."""
from __future__ import annotations

from sqlalchemy.orm import Session

from careloop.config import Config, RepliesConfig
from store.access import user_named

from .templates import BUNDLED_TEMPLATES, TemplateError, render, reply_language, templates_dir

SIGN_TEMPLATE = "{lang}/_sign.j2"


def signature_for(session: Session, actor: str, brand: str | None, language: str | None, config: Config | None) -> str:
    user = user_named(session, actor)
    own = ((user.signatures or {}).get(brand or "") or "").strip() if user is not None else ""
    if own:
        return own
    return default_signature(user.shown_name if user is not None else actor, brand, language, config)


def default_signature(name: str, brand: str | None, language: str | None, config: Config | None) -> str:
    directory = templates_dir(config) if config is not None else BUNDLED_TEMPLATES
    replies = config.replies if config is not None else RepliesConfig()
    lang = reply_language(language or replies.fallback_language, directory, replies)
    try:
        return render(directory, SIGN_TEMPLATE.format(lang=lang), {"agent": name, "brand": brand or ""})
    except TemplateError:  # an operator's templates without _sign.j2: the name alone still says who answered
        return name

