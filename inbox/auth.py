"""Log in and out. The login form carries a CSRF token like every other form (checked app-wide)."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from .security import local_path
from .sessions import end_session, open_session
from .throttle import client_address, record_outcome, retry_after, wait_before_attempt
from .users import authenticate
from .web import database, render

router = APIRouter()
HOME = {"marketing": "/reports", "manager": "/issues"}  # where each role lands; the queue for everyone else


@router.get("/login")
async def login_page(request: Request, next: str = "/"):
    return render(request, "login.html", None, next=local_path(next))


@router.post("/login")
def login(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/"),
          session: Session = Depends(database)):
    client = client_address(request)
    wait = wait_before_attempt(session, name, client)
    if wait > 0:
        response = render(request, "login.html", None, status_code=429, next=local_path(next), name=name,
                          error=f"Too many failed logins: try again in {retry_after(wait)} seconds.")
        response.headers["retry-after"] = retry_after(wait)
        return response
    user = authenticate(session, name, password)
    record_outcome(session, name, client, succeeded=user is not None)
    if user is None:
        return render(request, "login.html", None, status_code=401, next=local_path(next), name=name,
                      error="Wrong user name or password.")
    # A fresh session and CSRF token on login: nothing set before signing in carries over.
    token = open_session(session, user)
    session.commit()
    request.session.clear()
    request.session.update(sid=token, csrf=secrets.token_urlsafe(32))
    home = HOME.get(user.role, "/")
    return RedirectResponse(local_path(next, home) if next != "/" else home, status_code=303)


@router.post("/logout")
async def logout(request: Request, session: Session = Depends(database)):
    end_session(session, request.session.get("sid"))  # the cookie, replayed later, opens nothing
    session.commit()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
