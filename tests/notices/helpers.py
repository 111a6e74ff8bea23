"""Contacts and a known issue for notice tests, built through the real import and the real registry."""
from __future__ import annotations

import io

from contacts.importer import import_contacts
from notices.issues import open_known_issue
from tests.conftest import email_settings
from tests.drafting.helpers import demo_config

CONTACTS = """email,name,language,platform,app_version,plan,consent_service,reddit
jana@example.com,Jana Nováková,cs,android,4.1.9,pro,yes,jana_k
ivan@example.com,Иван Петров,ru,android,4.1,free,yes,
peter@example.com,Peter Horváth,sk,android,4.0,free,no,
anna@example.com,Anna Smith,en,android,3.9,pro,yes,
max@example.com,Max Müller,de,android,4.1.2,pro,yes,
new@example.com,Newer Version,en,android,4.10,pro,yes,
ios@example.com,Ios User,en,ios,4.0,pro,yes,
"""
AUDIENCE = 'platform == "android" and app_version < "4.2"'
NOTES = {"en": "Logging in fails on Android app versions before 4.2. We are working on it.",
         "cs": "Přihlášení selhává v aplikaci pro Android starší než 4.2. Pracujeme na tom.",
         "sk": "Prihlásenie zlyháva v aplikácii pre Android staršej ako 4.2. Pracujeme na tom.",
         "ru": "Вход не работает в приложении для Android до версии 4.2. Мы работаем над этим."}


def notice_config(make_config, sink, **overrides):
    return demo_config(make_config, public_url="https://care.example.com", email=email_settings(sink),
                       outbox={"retry_seconds": 0}, **overrides)


def import_csv(session, text: str = CONTACTS):
    return import_contacts(session, io.StringIO(text), "contacts.csv")


def open_login_issue(session, config, **fields):
    return open_known_issue(session, config, title="Nokia Care app login fails on Android", actor="maria",
                            keywords={"*": ["login", "log in", "přihlá", "prihlá", "вход"]}, notes=NOTES, brand="Nokia",
                            products=["Nokia Care app"], audience=AUDIENCE, link="https://www.hmd.com/en_int/support",
                            **fields)
