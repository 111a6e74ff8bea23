"""The public routes, under /public: the only pages a customer (or a mail provider) reaches, without login.
Mounted into the inbox, or served alone by `careloop serve --public-only` for teams that expose them apart.

- GET /public/unsubscribe/<token>: a page with one button (a GET never unsubscribes: mail scanners follow links);
- POST /public/unsubscribe/<token>: unsubscribes from that message kind; also RFC 8058 one-click
  (List-Unsubscribe-Post: List-Unsubscribe=One-Click), which mail clients send without a page;
- the public routes later stages declare (careloop/stage.py `public_routes`), wired in by the roof, e.g.
  GET|HEAD /public/survey/<token>, POST /public/survey/<token>/comment: one-click survey answers (surveys/web.py);
- POST /public/hooks/bounce: a bounce or complaint reported later by the mail provider, JSON
  {"email": …, "reason": "bounced" | "complained"}, signed with X-Careloop-Signature (careloop/signing.py) using
  the secret in CARELOOP_BOUNCE_SECRET; the address joins the suppression list.
No CSRF token here: the signed token (or the signature) is the proof, and nothing else is changed.
"""
from __future__ import annotations

import json
import os
from typing import Callable, Sequence

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from careloop.config import Config
from careloop.signing import HEADER, verify
from contacts.tokens import TokenError, read_token, unsubscribe
from store.outreach import suppress

from .web import templates

BOUNCE_SECRET = "CARELOOP_BOUNCE_SECRET"
TEXTS = {
    "en": ("Unsubscribe", "Stop {kind} messages to this address?", "Unsubscribe", "You are unsubscribed from {kind} messages."),
    "cs": ("Odhlášení", "Už nechcete dostávat zprávy typu {kind}?", "Odhlásit", "Odhlášení ze zpráv typu {kind} proběhlo."),
    "sk": ("Odhlásenie", "Už nechcete dostávať správy typu {kind}?", "Odhlásiť", "Odhlásenie zo správ typu {kind} prebehlo."),
    "ru": ("Отписка", "Больше не получать сообщения типа {kind}?", "Отписаться", "Вы отписаны от сообщений типа {kind}."),
}


def _page(request: Request, status_code: int = 200, **context):
    return templates.TemplateResponse(request, "public.html", {"user": None, "flashes": [], **context}, status_code=status_code)


PublicRoutes = Callable[[sessionmaker, Config | None], APIRouter]


def create_public_app(engine: Engine, config: Config | None = None, routes: Sequence[PublicRoutes] = ()) -> FastAPI:
    """`routes`: later stages' public routes (e.g. surveys' one-click answers), each made from the sessions."""
    app = FastAPI(title="careloop public", docs_url=None, redoc_url=None, openapi_url=None)
    sessions = sessionmaker(engine, expire_on_commit=False)
    for make_router in routes:
        app.include_router(make_router(sessions, config))

    def texts(request: Request) -> tuple[str, ...]:
        wanted = (request.headers.get("accept-language") or "en")[:2].lower()
        return TEXTS.get(wanted, TEXTS["en"])

    @app.api_route("/unsubscribe/{token}", methods=["GET", "POST"])
    async def unsubscribe_link(request: Request, token: str):
        """GET: the page with its button; POST (the button, or a mail client's one-click): unsubscribed."""
        title, question, button, done = texts(request)
        try:
            contact_id, kind = read_token(token)
        except TokenError as exc:
            return _page(request, 400, title=title, message=str(exc))
        if request.method == "GET":
            return _page(request, title=title, question=question.format(kind=kind), button=button, action=request.url.path)
        with sessions() as session:
            unsubscribe(session, contact_id, kind)
            session.commit()
        return _page(request, title=title, message=done.format(kind=kind))

    @app.post("/hooks/bounce")
    async def bounce(request: Request):
        secret = os.environ.get(BOUNCE_SECRET)
        if not secret:
            return JSONResponse({"error": f"bounce reports are off: set {BOUNCE_SECRET}"}, status_code=503)
        body = await request.body()
        if not verify(secret, request.headers.get(HEADER), body):
            return JSONResponse({"error": f"missing, wrong or stale {HEADER}"}, status_code=401)
        try:
            report = json.loads(body)
            email, reason = str(report["email"]), str(report.get("reason") or "bounced")
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'expected JSON {"email": …, "reason": "bounced" | "complained"}'}, status_code=400)
        if reason not in ("bounced", "complained") or "@" not in email:
            return JSONResponse({"error": "reason must be bounced or complained, email an address"}, status_code=400)
        with sessions() as session:
            added = suppress(session, email, reason, detail=str(report.get("detail") or "")[:500] or None)
            session.commit()
        return JSONResponse({"suppressed": True, "new": added})

    return app
