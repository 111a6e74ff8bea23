"""Seeded fuzzing of the ingest path with hostile documents (feed, App Store JSON, Heureka XML, Reddit replay):
NULs, C0 controls, lone surrogates, bidi and zero-width characters, decomposed accents, markup and template syntax,
10 MB fields, over-long ids, deep nesting, random bytes, truncated documents, billion-laughs XML.

For every document: the run never crashes (a document that is no document at all fails as a ConnectorError with
its run row closed); every clean item of a parseable document is stored; every item not stored is in
rejected_items with a reason; nothing stored carries a control character or a surrogate, and all of it is NFC.
CARELOOP_FUZZ_CASES (default 12 per backend, under a minute for both) and CARELOOP_FUZZ_SEED make longer runs."""
from __future__ import annotations

import json
import os
import random
import re
import unicodedata
from html import escape

import pytest
from sqlalchemy import select

from connectors import ConnectorError
from connectors.reddit_replay import ReplayServer
from ingest.pipeline import ingest_source
from store.db import session_scope
from store.models import Mention, RejectedItem, Run

SEED = int(os.environ.get("CARELOOP_FUZZ_SEED", "20261128"))
CASES = int(os.environ.get("CARELOOP_FUZZ_CASES", "12"))
BIG = 10 * 2**20
HOSTILE_PIECES = ["\x00", "\x01\x02\x1b[31m", "\ud800", "\udfff", "\u202emoc.elpmaxe\u202c", "\u200b\u200d\ufeff",
                  "cafe\u0301", "<script>alert(1)</script>", "{{ 7*7 }}{% raw %}", "\r\n", "\x7f", "😀", "\U0010fffd"]
BAD_STORED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
SEARCH = {"q": "Nokia", "sort": "new", "t": "all", "syntax": "lucene", "restrict_sr": "False", "limit": 100}
CLIENT = ("fuzz-id", "fuzz-secret")


def hostile(rng: random.Random, big: bool = False) -> str:
    text = "Nokia " + "".join(rng.choice(HOSTILE_PIECES) + rng.choice(["x", " ", "é", ""]) for _ in range(rng.randint(1, 12)))
    return text + "y" * BIG if big else text


def xml_text(value: str) -> str:
    """Escaped for XML; characters XML cannot carry written as character references (parsers then differ)."""
    return "".join(char if char in "\t\n" or 0x20 <= ord(char) < 0xd800 or 0xe000 <= ord(char) < 0xfffe or ord(char) > 0xffff
                   else f"&#{ord(char)};" for char in escape(value, quote=False))


def xml_legal(value: str) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", value)


def items(rng: random.Random, kind: str) -> tuple[list[tuple[str, str, bool]], bool]:
    """[(external id, text, clean?)], and whether the document as a whole is hostile (may not parse at all)."""
    clean = [(f"{kind}-clean-{n}", f"Nokia clean review number {n} from the fuzz seed", True) for n in range(rng.randint(1, 4))]
    bad = [(f"{kind}-bad-{n}", hostile(rng, big=(n == 0 and rng.random() < 0.3 and kind != "feed")), False)
           for n in range(rng.randint(1, 4))]
    if kind in ("appstore", "heureka") and rng.random() < 0.4:
        bad.append(("9" * 600 if kind == "heureka" else "z" * 600, "Nokia id far too long", False))
    mixed = clean + bad
    rng.shuffle(mixed)
    return mixed, False


def document(rng: random.Random, kind: str, entries) -> bytes:
    if kind == "feed":
        body = "".join(f"<entry><id>{xml_text(i)}</id><title>{xml_text(t[:80])}</title><updated>2026-11-20T10:00:00Z</updated>"
                       f"<content type='text'>{xml_text(t)}</content><author><name>{xml_text(t[:40])}</name></author></entry>"
                       for i, t, _ in entries)
        nested = "<div>" * 3000 + "Nokia deep" + "</div>" * 3000
        body += f"<entry><id>deep</id><content type='html'>{escape(nested)}</content></entry>" if rng.random() < 0.5 else ""
        return f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>f</title>{body}</feed>".encode("utf-8", "surrogatepass")
    if kind == "appstore":
        deep: object = "Nokia"
        for _ in range(300):
            deep = [deep]
        entry = [{"id": {"label": i}, "title": {"label": t[:80]}, "content": {"label": t}, "im:rating": {"label": "2"},
                  "author": {"name": {"label": t[:40]}, "uri": {"label": "javascript:alert(1)"}},
                  "updated": {"label": "2026-11-20T10:00:00-07:00"}, "im:version": {"label": deep}} for i, t, _ in entries]
        return json.dumps({"feed": {"entry": entry}}).encode()
    if kind == "heureka":
        body = "".join(f"<review><rating_id>{xml_legal(i)}</rating_id><unix_timestamp>1763632800</unix_timestamp>"
                       f"<total_rating>3</total_rating><name>{escape(xml_legal(t[:40]))}</name>"
                       f"<summary><![CDATA[{xml_legal(t).replace(']]>', '')}]]></summary></review>" for i, t, _ in entries)
        return f"<?xml version='1.0' encoding='UTF-8'?><reviews>{body}</reviews>".encode()
    raise AssertionError(kind)


