"""The FastAPI application: middleware (security headers, signed session cookie), CSRF on every unsafe request,
error pages, routes.

Concurrency: the routes are `async def` and do their database work directly on the event loop, so a worker
process runs one request's queries at a time, like a classic sync worker; `careloop serve --workers N` uses the
cores. Queries here are short (indexed, one page), and it avoids what thread-pool routes cost under load:
a pool hop per dependency and threads fighting over the GIL (with 20 agents at once, approve took 196 ms at
the median in the thread pool, ~100 ms on the loop). Work that takes long stays in the thread pool: login
(argon2 hashing), the reports page (counts over every mention) and the corrections export stream."""
from __future__ import annotations

import os

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from urllib.parse import urlencode

from careloop.config import Config

from . import actions, auth, issues, pages, understanding
from .public import create_public_app
from .security import SecurityHeaders, check_csrf, secret_key
from .web import TEMPLATES_DIR, LoginRequired, render

SESSION_HOURS = 12  # one working day; then log in again


def create_app(engine: Engine, config: Config | None = None, *, session_secret: str | None = None) -> FastAPI:
    app = FastAPI(title="careloop inbox", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(check_csrf)])
    app.state.engine, app.state.config, app.state.sessions = engine, config, sessionmaker(engine, expire_on_commit=False)
    # Starlette's session cookie is HttpOnly; signed (not encrypted), so it holds only the user name and tokens.
    app.add_middleware(SessionMiddleware, secret_key=session_secret or secret_key(), session_cookie="careloop_session",
                       max_age=SESSION_HOURS * 3600, same_site="lax",
                       https_only=os.environ.get("CARELOOP_SECURE_COOKIES") == "1")
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=TEMPLATES_DIR / "static"), name="static")
    for module in (auth, pages, actions, issues, understanding):
        app.include_router(module.router)
    app.mount("/public", create_public_app(engine))  # no login, no CSRF: see inbox/public.py
    from reports.web import router as digests  # the reports stage's tab (a stage list will wire stages' routes)

    app.include_router(digests)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        return RedirectResponse(f"/login?{urlencode({'next': exc.back_to})}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException):
        return render(request, "error.html", None, status_code=exc.status_code, message=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        return render(request, "error.html", None, status_code=400, message="The request was incomplete or malformed.")

    return app


def create_public_only_app(engine: Engine) -> FastAPI:
    """Only /public (unsubscribe, bounce reports): `careloop serve --public-only`."""
    app = FastAPI(title="careloop public", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=TEMPLATES_DIR / "static"), name="static")
    app.mount("/public", create_public_app(engine))
    return app


def app_from_environment() -> FastAPI:
    """uvicorn factory (`careloop serve`, several workers): config from CARELOOP_CONFIG, database from
    CARELOOP_DATABASE_URL or the config."""
    from careloop.config import load_config
    from store.db import connect

    config = load_config() if os.environ.get("CARELOOP_CONFIG") else None
    url = config.database_url() if config else os.environ["CARELOOP_DATABASE_URL"]
    if os.environ.get("CARELOOP_PUBLIC_ONLY") == "1":
        return create_public_only_app(connect(url))
    return create_app(connect(url), config)
