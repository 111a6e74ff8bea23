"""Notices at scale: a campaign to 100,000 contacts on SQLite, delivered to an SMTP sink on loopback.

Prints: contacts import time, time to build the audience and queue it (approve: audience rule over every contact,
the contact policy, one outbox row each), delivery rate with the rate limit off — `--workers` delivery processes
side by side, as that many Prefect workers would run the notices deployment —, and peak RSS. Targets: audience
build < 5 s, >= 500 e-mails/s, RSS < 500 MB. The sink runs in its own process so it does not share a GIL.

    .venv/bin/python bench/notices.py [--contacts 100000] [--workers 2]
"""
from __future__ import annotations

import sys
from pathlib import Path

# This script is named like the `notices` package; keep its own folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import io
import os
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
        started = time.process_time()
        stop.wait()
        counted.put((sink.count, time.process_time() - started))


def deliver_worker(url: str, config_data: dict, directory: str, results) -> None:
    """One more delivery process: what a second Prefect worker running the notices deployment does."""
    config = parse_config(config_data, Path(directory) / "careloop.yaml")
    started = time.process_time()
    counts = send_notices(connect(url), config)
    results.put((counts["sent"], time.process_time() - started))


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
    parser.add_argument("--workers", type=int, default=2, help="delivery processes side by side")
    args = parser.parse_args()
    ready, counted, stop = multiprocessing.Queue(), multiprocessing.Queue(), multiprocessing.Event()
    sink = multiprocessing.Process(target=run_sink, args=(ready, stop, counted), daemon=True)
    sink.start()
    port = ready.get(timeout=60)
    with tempfile.TemporaryDirectory() as directory:
        config_data = {
            "database": f"sqlite:///{Path(directory) / 'bench.db'}", "brands": [{"name": "Nokia", "keywords": ["Nokia"]}],
            "public_url": "https://care.example.com",
            "email": {"host": "127.0.0.1", "port": port, "security": "none", "from": "Nokia Care <care@example.com>"},
        }
        config = parse_config(config_data, Path(directory) / "careloop.yaml")
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
        started, cpu = time.perf_counter(), time.process_time()
        with session_scope(engine) as session:
            queued = approve(session, config, campaign_id, "bench")
        built, built_cpu = time.perf_counter() - started, time.process_time() - cpu

        results = multiprocessing.Queue()
        others = [multiprocessing.Process(target=deliver_worker, args=(config.database_url(), config_data, directory, results))
                  for _ in range(args.workers - 1)]
        started, cpu = time.perf_counter(), time.process_time()
        for other in others:
            other.start()
        counts = send_notices(engine, config)
        delivered_cpu = time.process_time() - cpu
        for other in others:
            sent_there, cpu_there = results.get(timeout=3600)
            counts["sent"] += sent_there
            delivered_cpu += cpu_there
            other.join(60)
        delivered = time.perf_counter() - started
        stop.set()
        received, sink_cpu = counted.get(timeout=60)
        sink.join(10)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sent = counts["sent"]
    # On a machine shared with other work, wall time says little: CPU time per message says what a core can do.
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} when done")
    print(f"contacts imported: {args.contacts:,} in {imported:.1f} s")
    print(f"audience built and queued: {queued.get('queued', 0):,} queued, "
          f"{sum(v for k, v in queued.items() if k != 'queued'):,} skipped in {built:.2f} s, {built_cpu:.2f} s CPU (target < 5 s)")
    print(f"delivered by {args.workers} worker process(es): {sent:,} sent ({received:,} received by the sink) in {delivered:.1f} s = "
          f"{sent / delivered:,.0f} e-mails/s (target >= 500); CPU per e-mail: careloop {delivered_cpu / sent * 1000:.2f} ms, "
          f"sink {sink_cpu / sent * 1000:.2f} ms: {os.cpu_count()} idle cores allow about "
          f"{os.cpu_count() * sent / (delivered_cpu + sink_cpu):,.0f}/s")
    print(f"peak RSS: {peak_mb:.0f} MB (target < 500 MB)")


if __name__ == "__main__":
    main()