def whole_document_attack(rng: random.Random, kind: str, good: bytes) -> bytes:
    attack = rng.choice(["random", "truncated", "laughs"])
    if attack == "random":
        return rng.randbytes(rng.randint(1, 5000))
    if attack == "truncated":
        return good[: rng.randint(0, len(good))]
    laughs = "<!DOCTYPE lolz [<!ENTITY lol 'lol'>" + "".join(
        f"<!ENTITY lol{n} '{('&lol' + (str(n - 1) if n > 1 else '') + ';') * 10}'>" for n in range(1, 10)) + "]>"
    root = "feed xmlns='http://www.w3.org/2005/Atom'" if kind == "feed" else "reviews"
    return f"<?xml version='1.0'?>{laughs}<{root}><entry><id>x</id><title>&lol9;</title></entry></{root.split()[0]}>".encode()


def reddit_listing(entries) -> dict:
    children = [{"kind": "t3", "data": {"id": i, "name": f"t3_{i}", "title": t[:300], "selftext": t, "author": t[:20],
                                        "created_utc": 1_900_000_000 - n, "subreddit": "nokia", "num_comments": 0,
                                        "is_self": True, "permalink": f"/r/nokia/comments/{i}/x/"}}
                for n, (i, t, _) in enumerate(entries)]
    return {"kind": "Listing", "data": {"children": children, "after": None, "before": None}}


def run_case(engine, make_config, tmp_path, rng: random.Random, case: int, reddit: ReplayServer) -> None:
    kind = rng.choice(["feed", "appstore", "heureka", "reddit"])
    entries, _ = items(rng, kind)
    name = f"fuzz-{case}-{kind}"
    whole = kind != "reddit" and rng.random() < 0.25
    if kind == "reddit":
        entries = [(re.sub(r"\W", "", i), t, clean) for i, t, clean in entries]
        # one search term per case: the replay answers each distinct query from its own recording
        reddit.add("GET", "/r/all/search/", {**SEARCH, "q": f"Nokia OR fuzzcase{case}"}, body=reddit_listing(entries))
        source = {"name": name, "type": "reddit", "options": {"oauth_url": reddit.url, "reddit_url": reddit.url,
                                                                  "since": "all", "thread_comments": False}}
    else:
        content = document(rng, kind, entries)
        if whole:
            content = whole_document_attack(rng, kind, content)
        path = tmp_path / f"{name}.doc"
        path.write_bytes(content)
        source = {"name": name, "type": kind, "path": str(path), "brand": "Nokia"}
    config = make_config({"brands": [{"name": "Nokia", "keywords": ["Nokia", f"fuzzcase{case}"]}], "sources": [source]})
    try:
        summary = ingest_source(engine, config, config.sources[0])
    except ConnectorError:
        summary = None
        assert whole, f"case {case} ({kind}): a document with parseable structure failed as a whole"
    with session_scope(engine) as session:
        stored = {m.external_id: m for m in session.scalars(select(Mention).join(Mention.source).where(Mention.source.has(name=name)))}
        rejected = {r.external_id: r.reason for r in session.scalars(select(RejectedItem).where(RejectedItem.source_name == name))}
        run = session.scalars(select(Run).where(Run.source_name == name)).one()
    assert run.status in ("ok", "warning", "failed") and run.finished_at is not None, (case, kind, run.status)
    assert all(reason.strip() for reason in rejected.values()), rejected
    for mention in stored.values():
        for value in (mention.external_id, mention.title or "", mention.text, mention.author or ""):
            assert not BAD_STORED.search(value) and unicodedata.is_normalized("NFC", value), (case, kind, value[:80])
    if whole or summary is None:
        return
    wanted = {("t3_" if kind == "reddit" else "") + i for i, _, clean in entries if clean}
    assert wanted <= stored.keys(), (case, kind, wanted - stored.keys())
    hostile_ids = {("t3_" if kind == "reddit" else "") + i for i, _, clean in entries if not clean}
    for external_id in hostile_ids:
        kept = external_id in stored or external_id[:500] in rejected
        assert kept, (case, kind, external_id[:40], summary.problems)


@pytest.fixture
def reddit(monkeypatch):
    for variable, value in (("REDDIT_CLIENT_ID", CLIENT[0]), ("REDDIT_CLIENT_SECRET", CLIENT[1]), ("REDDIT_USER_AGENT", "careloop-fuzz")):
        monkeypatch.setenv(variable, value)
    server = ReplayServer(client=CLIENT)
    server.start()
    yield server
    server.stop()


def test_hostile_documents_never_stop_ingest(engine, make_config, tmp_path, reddit):
    rng = random.Random(f"{SEED}-{engine.dialect.name}")
    for case in range(CASES):
        run_case(engine, make_config, tmp_path, rng, case, reddit)
