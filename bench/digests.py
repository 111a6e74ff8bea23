"""Digests and alerts over a year of mentions, on SQLite and PostgreSQL.

    python bench/digests.py [--mentions 1000000] [--backends sqlite,postgresql] [--keep]

Generates the mentions in bulk (executemany on SQLite, COPY on PostgreSQL): three brands over the 365 days before
today with a daily rhythm, five source types, four languages, sentiment for 99 %, 2 % duplicates, 2 % answered
replies, and 4–8 indexed terms per mention (so the term queries read as much as they would live). Then prints:
- the daily rollup: full rebuild, and a refresh after 1,000 new mentions;
- term indexing: mentions read per second by `index_terms` (the live path; the bulk terms above skip it);
- a weekly digest of one brand: figures (SQL), and with charts and templates — target < 2 s;
- the Digests tab over HTTP (uvicorn on loopback): the page for 7, 90 and 365 days, a chart PNG, a CSV — target
  < 500 ms for the page;
- an alert check (spikes against four weeks, stale sources).
PostgreSQL: CARELOOP_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test); a database is
created for the run and dropped after it unless --keep.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from careloop.config import parse_config  # noqa: E402
from store.db import connect, session_scope  # noqa: E402

BRANDS = {"Nokia": 0.5, "Slack": 0.3, "Jolla": 0.2}
SOURCE_TYPES = {"feed": 0.3, "reddit": 0.3, "appstore": 0.15, "googleplay": 0.15, "heureka": 0.1}
LANGUAGES = {"en": 0.4, "cs": 0.3, "sk": 0.15, "ru": 0.15}
SENTIMENTS = {"negative": 0.3, "neutral": 0.44, "positive": 0.25, None: 0.01}
HOURS = [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 10, 11, 11, 10, 9, 8, 7, 6, 4, 3, 2]  # mentions by hour of day
TERMS_PER_LANGUAGE, PHRASES_PER_LANGUAGE = 400, 150
COLUMNS = ["source_id", "source_type", "external_id", "url", "author", "text", "text_hash", "published_at",
           "fetched_at", "language", "brand", "matched_keywords", "extra", "raw", "duplicate_of_id",
           "sentiment_label", "sentiment_score", "sentiment_source"]
POSTGRES_URL = os.environ.get("CARELOOP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "bench password 1234"


def pick(weights: dict, rng: random.Random, k: int) -> list:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def generate(count: int, end: datetime, rng: random.Random):
    """Rows of mentions (tuples in COLUMNS order, id = position + 1), drafts and term links."""
    start = end - timedelta(days=365)
    brands, types, languages, sentiments = (pick(w, rng, count) for w in (BRANDS, SOURCE_TYPES, LANGUAGES, SENTIMENTS))
    days = [rng.randrange(365) for _ in range(count)]
    hours = rng.choices(range(24), weights=HOURS, k=count)
    sources = {(brand, kind): index + 1 for index, (brand, kind) in enumerate(
        (brand, kind) for brand in BRANDS for kind in SOURCE_TYPES)}
    mentions, drafts = [], []
    for i in range(count):
        moment = start + timedelta(days=days[i], hours=hours[i], seconds=rng.randrange(3600))
        brand, kind, sentiment = brands[i], types[i], sentiments[i]
        extra = {"score": rng.randrange(500), "num_comments": rng.randrange(40)} if kind == "reddit" else \
            {"thumbs_up": rng.randrange(50)} if kind == "googleplay" else {}
        duplicate = rng.randrange(1, i + 1) if i > 10 and rng.random() < 0.02 else None
        score = {"negative": -rng.random(), "neutral": 0.0, "positive": rng.random()}.get(sentiment)
        mentions.append((sources[(brand, kind)], kind, f"m{i}", f"https://example.com/{i}", f"user{rng.randrange(50_000)}",
                         f"{brand} mention {i}: battery, login and update talk", f"h{i}", moment, moment, languages[i],
                         brand, "[]", json.dumps(extra), "{}", duplicate, sentiment, score, "model" if sentiment else None))
        if sentiment == "negative" and rng.random() < 0.07:
            drafts.append((i + 1, moment + timedelta(minutes=rng.randrange(10, 48 * 60))))
    vocabulary = {language: list(range(index * 1000 + 1, index * 1000 + 1 + TERMS_PER_LANGUAGE + PHRASES_PER_LANGUAGE))
                  for index, language in enumerate(LANGUAGES)}
    weights = [1 / (rank + 1) for rank in range(TERMS_PER_LANGUAGE + PHRASES_PER_LANGUAGE)]  # Zipf: a few terms dominate
    links = []
    for i, row in enumerate(mentions):
        if row[14] is None:
            links.extend((i + 1, term) for term in set(rng.choices(vocabulary[row[9]], weights=weights, k=rng.randrange(4, 9))))
    return sources, mentions, drafts, vocabulary, links


def load(engine, sources, mentions, drafts, vocabulary, links) -> None:
    sqlite = engine.dialect.name == "sqlite"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        source_rows = [(i, f"{kind}-{brand}".lower(), kind, "{}") for (brand, kind), i in sources.items()]
        term_rows = [(term, language, f"t{term}", 1 if (term % 1000) <= TERMS_PER_LANGUAGE else 2, f"term{term}")
                     for language, terms in vocabulary.items() for term in terms]
        draft_rows = [(i + 1, mention_id, "sent", "Thanks!", "[]", 0, sent, sent, sent) for i, (mention_id, sent) in enumerate(drafts)]
        tables = [("sources", ["id", "name", "type", "cursor"], source_rows),
                  ("mentions", COLUMNS, mentions),
                  ("terms", ["id", "language", "key", "words", "display"], term_rows),
                  ("mention_terms", ["mention_id", "term_id"], links),
                  ("drafts", ["id", "mention_id", "status", "text", "check_failures", "priority", "created_at",
                              "updated_at", "sent_at"], draft_rows)]
        for table, columns, rows in tables:
            quoted = ", ".join(f'"{column}"' for column in columns)
            if sqlite:
                statement = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(columns))})"
                for start in range(0, len(rows), 50_000):
                    cursor.executemany(statement, [tuple(_sqlite(value) for value in row) for row in rows[start:start + 50_000]])
            else:
                with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        if not sqlite:
            for table in ("sources", "mentions", "terms", "drafts"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cursor.execute("ANALYZE")  # what autovacuum does soon after a bulk load
        raw.commit()
    finally:
        raw.close()


def _sqlite(value):
    """As SQLAlchemy stores it on SQLite: datetimes as UTC text with microseconds."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def timed(function, repeat: int = 5) -> tuple[float, float, object]:
    """(first call, median of the rest) in ms, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times[1:]) if len(times) > 1 else times[0], result


class Server:
    def __init__(self, app):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True).start()
        while not self.server.started:
            time.sleep(0.02)

    def close(self):
        self.server.should_exit = True


def run(backend: str, url: str, count: int, keep: bool) -> None:
    from careloop.webapp import create_app
    from inbox.users import add_user
    from reports.alerts import check_alerts
    from reports.digests import build_digest
    from reports.figures import build_figures
    from reports.periods import ending_on
    from reports.rollup import refresh_rollup
    from reports.terms import extract, index_terms
    from store.models import Mention, ReportMark, utcnow

    config = parse_config({"brands": [{"name": name, "keywords": [name]} for name in BRANDS],
                           "reports": {"timezone": "Europe/Prague"}}, Path("bench.yaml"))
    rng = random.Random(14)
    end = datetime.combine(date.today(), datetime.min.time(), tzinfo=timezone.utc)
    started = time.perf_counter()
    data = generate(count, end, rng)
    generated = time.perf_counter()
    engine = connect(url)
    load(engine, *data)
    loaded = time.perf_counter()
    print(f"\n== {backend}: {count:,} mentions over 365 days, {len(data[4]):,} term links, {len(data[2]):,} replies")
    print(f"generate {generated - started:.1f} s, bulk load {loaded - generated:.1f} s")

    with session_scope(engine) as session:
        session.merge(ReportMark(name="terms.mentions", value=str(count)))  # the bulk terms stand for the index
        session.commit()
        began = time.perf_counter()
        full = refresh_rollup(session, "Europe/Prague")
        print(f"rollup full rebuild: {time.perf_counter() - began:.1f} s ({full.days} local days)")
        fresh = [Mention(source_id=1, source_type="feed", external_id=f"new{i}", text="Nokia přihlášení nefunguje, aplikace "
                         "padá po aktualizaci, battery drain", text_hash=f"n{i}", language="cs", brand="Nokia",
                         published_at=utcnow() - timedelta(minutes=i), sentiment_label="negative") for i in range(1000)]
        session.add_all(fresh)
        session.commit()
        began = time.perf_counter()
        refreshed = refresh_rollup(session, "Europe/Prague")
        print(f"rollup refresh after 1,000 new mentions: {(time.perf_counter() - began) * 1000:.0f} ms ({refreshed.days} days)")
        began = time.perf_counter()
        for language in LANGUAGES:  # simplemma loads a language's dictionary on first use, once per process
            extract("warm up", language)
        loading = time.perf_counter() - began
        began = time.perf_counter()
        indexed = index_terms(session, ["Nokia", "Slack", "Jolla"])
        rate = indexed / (time.perf_counter() - began)
        print(f"term indexing (live path): {indexed:,} mentions at {rate:,.0f} mentions/s "
              f"(after loading the cs/sk/ru/en dictionaries once: {loading:.1f} s)")

        week = ending_on(date.today() - timedelta(days=1), 7, "Europe/Prague")
        first, median, figures = timed(lambda: build_figures(session, config, ["Nokia"], week))
        print(f"weekly digest, one brand ({figures['volume']['current']:,} mentions): figures {first:.0f} ms first, "
              f"{median:.0f} ms median")
        first, median, _ = timed(lambda: build_digest(session, config, "bench", ["Nokia"], week), repeat=3)
        print(f"weekly digest with charts and templates: {first:.0f} ms first, {median:.0f} ms median   (target < 2000 ms)")
        first, median, raised = timed(lambda: check_alerts(session, config), repeat=3)
        print(f"alert check (every brand and source type, 4 weeks back): {first:.0f} ms first, {median:.0f} ms median")
        add_user(session, "bench", "marketing", PASSWORD)
        session.commit()

    server = Server(create_app(engine, config, session_secret="bench-" + "b" * 40))
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
            client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token})
            last = date.today() - timedelta(days=1)
            for days in (7, 90, 365):
                query = {"brand": "Nokia", "from": (last - timedelta(days=days - 1)).isoformat(), "to": last.isoformat()}
                first, median, response = timed(lambda: client.get("/reports/digests", params=query))
                assert response.status_code == 200, response.text[:500]
                note = "   (target < 500 ms)" if days == 7 else ""
                print(f"Digests tab page, Nokia, {days} days: {first:.0f} ms first, {median:.0f} ms median{note}")
            first, median, _ = timed(lambda: client.get("/reports/digests/trend.png", params=query), repeat=3)
            print(f"Digests tab trend chart PNG, 365 days: {first:.0f} ms first, {median:.0f} ms median")
            first, median, _ = timed(lambda: client.get("/reports/digests/sources.csv", params=query), repeat=3)
            print(f"Digests tab CSV, 365 days: {first:.0f} ms first, {median:.0f} ms median")
    finally:
        server.close()
    engine.dispose()
    connect.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    os.environ.setdefault("CARELOOP_SECRET_KEY", "bench-" + "k" * 40)
    print(f"{os.cpu_count()} CPU cores; Python {sys.version.split()[0]}")
    for backend in args.backends.split(","):
        if backend == "sqlite":
            folder = tempfile.mkdtemp(prefix="careloop-bench-")
            run("sqlite", f"sqlite:///{folder}/digests.db", args.mentions, args.keep)
            if not args.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{folder}/digests.db{suffix}").unlink(missing_ok=True)
        else:
            name = f"careloop_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                run("postgresql", make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False),
                    args.mentions, args.keep)
            finally:
                if not args.keep:
                    with admin.connect() as connection:
                        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
