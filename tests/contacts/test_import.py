"""Contacts in and out: header mapping, attributes, all-or-nothing import with line numbers, upsert keeping
unsubscriptions, export, erasure, suppression lists and the signed bounce endpoint."""
from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from sqlalchemy import func, select

from careloop.signing import signature
from contacts.importer import ContactImportError, erase_contact, export_contacts, import_contacts, import_suppressions
from contacts.tokens import unsubscribe
from careloop.webapp import create_app
from store.db import session_scope
from store.models import Contact, ContactHandle, Suppression
from store.outreach import email_hash
from tests.inbox.conftest import LiveServer

CSV = """E-mail,Name,Lang,Platform,App Version,Consent_Survey,Reddit,Country
Jana@Example.com ,Jana Nováková,cs-CZ,android,4.1.9,yes,u/Jana_K,CZ
ivan@example.com,Иван,ru,ios,,no,,
"""


def _import(session, text):
    return import_contacts(session, io.StringIO(text), "people.csv")


def test_headers_map_to_fields_unknown_columns_become_attributes(engine):
    with session_scope(engine) as session:
        report = _import(session, CSV)
        jana = session.scalar(select(Contact).where(Contact.email == "jana@example.com"))
        handle = session.scalar(select(ContactHandle))
    assert (report.created, report.updated) == (2, 0)
    assert (jana.name, jana.language, jana.consent_service, jana.consent_survey, jana.consent_marketing) == \
        ("Jana Nováková", "cs", True, True, False)
    assert jana.attributes == {"platform": "android", "app_version": "4.1.9", "country": "CZ"}
    assert (handle.platform, handle.handle, handle.contact_id) == ("reddit", "jana_k", jana.id)


def test_a_bad_row_imports_nothing_and_every_bad_line_is_named(engine):
    bad = CSV + "not-an-address,X,en,,,,,\npetr@example.com,Petr,cs,,,maybe,,\njana@example.com,Again,cs,,,,,\n"
    with session_scope(engine) as session, pytest.raises(ContactImportError) as error:
        _import(session, bad)
    message = str(error.value)
    assert "people.csv: 3 bad row(s), nothing imported" in message
    assert "line 4: 'not-an-address' is not an e-mail address" in message
    assert "line 5: consent_survey: 'maybe' is not true/false" in message
    assert "line 6: jana@example.com is already on line 2" in message
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_reimport_updates_merges_attributes_and_keeps_unsubscriptions(engine):
    with session_scope(engine) as session:
        _import(session, CSV)
        jana = session.scalar(select(Contact).where(Contact.email == "jana@example.com"))
        unsubscribe(session, jana.id, "service")
    with session_scope(engine) as session:
        report = _import(session, "email,app_version,plan,consent_service\njana@example.com,4.2,pro,yes\n")
        jana = session.scalar(select(Contact).where(Contact.email == "jana@example.com"))
        assert (report.created, report.updated) == (0, 1)
        assert jana.attributes == {"platform": "android", "app_version": "4.2", "country": "CZ", "plan": "pro"}
        assert jana.unsubscribed_service_at is not None and jana.consent_service is True
        out = io.StringIO()
        assert export_contacts(session, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["email"] == "jana@example.com" and rows[0]["reddit"] == "jana_k" and rows[0]["plan"] == "pro"
    assert rows[0]["unsubscribed_service_at"] and rows[1]["consent_survey"] == "false"


def test_erase_removes_the_person_and_a_reimport_does_not_bring_them_back(engine):
    with session_scope(engine) as session:
        _import(session, CSV)
    with session_scope(engine) as session:
        assert erase_contact(session, "JANA@example.com")["contact"] is True
    with session_scope(engine) as session:
        report = _import(session, CSV)
        assert report.skipped_erased == [2] and report.updated == 1
        assert session.scalar(select(Contact.id).where(Contact.email == "jana@example.com")) is None
        assert session.scalar(select(func.count()).select_from(ContactHandle)) == 0
        assert session.get(Suppression, email_hash("jana@example.com")).reason == "erased"
        assert "jana" not in " ".join(str(value) for value in session.execute(select(Suppression)).one())


def test_suppression_list_import_and_signed_bounce_reports(engine, monkeypatch):
    with session_scope(engine) as session:
        assert import_suppressions(session, io.StringIO("email,reason\nold@example.com,bounced\nspam@example.com,complained\n")) == 2
        with pytest.raises(ContactImportError, match="line 2: reason 'erased'"):
            import_suppressions(session, io.StringIO("email,reason\nx@example.com,erased\n"))
    monkeypatch.setenv("CARELOOP_BOUNCE_SECRET", "bounce-secret")
    server = LiveServer(create_app(engine, session_secret="bounce-test-" + "b" * 32))
    body = json.dumps({"email": "Late@Example.com", "reason": "bounced", "detail": "550 mailbox full for 30 days"}).encode()
    try:
        with httpx.Client(base_url=server.url) as provider:
            assert provider.post("/public/hooks/bounce", content=body).status_code == 401
            forged = {"X-Careloop-Signature": signature("wrong secret", body)}
            assert provider.post("/public/hooks/bounce", content=body, headers=forged).status_code == 401
            signed = {"X-Careloop-Signature": signature("bounce-secret", body)}
            answer = provider.post("/public/hooks/bounce", content=body, headers=signed)
            assert answer.status_code == 200 and answer.json() == {"suppressed": True, "new": True}
    finally:
        server.close()
    with session_scope(engine) as session:
        assert session.get(Suppression, email_hash("late@example.com")).reason == "bounced"


def test_public_only_app_serves_unsubscribe_and_no_login_pages(engine):
    from inbox.app import create_public_only_app

    with session_scope(engine) as session:
        _import(session, CSV)
        jana = session.scalar(select(Contact).where(Contact.email == "jana@example.com"))
    from contacts.tokens import unsubscribe_token

    server = LiveServer(create_public_only_app(engine))
    try:
        with httpx.Client(base_url=server.url) as visitor:
            assert visitor.get("/login").status_code == 404 and visitor.get("/").status_code == 404
            path = f"/public/unsubscribe/{unsubscribe_token(jana.id, 'survey')}"
            page = visitor.get(path, headers={"accept-language": "cs-CZ"})
            assert page.status_code == 200 and "Odhlásit" in page.text
            assert "default-src 'none'" in page.headers["content-security-policy"]
            assert visitor.post(path).status_code == 200
    finally:
        server.close()
    with session_scope(engine) as session:
        jana = session.get(Contact, jana.id)
        assert jana.unsubscribed_survey_at is not None and jana.unsubscribed_service_at is None
