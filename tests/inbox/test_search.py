"""The search page over HTTP on SQLite and PostgreSQL: words with or without diacritics, the queue's filters and
rows, hostile text shown as text, paging, and who may search."""
from __future__ import annotations

import html
import re
from urllib.parse import quote

from sqlalchemy import select

from store.db import session_scope
from store.models import Draft, User
from store.search import MAX_WORDS

from .conftest import add_draft, add_mention

ROW = re.compile(r'<tr class="row" data-href="([^"]+)" data-draft="(\d+)"')


def drafts_shown(page: str) -> list[int]:
    return [int(draft) for _, draft in ROW.findall(page)]


def test_czech_typed_without_diacritics_finds_the_mention_with_its_draft(served, client_for):
    _, seeded = served
    agent = client_for("alice")
    page = agent.get("/search", params={"q": "porad nepomaha"})  # "Telefon se pořád restartuje, nic nepomáhá."
    assert page.status_code == 200
    assert drafts_shown(page.text) == [seeded.drafts["restart"]]
    href = html.unescape(ROW.search(page.text).group(1))
    assert href == f"/mentions/{seeded.mentions['restart']}?next=" + quote("/search?q=porad+nepomaha", safe="")
    mention = agent.get(href)
    assert 'href="/search?q=porad+nepomaha"' in mention.text  # "back" returns to the results
    assert drafts_shown(agent.get("/search", params={"q": "НЕПОМАХА обновление"}).text) == []
    assert drafts_shown(agent.get("/search", params={"q": "обновление G42"}).text) == [seeded.drafts["russian"]]
    assert drafts_shown(agent.get("/search", params={"q": "nabit"}).text) == [seeded.drafts["slovak"]]  # "nabiť"


def test_reply_text_is_searched_and_the_queue_filters_narrow_it(served, client_for):
    _, seeded = served
    agent = client_for("alice")
    everything = drafts_shown(agent.get("/search", params={"q": "dear customer"}).text)
    mentions_newest_first = [seeded.drafts[key] for key in ("slovak", "russian", "hostile", "praise", "restart")]
    assert everything == mentions_newest_first  # any status unless one is chosen
    assert drafts_shown(agent.get("/search", params={"q": "dear customer", "brand": "Jolla"}).text) == [seeded.drafts["slovak"]]
    assert drafts_shown(agent.get("/search", params={"q": "customer", "language": "ru"}).text) == [seeded.drafts["russian"]]
    approved = agent.get("/search", params={"q": "hodnoceni", "status": "approved"})  # "Děkujeme za skvělé hodnocení!"
    assert drafts_shown(approved.text) == [seeded.drafts["manual"]]
    pending = agent.get("/search", params={"q": "hodnoceni", "status": "pending"})
    assert drafts_shown(pending.text) == [] and "Nothing found for “hodnoceni” with these filters." in pending.text
    assert '<option value="pending" selected>' in pending.text  # the filters stay as chosen


def test_search_text_is_hostile_and_shown_as_text(served, client_for):
    agent = client_for("alice")
    for typed in ['"', "*", "NEAR(", "OR", "a OR b", '"unbalanced', "NEAR(telefon restartuje", "body:telefon",
                  "<script>alert(1)</script>", "{{ 7*7 }}", "'; DROP TABLE mentions; --"]:
        page = agent.get("/search", params={"q": typed})
        assert page.status_code == 200, typed
        assert "<script>alert(1)</script>" not in page.text
    shown = agent.get("/search", params={"q": "<script>alert(1)</script>"})
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in shown.text
    assert 'value="{{ 7*7 }}"' in agent.get("/search", params={"q": "{{ 7*7 }}"}).text  # text, not a template
    assert drafts_shown(agent.get("/search", params={"q": "script alert"}).text) != []  # the hostile mention's words
    too_many = agent.get("/search", params={"q": " ".join(["slovo"] * (MAX_WORDS + 1))})
    assert too_many.status_code == 400
    assert f"search for at most {MAX_WORDS} words: &#39;slovo slovo" in too_many.text
    assert "Type a word or more" in agent.get("/search").text


def test_results_are_paged_without_counting_them(served, client_for, engine):
    server, _ = served
    with session_scope(engine) as session:
        for number in range(55):
            mention = add_mention(session, f"page{number}", f"Stránkování číslo {number}", source="news", source_type="feed")
            add_draft(session, mention, "Díky!")
    agent = client_for("alice")
    first = agent.get("/search", params={"q": "strankovani", "source_type": "feed"})
    assert len(drafts_shown(first.text)) == 50 and 'rel="next"' in first.text and 'rel="prev"' not in first.text
    assert "Stránkování číslo 54" in first.text and "Stránkování číslo 4<" not in first.text  # newest first
    link = html.unescape(re.search(r'href="([^"]+)" rel="next"', first.text).group(1))
    assert "q=strankovani" in link and "source_type=feed" in link and "page=2" in link
    second = agent.get(link)
    assert len(drafts_shown(second.text)) == 5 and 'rel="next"' not in second.text
    assert "Stránkování číslo 0<" in second.text


def test_only_agents_and_admins_search(served, client_for):
    assert client_for("mark").get("/search", params={"q": "telefon"}).status_code == 403
    assert client_for().get("/search", params={"q": "telefon"}, follow_redirects=False).status_code == 303
    root = client_for("root").get("/search", params={"q": "telefon"})
    assert root.status_code == 200 and 'class="search-box"' in root.text
    assert 'class="search-box"' in client_for("alice").get("/").text  # the box in the navigation


def test_a_user_restricted_to_a_brand_finds_only_that_brand(served, client_for, engine):
    _, seeded = served
    with session_scope(engine) as session:
        alice = session.scalar(select(User).where(User.name == "alice"))
        alice.brands, alice.brands_only = ["Jolla"], True
    page = client_for("alice").get("/search", params={"q": "dear customer"})
    assert drafts_shown(page.text) == [seeded.drafts["slovak"]]
    assert '<option value="Nokia"' not in page.text  # nor offered in the brand menu


def test_ticked_search_results_take_a_bulk_action_on_the_pending_ones(engine, served, client_for):
    """Search results tick like queue rows: the bulk form acts on the drafts still pending (results are of any
    status), and the confirmation names the ones it skips."""
    agent = client_for("alice")
    with session_scope(engine) as session:  # two press articles: one answered already, one waiting
        done = add_draft(session, add_mention(session, "press-done", "Nokia press release, answered", source="news",
                                              source_type="feed"), "Thanks, press team.", status="approved").id
        waiting = add_draft(session, add_mention(session, "press-new", "Nokia press release about the G42",
                                                 source="news", source_type="feed"), "Dear press team").id
    page = agent.get("/search", params={"q": "press release"})
    assert sorted(drafts_shown(page.text)) == [done, waiting]
    assert 'id="bulk"' in page.text and 'name="status" value="pending"' in page.text
    form = {"draft": drafts_shown(page.text), "decision": "no_reply", "reason": "press", "status": "pending",
            "next": "/search?q=press+release", "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)}
    confirm = agent.post("/drafts/bulk", data=form)
    assert confirm.status_code == 200 and f"1 will be skipped: #{done} already decided" in confirm.text
    applied = agent.post("/drafts/bulk", data={**form, "confirm": "1"})
    assert applied.status_code == 303 and applied.headers["location"] == "/search?q=press+release"
    with session_scope(engine) as session:
        assert dict(session.execute(select(Draft.id, Draft.status).where(Draft.id.in_([done, waiting]))).all()) == {
            done: "approved", waiting: "no_reply_needed"}
