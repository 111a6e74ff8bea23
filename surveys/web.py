"""The answer pages under /public/survey (no login: the signed token in the path is the proof):

- GET /public/survey/<token>: records the score at once and shows the thank-you page in the person's language, with
  an optional comment box (works without JavaScript); a bad or expired link records nothing and says so;
- HEAD on the same path: answered empty and never recorded (mail scanners probe links with HEAD);
- POST /public/survey/<token>/comment: the comment. CSRF: double-submit — the page sets a random cookie and puts
  the same value in the form; a post from another site cannot read the cookie, so it cannot match it.
"""
from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from contacts.tokens import TokenError

from .answers import COMMENT_LIMIT, add_comment, record_click

CSRF_COOKIE = "careloop_survey_csrf"
TEXTS = {
    "en": {"title": "Thank you", "thanks": "Thank you, your answer ({score}) is recorded. You can change it by clicking another score in the e-mail.",
           "comment": "Anything you would like to add? (optional)", "send": "Send", "saved": "Thank you, we have your comment.",
           "burst": "Several answers arrived at once, so none was recorded. Please click your answer again in a minute.",
           "invalid": "This link cannot be used"},
    "cs": {"title": "Děkujeme", "thanks": "Děkujeme, vaše odpověď ({score}) je uložena. Změnit ji můžete kliknutím na jiné hodnocení v e-mailu.",
           "comment": "Chcete něco dodat? (nepovinné)", "send": "Odeslat", "saved": "Děkujeme, váš komentář máme.",
           "burst": "Přišlo několik odpovědí najednou, proto žádná nebyla uložena. Klikněte prosím na svou odpověď znovu za minutu.",
           "invalid": "Tento odkaz nelze použít"},
    "sk": {"title": "Ďakujeme", "thanks": "Ďakujeme, vaša odpoveď ({score}) je uložená. Zmeniť ju môžete kliknutím na iné hodnotenie v e-maile.",
           "comment": "Chcete niečo dodať? (nepovinné)", "send": "Odoslať", "saved": "Ďakujeme, váš komentár máme.",
           "burst": "Prišlo niekoľko odpovedí naraz, preto žiadna nebola uložená. Kliknite prosím na svoju odpoveď znova o minútu.",
           "invalid": "Tento odkaz nie je možné použiť"},
    "ru": {"title": "Спасибо", "thanks": "Спасибо, ваш ответ ({score}) сохранён. Изменить его можно, нажав другую оценку в письме.",
           "comment": "Хотите что-нибудь добавить? (необязательно)", "send": "Отправить", "saved": "Спасибо, ваш комментарий получен.",
           "burst": "Несколько ответов пришли одновременно, поэтому ни один не сохранён. Пожалуйста, нажмите свой ответ ещё раз через минуту.",
           "invalid": "Эту ссылку нельзя использовать"},
}


def _texts(language: str | None, request: Request | None = None) -> dict:
    wanted = language or ((request.headers.get("accept-language") or "en")[:2].lower() if request else "en")
    return TEXTS.get(wanted, TEXTS["en"])


def survey_router(sessions, config) -> APIRouter:
    """`sessions`: a sessionmaker; `config`: careloop.yaml (surveys.*), None when the server was started without one."""
    from inbox.web import templates  # the inbox's page layout and styles

    router = APIRouter()

    def page(request: Request, language: str, status_code: int = 200, **context) -> HTMLResponse:
        return templates.TemplateResponse(request, "survey.html", {"user": None, "flashes": [], "language": language,
                                                                   "limit": COMMENT_LIMIT, **context}, status_code=status_code)

    def refused(request: Request, error: Exception) -> HTMLResponse:
        texts = _texts(None, request)
        return page(request, "en", 400, title=texts["invalid"], message=str(error))

    def unconfigured(request: Request) -> HTMLResponse:
        return page(request, "en", 503, title="Surveys are not set up here",
                    message="This server was started without careloop.yaml (set CARELOOP_CONFIG): answers cannot be recorded.")

    @router.api_route("/survey/{token}", methods=["GET", "HEAD"])
    async def answer(request: Request, token: str):
        if request.method == "HEAD":  # link checkers: nothing recorded, nothing rendered
            return Response(status_code=200, media_type="text/html")
        if config is None:
            return unconfigured(request)
        with sessions() as session:
            try:
                click = record_click(session, config, token)
            except TokenError as error:
                return refused(request, error)
            score = click.answer.score if click.answer is not None else None
            session.commit()
        texts = _texts(click.language)
        if click.outcome == "burst":
            return page(request, click.language, title=texts["title"], message=texts["burst"])
        csrf = secrets.token_urlsafe(24)
        response = page(request, click.language, title=texts["title"], message=texts["thanks"].format(score=score),
                        question=texts["comment"], button=texts["send"], action=f"{request.url.path}/comment", csrf=csrf)
        response.set_cookie(CSRF_COOKIE, csrf, max_age=3600, httponly=True, samesite="strict",
                            path=request.url.path, secure=request.url.scheme == "https")
        return response

    @router.post("/survey/{token}/comment")
    async def comment(request: Request, token: str, text: str = Form("", max_length=20_000), csrf: str = Form("")):
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, csrf):
            return page(request, "en", 403, title="Refused", message="The form expired or came from another site: "
                        "open the link in the e-mail again to leave a comment.")
        if config is None:
            return unconfigured(request)
        with sessions() as session:
            try:
                answer = add_comment(session, config, token, text)
            except (TokenError, ValueError) as error:
                return refused(request, error)
            language = answer.language
            session.commit()
        texts = _texts(language)
        return page(request, language, title=texts["title"], message=texts["saved"])

    return router
