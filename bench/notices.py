"""Notices at scale: a campaign to 100,000 contacts on SQLite, delivered to an SMTP sink on loopback.

Prints: contacts import time, time to build the audience and queue it (approve: audience rule over every contact,
the contact policy, one outbox row each), delivery rate with the rate limit off, and peak RSS. Targets: audience
build < 5 s, >= 500 e-mails/s, RSS < 500 MB. The sink runs in its own process so it does not share this one's GIL.

    .venv/bin/python bench/notices.py [--contacts 100000]
"""
from __future__ import annotations

import sys
from pathlib import Path

# This script is named like the `notices` package; keep its own folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import io
import multiprocessing
import random
import resource
import tempfile
import time

from sqlalchemy import select

from careloop.config import parse_config
from contacts.importer import import_contacts
from notices.campaigns import approve
from notices.delivery import send_notices
from notices.issues import open_known_issue
from store.db import connect, session_scope
from store.models import NoticeCampaign

LANGUAGES = ("en", "cs", "sk", "ru")


def run_sink(ready, stop, counted) -> None:
    from publishing.sink import SmtpSink

    with SmtpSink(keep=False) as sink:
        ready.put(sink.port)
        stop.wait()
        counted.put(sink.count)


def contacts_csv(count: int) -> io.StringIO:
    rng = random.Random(12)
    lines = ["email,name,language,platform,app_version,plan"]
    for index in range(count):
        lines.append(f"person{index}@example.com,Person {index},{LANGUAGES[index % 4]},{rng.choice(['android', 'ios'])},"
                     f"{rng.choice(['4.0', '4.1.9', '4.2', '4.10'])},{rng.choice(['free', 'pro'])}")
    return io.StringIO("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    ready, counted, stop = multiprocessing.Queue(), multiprocessing.Queue(), multiprocessing.Event()
    sink = multiprocessing.Process(target=run_sink, args=(ready, stop, counted), daemon=True)
    sink.start()
    port = ready.get(timeout=60)
    with tempfile.TemporaryDirectory() as directory:
        config = parse_config({
            "database": f"sqlite:///{Path(directory) / 'bench.db'}", "brands": [{"name": "Nokia", "keywords": ["Nokia"]}],
            "public_url": "https://care.example.com",
            "email": {"host": "127.0.0.1", "port": port, "security": "none", "from": "Nokia Care <care@example.com>"},
        }, Path(directory) / "careloop.yaml")
        engine = connect(config.database_url())

        started = time.perf_counter()
        with session_scope(engine) as session:
            import_contacts(session, contacts_csv(args.contacts))
        imported = time.perf_counter() - started

        with session_scope(engine) as session:
            open_known_issue(session, config, title="Login fails", actor="bench", keywords={"*": ["login"]},
                             notes={language: f"Login fails ({language})." for language in LANGUAGES},
                             audience='platform in ["android", "ios"]')
            campaign_id = session.scalar(select(NoticeCampaign.id))
        started = time.perf_counter()
        with session_scope(engine) as session:
            queued = approve(session, config, campaign_id, "bench")
        built = time.perf_counter() - started

        started = time.perf_counter()
        counts = send_notices(engine, config)
        delivered = time.perf_counter() - started
        stop.set()
        received = counted.get(timeout=60)
        sink.join(10)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"contacts imported: {args.contacts:,} in {imported:.1f} s")
    print(f"audience built and queued: {queued.get('queued', 0):,} queued, "
          f"{sum(v for k, v in queued.items() if k != 'queued'):,} skipped in {built:.2f} s (target < 5 s)")
    print(f"delivered: {counts['sent']:,} sent ({received:,} received by the sink) in {delivered:.1f} s = "
          f"{counts['sent'] / delivered:,.0f} e-mails/s (target >= 500)")
    print(f"peak RSS: {peak_mb:.0f} MB (target < 500 MB)")


if __name__ == "__main__":
    main()
