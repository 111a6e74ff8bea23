"""Known issues and their notice campaigns, for managers (and admins): list and open issues, see how many mentions
and contacts they reach, move them through their statuses, preview a campaign per language, send a test to one's
own address, approve. Work that reads every contact (reach, previews) runs in the thread pool (plain `def`)."""
from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.web import RowId, committed, database, flash, render, require
from reports import emerging
from store.issues import IssueError, issue_by_key
from store.models import ISSUE_STATUSES, IssueEvent, Mention, NoticeCampaign, PossibleIssue, User

from . import campaigns
from .issues import (change_status, issues, keywords_text, open_known_issue, parse_keywords, reach,
                     update_known_issue)

router = APIRouter()
Manager = Depends(require("manage issues"))
Campaigner = Depends(require("approve campaigns"))
NOTE_LANGUAGES = ("en", "cs", "sk", "ru")
EXAMPLES = 3  # mentions shown per possible issue


async def _notes(request: Request) -> dict[str, str]:
    form = await request.form()
    return {language: str(form.get(f"note_{language}") or "") for language in NOTE_LANGUAGES}


def _back(key: str) -> str:
    return f"/issues/{quote(key)}"


@router.get("/issues")
def issue_list(request: Request, user: User = Manager, session: Session = Depends(database)):
    try:  # careloop.yaml's issues are brought up to date on the way (in the thread pool: no retry loop needed)
        rows = issues(session, request.app.state.config)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return render(request, "issues.html", user, issues=rows, statuses=ISSUE_STATUSES, languages=NOTE_LANGUAGES,
                  brands=[brand.name for brand in request.app.state.config.brands], possible=_possible(session))


def _possible(session: Session) -> list[dict]:
    """Possible issues awaiting a decision, each with its most central mentions as examples."""
    waiting = emerging.proposed(session)
    shown = [mention_id for row in waiting for mention_id in row.mention_ids[:EXAMPLES]]
    mentions = {m.id: m for m in session.scalars(select(Mention).where(Mention.id.in_(shown)))} if shown else {}
    return [{"row": row, "examples": [mentions[i] for i in row.mention_ids[:EXAMPLES] if i in mentions]} for row in waiting]


@router.post("/issues/possible/{possible_id}/{decision}")
async def possible_decide(request: Request, possible_id: RowId, decision: str, user: User = Manager,
                          session: Session = Depends(database)):
    """Accept (a known issue, investigating, with the burst's words as keywords) or dismiss a possible issue."""
    possible = session.get(PossibleIssue, possible_id) if decision in ("accept", "dismiss") else None
    if possible is None:
        raise HTTPException(404)
    try:
        if decision == "dismiss":
            await committed(session, lambda: emerging.dismiss(session, possible, user.name))
            flash(request, "Possible issue dismissed.")
            return RedirectResponse("/issues", status_code=303)
        issue = await committed(session, lambda: emerging.accept(session, possible, user.name))
    except IssueError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse("/issues", status_code=303)
    flash(request, f"Issue {issue.key} opened from the possible issue: check its title and keywords, then its notice.")
    return RedirectResponse(_back(issue.key), status_code=303)


@router.post("/issues")
async def issue_open(request: Request, title: str = Form(""), brand: str = Form(""), products: str = Form(""),
                     keywords: str = Form(""), audience: str = Form(""), link: str = Form(""),
                     status: str = Form("investigating"), user: User = Manager, session: Session = Depends(database)):
    notes = await _notes(request)
    try:
        issue = await committed(session, lambda: open_known_issue(
            session, request.app.state.config, title=title, actor=user.name, keywords=parse_keywords(keywords),
            notes=notes, status=status, brand=brand or None, products=[p.strip() for p in products.split(",") if p.strip()],
            audience=audience, link=link.strip() or None))
    except IssueError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse("/issues", status_code=303)
    flash(request, f"Issue {issue.key} opened: its notice awaits approval below.")
    return RedirectResponse(_back(issue.key), status_code=303)


@router.get("/issues/{key}")
def issue_page(request: Request, key: str, user: User = Manager, session: Session = Depends(database)):
    config = request.app.state.config
    try:
        issue = issue_by_key(session, key)
    except IssueError as exc:
        raise HTTPException(404, str(exc)) from None
    rows = session.scalars(select(NoticeCampaign).where(NoticeCampaign.issue_id == issue.id).order_by(NoticeCampaign.id.desc())).all()
    shown = [(campaign, campaigns.preview(session, config, campaign) if campaign.status == "awaiting_approval" else None,
              campaigns.delivery(session, campaign)) for campaign in rows]
    events = session.scalars(select(IssueEvent).where(IssueEvent.issue_id == issue.id).order_by(IssueEvent.at, IssueEvent.id)).all()
    return render(request, "issue.html", user, issue=issue, reach=reach(session, config, issue), campaigns=shown,
                  events=events, statuses=ISSUE_STATUSES, languages=NOTE_LANGUAGES, keywords=keywords_text(issue.keywords),
                  brands=[brand.name for brand in config.brands])


async def _act(request: Request, session: Session, key: str, done: str, act) -> RedirectResponse:
    try:
        result = await committed(session, act)
    except IssueError as exc:
        flash(request, str(exc), "error")
    else:
        flash(request, done.format(result=result))
    return RedirectResponse(_back(key), status_code=303)


@router.post("/issues/{key}/edit")
async def issue_edit(request: Request, key: str, title: str = Form(""), brand: str = Form(""), products: str = Form(""),
                     keywords: str = Form(""), audience: str = Form(""), link: str = Form(""), user: User = Manager,
                     session: Session = Depends(database)):
    return await _act(request, session, key, f"Issue {key} updated.", lambda: update_known_issue(
        session, request.app.state.config, key, user.name, title=title.strip(), brand=brand or None,
        products=[p.strip() for p in products.split(",") if p.strip()], keywords=parse_keywords(keywords),
        audience=audience, link=link.strip() or None))


@router.post("/issues/{key}/status")
async def issue_status(request: Request, key: str, status: str = Form(""), user: User = Manager,
                       session: Session = Depends(database)):
    notes = await _notes(request)
    return await _act(request, session, key, f"Issue {key} is now {status}; its notice awaits approval.",
                lambda: change_status(session, request.app.state.config, key, status, user.name, notes))


@router.post("/issues/{key}/campaigns/{campaign_id}/approve")
async def campaign_approve(request: Request, key: str, campaign_id: RowId, user: User = Campaigner,
                           session: Session = Depends(database)):
    return await _act(request, session, key, "Notice approved: {result[queued]} queued for sending.",
                lambda: {"queued": 0, **campaigns.approve(session, request.app.state.config, campaign_id, user.name)})


@router.post("/issues/{key}/campaigns/{campaign_id}/test")
async def campaign_test(request: Request, key: str, campaign_id: RowId, language: str = Form("en"), user: User = Campaigner,
                        session: Session = Depends(database)):
    return await _act(request, session, key, "Test notice queued to {result}.",
                lambda: campaigns.send_test(session, request.app.state.config, campaign_id, user, language))


@router.post("/issues/{key}/campaigns/{campaign_id}/dismiss")
async def campaign_dismiss(request: Request, key: str, campaign_id: RowId, reason: str = Form(""), user: User = Campaigner,
                           session: Session = Depends(database)):
    return await _act(request, session, key, "Notice dismissed: nothing will be sent.",
                lambda: campaigns.dismiss(session, campaign_id, user.name, reason))
