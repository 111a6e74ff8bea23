"""Claiming and presence: opening a mention's page claims its undecided item for store.mention_claims.CLAIM_MINUTES,
renewed by the page every minute (static/claims.js) while it stays open; a second agent sees "Jana is on it" there
and in the queue, and decides only after "Take over" (recorded in the audit log). Routing: the queue opens on the
agent's own languages and brands."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.mention_claims import Holder, claim, holders, take_over
from store.models import Draft, User

from .queries import visible_mention
from .security import local_path
from .web import RowId, committed, database, flash, require

router = APIRouter()
UNDECIDED = ("pending", "escalated", "failed")  # what an agent opens to decide on: worth claiming


def mine_by_default(user: User) -> dict[str, str]:
    """The queue's filters an agent starts from: their languages and brands (several comma-separated)."""
    return {name: ",".join(values) for name, values in (("language", user.languages or []), ("brand", user.brands or []))
            if values}


async def claim_on_open(session: Session, user: User, mention_id: int) -> Holder | None:
    """Claim the mention for `user` if its reply is undecided; who else holds it, if someone does (404 when `user`
    may not see it)."""
    visible_mention(session, user, mention_id)
    status = session.scalar(select(Draft.status).where(Draft.mention_id == mention_id, Draft.kind == "reply"))
    if status not in UNDECIDED:
        return None
    return await committed(session, lambda: claim(session, mention_id, user))


def claimed_rows(session: Session, rows: list) -> dict[int, str]:
    """{mention id: who is on it} for a queue page's rows."""
    return holders(session, [row.mention_id for row in rows if row.mention_id])


@router.post("/mentions/{mention_id}/claim")
async def renew(mention_id: RowId, user: User = Depends(require("view queue")), session: Session = Depends(database)):
    """The open page's ping: renews the claim, or says who holds it now (JSON for claims.js)."""
    holder = await claim_on_open(session, user, mention_id)
    return JSONResponse({"mine": holder is None, "holder": holder.shown_name if holder else None})


@router.post("/mentions/{mention_id}/take-over")
async def take(request: Request, mention_id: RowId, holder: str = Form(""), next: str = Form("/"),
               user: User = Depends(require("take over a claimed item")),
               session: Session = Depends(database)):
    visible_mention(session, user, mention_id)
    if await committed(session, lambda: take_over(session, mention_id, user, holder)):
        flash(request, f"You took mention #{mention_id} over: it is yours now.")
    else:
        flash(request, "Someone else took it meanwhile: see who is on it now.", "error")
    return RedirectResponse(f"/mentions/{mention_id}?{urlencode({'next': local_path(next)})}", status_code=303)
