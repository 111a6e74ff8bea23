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
from typing import Sequence

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from urllib.parse import urlencode

from careloop.config import Config
from store.db import make_engine

from . import actions, auth, bulk, claims, flow, notes, pages, profiles, saved_replies, search, understanding
from .public import PublicRoutes, create_public_app
from .security import SecurityHeaders, add_server_error_page, check_csrf, secret_key
from .sessions import SESSION_HOURS
from .web import BUSY_TIMEOUT_MS, LOCK_PATIENCE, TEMPLATES_DIR, LoginRequired, render


def create_app(engine: Engine, config: Config | None = None, *, session_secret: str | None = None,
               routers: Sequence[APIRouter] = (), public_routes: Sequence[PublicRoutes] = ()) -> FastAPI:
    """The inbox's own pages and /public, plus the pages (`routers`) and public routes later stages declare; the
    roof passes those in (careloop/webapp.py), so the inbox imports no stage above it."""
    app = FastAPI(title="careloop inbox", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(check_csrf)])
    app.state.engine, app.state.config = engine, config
    app.state.sessions = sessionmaker(_short_waits(engine), expire_on_commit=False)
    secure = os.environ.get("CARELOOP_SECURE_COOKIES") == "1"  # served over HTTPS behind a proxy: HSTS too
    # Starlette's session cookie is HttpOnly; signed (not encrypted), so it holds only tokens (inbox/sessions.py).
    app.add_middleware(SessionMiddleware, secret_key=session_secret or secret_key(), session_cookie="careloop_session",
                       max_age=SESSION_HOURS * 3600, same_site="lax",
                       https_only=secure)
    app.add_middleware(SecurityHeaders, hsts=secure)
    _serve_static(app)
    for module in (auth, pages, actions, flow, bulk, saved_replies, understanding, claims, notes, profiles, search):
        app.include_router(module.router)
    for router in routers:  # later stages' pages, passed in by the roof (careloop/webapp.py)
        app.include_router(router)
    app.mount("/public", create_public_app(engine, config, public_routes))  # no login, no CSRF: see inbox/public.py

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        return RedirectResponse(f"/login?{urlencode({'next': exc.back_to})}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException):
        return render(request, "error.html", None, status_code=exc.status_code, message=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()):  # /mentions/99999999999999999999
            return render(request, "error.html", None, status_code=404, message="There is nothing at this address.")
        return render(request, "error.html", None, status_code=400, message="The request was incomplete or malformed.")

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError):
        # locked past LOCK_PATIENCE (see web.committed) or PostgreSQL out of reach: temporary, nothing was
        # half-written. Any other SQLite OperationalError (a missing table) is a server error like any other.
        if engine.dialect.name == "sqlite" and "locked" not in str(exc.orig):
            raise exc
        response = render(request, "error.html", None, status_code=503,
                          message="The database is busy or out of reach: nothing was changed. Try again in a few seconds.")
        response.headers["retry-after"] = str(int(LOCK_PATIENCE))
        return response

    add_server_error_page(app, hsts=secure)

    return app


def _serve_static(app: FastAPI) -> None:
    """/static, and /favicon.ico for what asks there without reading the page's <link rel=icon> (browsers on a
    page that failed to load, feed readers): it was a 404 on every first load."""
    app.mount("/static", StaticFiles(directory=TEMPLATES_DIR / "static"), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon():
        return RedirectResponse("/static/favicon.svg", status_code=301)


def _short_waits(engine: Engine) -> Engine:
    """The inbox's own engine on a SQLite file: a BUSY_TIMEOUT_MS busy timeout instead of the commands' 10 s, so a
    locked write blocks the event loop briefly and retries (web.committed) instead of freezing the worker."""
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return engine
    return make_engine(engine.url.render_as_string(hide_password=False), busy_timeout_ms=BUSY_TIMEOUT_MS)


def create_public_only_app(engine: Engine, config: Config | None = None,
                           public_routes: Sequence[PublicRoutes] = ()) -> FastAPI:
    """Only /public (unsubscribe, bounce reports, and later stages' public routes): `careloop serve --public-only`."""
    app = FastAPI(title="careloop public", docs_url=None, redoc_url=None, openapi_url=None)
    secure = os.environ.get("CARELOOP_SECURE_COOKIES") == "1"
    app.add_middleware(SecurityHeaders, hsts=secure)
    add_server_error_page(app, hsts=secure)
    _serve_static(app)
    app.mount("/public", create_public_app(engine, config, public_routes))
    return app
