"""Survey e-mails from templates/surveys/<lang>/ (subject.txt, survey.txt, survey.html, sharing _words.j2), rendered
in the notices' sandbox (notices/compose.py) per contact at send time, in the contact's language or
surveys.fallback_language. The follow-up draft for a detractor comes from <lang>/follow_up_subject.txt and
follow_up.txt.

Context: `name` (the contact's), `brand`, `kind` (csat, nps, ces, review), `scale` (each `score` with its one-click
`url`), `review_url`, `review_site`, `unsubscribe_url`; the follow-up also `comment` (the person's own words,
escaped in HTML, never a template). Nothing of another contact.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from careloop.config import Config
from careloop.secret import secret_key
from careloop.survey_settings import SCALES, Survey
from contacts.tokens import unsubscribe_url
from drafting.templates import configured_dir, display_name
from notices.compose import mail_languages, render_mail
from store.models import OutboxMessage

from .links import answer_token, answer_url

BUNDLED = Path(__file__).resolve().parents[1] / "templates" / "surveys"
PARTS = {"subject": "subject.txt", "text": "survey.txt", "html": "survey.html"}
FOLLOW_UP_PARTS = {"subject": "follow_up_subject.txt", "text": "follow_up.txt"}
SURVEY_KINDS = ("survey", "review_request")  # outbox kinds of survey sends


def templates_dir(config: Config) -> Path:
    return configured_dir(config, config.surveys.templates_dir, BUNDLED)


def survey_language(config: Config, language: str | None) -> str:
    """The contact's language when there are survey templates for it, else surveys.fallback_language."""
    return language if language in mail_languages(templates_dir(config)) else config.surveys.fallback_language


def render_survey(config: Config, survey: Survey, language: str, *, name: str | None, links: list[tuple[int, str]],
                  unsubscribe: str) -> dict:
    """{"subject", "text", "html"}; `links` are (score, url) for the whole scale (empty for a review request)."""
    context = {"name": display_name(name), "brand": survey.brand, "kind": survey.kind, "review_url": survey.review_url,
               "review_site": survey.review_site, "unsubscribe_url": unsubscribe,
               "scale": [{"score": score, "url": url} for score, url in links]}
    return render_mail(templates_dir(config), language, PARTS, context)


def render_follow_up(config: Config, survey: Survey, language: str, *, name: str | None, comment: str | None) -> dict:
    """{"subject", "text"} of the follow-up e-mail an agent edits and approves."""
    context = {"name": display_name(name), "brand": survey.brand, "comment": " ".join((comment or "").split())}
    return render_mail(templates_dir(config), language, FOLLOW_UP_PARTS, context)


class SurveyComposer:
    """compose(session, row) for the outbox: a queued survey's e-mail with its answer links (signed per send)."""

    def __init__(self, config: Config):
        self.config, self.secret = config, secret_key()  # read once per run, not once per message

    def __call__(self, session: Session, row: OutboxMessage) -> dict:
        payload = row.payload
        survey = self.config.surveys.definitions[payload["survey"]]
        low, high = SCALES.get(survey.kind, (1, 0))
        links = [(score, answer_url(self.config, answer_token(row.contact_id, row.id, score, self.secret)))
                 for score in range(low, high + 1)]
        unsubscribe = unsubscribe_url(self.config, row.contact_id, row.consent_kind or "survey", self.secret)
        parts = render_survey(self.config, survey, payload["language"], name=payload.get("to_name"), links=links,
                              unsubscribe=unsubscribe)
        return {"to": payload["to"], "to_name": payload.get("to_name"), "unsubscribe_url": unsubscribe, **parts}
