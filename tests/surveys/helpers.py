"""Survey campaigns over the notices tests' contacts, built through the real import, the real outbox and a real
SMTP server on loopback; answer links read back from the delivered e-mails."""
from __future__ import annotations

import re

from sqlalchemy import select

from store.db import session_scope
from store.models import Contact
from surveys.campaigns import plan_campaign
from surveys.delivery import deliver_surveys
from tests.notices.helpers import import_csv, notice_config

SURVEYS = {
    "definitions": {"support-csat": {"kind": "csat", "brand": "Nokia"}, "loyalty-nps": {"kind": "nps", "brand": "Nokia"},
                    "effort": {"kind": "ces", "brand": "Nokia"},
                    "play-review": {"kind": "review", "brand": "Nokia", "review_site": "Google Play",
                                    "review_url": "https://play.google.com/store/apps/details?id=com.example"}},
    "campaigns": [{"name": "csat-now", "survey": "support-csat", "trigger": "manual"},
                  {"name": "nps-now", "survey": "loyalty-nps", "trigger": "manual"},
                  {"name": "ces-now", "survey": "effort", "trigger": "manual"},
                  {"name": "review-now", "survey": "play-review", "trigger": "manual"}],
}
LINK = re.compile(r"https://care\.example\.com(/public/survey/[A-Za-z0-9_.\-]+)")


def survey_config(make_config, sink, surveys: dict | None = None, **overrides):
    return notice_config(make_config, sink, surveys=surveys or SURVEYS, **overrides)


def consent_all(session) -> None:
    """Survey consent as service consent: everyone but Peter."""
    for contact in session.scalars(select(Contact)):
        contact.consent_survey = contact.consent_service
    session.flush()


def send_campaign(engine, config, name: str, *, contacts: str | None = None, sink=None) -> dict:
    """Import (once), consent, queue the manual campaign and deliver it; returns the plan's counts."""
    with session_scope(engine) as session:
        if session.scalar(select(Contact.id).limit(1)) is None:
            import_csv(session, *([contacts] if contacts else []))
            consent_all(session)
        counts = plan_campaign(session, config, config.surveys.campaign(name), queue=True).counts()
    deliver_surveys(engine, config)
    return counts


def answer_links(message) -> dict[int, str]:
    """score → path of each one-click link in a survey e-mail's HTML."""
    html = message.get_body(("html",)).get_content()
    paths = LINK.findall(html)
    scores = [int(score) for score in re.findall(r'class="score"[^>]*>(\d+)</a>', html)]
    assert len(paths) == len(scores), "every score has its own link"
    return dict(zip(scores, paths))


def by_recipient(sink) -> dict:
    return {message["To"].addresses[0].addr_spec: message for message in sink.messages()}
