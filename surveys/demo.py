"""The surveys part of `careloop demo`: the CSAT, NPS and CES demo campaigns to the bundled contacts through the one
contact policy, delivered to a loopback SMTP sink; then people answer — a seeded share of the one-click links in the
delivered e-mails is followed over HTTP against the real public app on loopback, some with a comment in their
language — and the KPIs are computed from what was stored. Running it again sends nothing new: each campaign's demo
round is queued once, and only e-mails delivered in this run are answered."""
from __future__ import annotations

import random
import re
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import httpx
from sqlalchemy import Engine, func, select

from careloop.config import Config
from publishing.sink import SmtpSink
from store.db import session_scope
from store.models import Draft

from .campaigns import plan_campaign
from .comments import score_comment_stage
from .delivery import deliver_surveys

CAMPAIGNS = ("csat-demo", "nps-demo", "ces-demo")
ROUND = "demo"
ANSWERING = 0.6  # share of recipients who click
COMMENTING = 0.35  # share of those who also write a comment
SCORES = {"csat": [1, 2, 3, 4, 4, 5, 5, 5], "ces": [1, 2, 2, 3, 3, 4, 5, 6, 7], "nps": [0, 2, 4, 5, 6, 7, 8, 8, 9, 9, 10, 10, 10]}
COMMENTS = {  # (unhappy, happy)
    "en": ("I waited a week for an answer and the app still crashes.", "Quick and friendly help, thank you!"),
    "cs": ("Na odpověď jsem čekala týden a aplikace pořád padá.", "Rychlá a vstřícná pomoc, děkuji!"),
    "sk": ("Na odpoveď som čakal týždeň a aplikácia stále padá.", "Rýchla a ochotná pomoc, ďakujem!"),
    "ru": ("Ждал ответа неделю, а приложение всё ещё вылетает.", "Быстро и вежливо помогли, спасибо!"),
}
_LINK = re.compile(r'<a class="score" href="([^"]+)"[^>]*>(\d+)</a>')


@dataclass
class DemoSurveys:
    planned: dict[str, dict[str, int]] = field(default_factory=dict)  # campaign → queued / skipped_* counts
    delivered: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    commented: int = 0
    follow_ups: int = 0


def run_demo_surveys(engine: Engine, config: Config) -> DemoSurveys:
    result = DemoSurveys()
    with serve_public(engine, config) as url, SmtpSink() as sink:
        routed = sink.route(config).model_copy(update={"public_url": url})
        with session_scope(engine) as session:
            for name in CAMPAIGNS:
                result.planned[name] = plan_campaign(session, routed, config.surveys.campaign(name), manual_round=ROUND,
                                                     queue=True).counts()
        result.delivered = deliver_surveys(engine, routed)
        with httpx.Client(timeout=30) as client:
            for message in sink.messages():
                answered, commented = _answer(client, message)
                result.answered += answered
                result.commented += commented
    score_comment_stage(engine, config)
    with session_scope(engine) as session:
        result.follow_ups = session.scalar(select(func.count()).select_from(Draft).where(Draft.kind == "survey_follow_up"))
    return result


def _answer(client: httpx.Client, message) -> tuple[int, int]:
    """Maybe click one score of this e-mail (and comment); (answered, commented) as 0/1. Seeded per message."""
    html = message.get_body(("html",)).get_content()
    links = [(int(score), url) for url, score in _LINK.findall(html)]
    rng = random.Random(message["Message-ID"])
    if not links or rng.random() > ANSWERING:
        return 0, 0
    kind = {5: "csat", 7: "ces", 11: "nps"}[len(links)]
    score = rng.choice(SCORES[kind])
    page = client.get(dict(links)[score].replace("&amp;", "&"))
    if page.status_code != 200 or 'name="csrf"' not in page.text or rng.random() > COMMENTING:
        return int(page.status_code == 200), 0
    language = re.search(r'<html lang="(\w+)"', html).group(1)
    happy = score <= 3 if kind == "ces" else score >= {"csat": 4, "nps": 9}[kind]
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    saved = client.post(str(page.url) + "/comment", data={"text": COMMENTS.get(language, COMMENTS["en"])[happy], "csrf": csrf})
    return 1, int(saved.status_code == 200)


@contextmanager
def serve_public(engine: Engine, config: Config) -> Iterator[str]:
    """careloop's public pages (/public) under uvicorn on a loopback port, in a thread; yields the base URL."""
    import uvicorn

    from inbox.app import create_public_only_app

    from .web import survey_router

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    app = create_public_only_app(engine, config, [survey_router])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the public pages did not start on loopback")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()
