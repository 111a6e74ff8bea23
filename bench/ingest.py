"""Ingest throughput: 10,000 feed entries from local files into SQLite (parse + match + dedup + insert),
then a second run with no change, then a run where every file changed but its items did not.

    .venv/bin/python bench/ingest.py [--entries 10000] [--feeds 20]
"""
from __future__ import annotations

import sys
from pathlib import Path

# This script is named like the `ingest` package; keep its own folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import random
import tempfile
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

import careloop.stages  # noqa: F401  (configuration learns the source types, as under the CLI)
from careloop.config import parse_config
from ingest.pipeline import ingest_all
from store.db import connect

SENTENCES = [
    "Nokia G42 battery lasts three days, very happy with it.",
    "Po aktualizaci se mi Nokia restartuje při nabíjení, co s tím?",
    "Reklamácia mojej nokie trvá už tretí týždeň.",
    "Купил Нокиа вчера, пока всё отлично работает.",
    "Slack search misses messages older than a month for our team.",
    "Our standup bot posts to Slack every morning, love it.",
    "Weather today: sunny with light wind in the afternoon.",
    "Nokian Tyres launched a new winter tyre range.",
    "Recenze: nový telefon od konkurence má lepší fotoaparát.",
    "Die neue Nokia Kamera ist erstaunlich gut bei Nacht.",
]


def write_feeds(directory: Path, entries: int, feeds: int) -> None:
    rng = random.Random(7)
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    per_feed = entries // feeds
    for feed in range(feeds):
        items = []
        for index in range(per_feed):
            text = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3)))
            number = feed * per_feed + index
            published = format_datetime(start + timedelta(minutes=number))
            items.append(
                f"<item><guid>https://news{feed}.example/item/{number}</guid>"
                f"<link>https://news{feed}.example/item/{number}?utm_source=rss</link>"
                f"<title>Item {number}</title><pubDate>{published}</pubDate>"
                f"<description>{escape(f'<p>{text} #{number}</p>')}</description></item>"
            )
        (directory / f"feed{feed}.rss").write_text(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title>{"".join(items)}</channel></rss>',
            encoding="utf-8",
        )


def timed(engine, config) -> tuple[float, int, int]:
    started = time.perf_counter()
    summaries = ingest_all(engine, config)
    return time.perf_counter() - started, sum(s.fetched for s in summaries), sum(s.stored for s in summaries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_feeds(directory, args.entries, args.feeds)
        config = parse_config({
            "database": f"sqlite:///{directory / 'bench.db'}",
            "brands": [
                {"name": "Nokia", "keywords": ["Nokia"], "aliases": ["Nokie", "Нокиа"], "exclude": ["Nokian"]},
                {"name": "Slack", "keywords": ["Slack"]},
            ],
            "sources": [{"name": f"feed{n}", "type": "feed", "path": str(directory / f"feed{n}.rss")} for n in range(args.feeds)],
        }, directory / "careloop.yaml")
        engine = connect(config.database_url())
        first, fetched, stored = timed(engine, config)
        second, _, stored_again = timed(engine, config)
        for path in directory.glob("feed*.rss"):  # new validators, same items: the known-item path
            path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        third, refetched, stored_third = timed(engine, config)
    print(f"entries parsed                     {fetched}")
    print(f"mentions stored (brand matched)    {stored}")
    print(f"first run                          {first:.2f} s  ({fetched / first:,.0f} entries/s, {stored / first:,.0f} mentions/s)")
    print(f"second run, nothing changed        {second:.3f} s  ({100 * second / first:.1f}% of first; {stored_again} stored)")
    print(f"files changed, same items          {third:.2f} s  ({100 * third / first:.1f}% of first; {refetched} parsed, {stored_third} stored)")


if __name__ == "__main__":
    main()
