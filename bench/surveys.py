"""Surveys at scale on SQLite: a survey campaign to N contacts queued and delivered to an SMTP sink on loopback, then
the one-click answer endpoint under an open-loop load, then the highest rate it sustains.

Prints: time to plan and queue the campaign (audience, contact policy, one outbox row each), delivery rate (every
e-mail renders the whole NPS scale as 11 signed links) with CPU per e-mail, peak RSS; for the answer endpoint
(`careloop serve --public-only`'s app under uvicorn, one process): requests are sent on a fixed schedule whatever the
answers do (open loop, so a slow server cannot slow the load down), latency from each request's scheduled time,
median and p95 (targets at 200/s: median < 50 ms, p95 < 200 ms), whether every answer was stored exactly once;
then steps of rising rate until p95 passes 500 ms. Sink and server run in their own processes.

    .venv/bin/python bench/surveys.py [--contacts 100000] [--rate 200] [--seconds 60] [--step-seconds 10]
"""
from __future__ import annotations

import sys
from pathlib import Path

# This script is named like the `surveys` package; keep its own folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import io
import multiprocessing
import os
import random
import resource
import socket
import statistics
import tempfile
import time

from sqlalchemy import func, select

from careloop.config import parse_config
from contacts.importer import import_contacts
from store.db import connect, session_scope
from store.models import OutboxMessage, SurveyAnswer, SurveyAnswerEvent
from surveys.campaigns import plan_campaign
from surveys.delivery import deliver_surveys
from surveys.links import answer_token

LANGUAGES = ("en", "cs", "sk", "ru")
WARM_UP = 100  # answers sent at 50/s before measuring
SURVEYS = {"definitions": {"nps": {"kind": "nps", "brand": "Nokia"}},
           "campaigns": [{"name": "nps-bench", "survey": "nps", "trigger": "manual"}]}


def run_sink(ready, stop, counted) -> None:
    from publishing.sink import SmtpSink

    with SmtpSink(keep=False) as sink:
        ready.put(sink.port)
        started = time.process_time()
        stop.wait()
        counted.put((sink.count, time.process_time() - started))


def run_server(config_data: dict, directory: str, port: int) -> None:
    import uvicorn

    from careloop.webapp import create_public_only_app

    config = parse_config(config_data, Path(directory) / "careloop.yaml")
    app = create_public_only_app(connect(config.database_url()), config)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


def contacts_csv(count: int) -> io.StringIO:
    lines = ["email,name,language,consent_survey"]
    lines += [f"person{index}@example.com,Person {index},{LANGUAGES[index % 4]},yes" for index in range(count)]
    return io.StringIO("\n".join(lines) + "\n")


async def load(port: int, paths: list[str], rate: float) -> tuple[list[float], int]:
    """GET every path at `rate` per second on a fixed schedule, each on its own connection (raw HTTP/1.1: an HTTP
    client library cost more CPU than the server on 2 cores); latency from each one's scheduled time (ms)."""
    latencies, errors = [], 0

    async def one(path: str, due: float) -> None:
        nonlocal errors
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            response = await reader.read()
            writer.close()
            if not response.startswith(b"HTTP/1.1 200"):
                errors += 1
        except OSError:
            errors += 1
        latencies.append((time.perf_counter() - due) * 1000)

    start, tasks = time.perf_counter() + 0.2, []
    for index, path in enumerate(paths):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(path, due)))
    await asyncio.gather(*tasks)
    return latencies, errors


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=200, help="answers per second of the open-loop load")
    parser.add_argument("--seconds", type=float, default=60, help="length of the open-loop load")
    parser.add_argument("--step-seconds", type=float, default=10, help="length of each step when searching the highest rate")
    args = parser.parse_args()
    ready, counted, stop = multiprocessing.Queue(), multiprocessing.Queue(), multiprocessing.Event()
    sink = multiprocessing.Process(target=run_sink, args=(ready, stop, counted), daemon=True)
    sink.start()
    port = ready.get(timeout=60)
    with tempfile.TemporaryDirectory() as directory:
        config_data = {
            "database": f"sqlite:///{Path(directory) / 'bench.db'}", "brands": [{"name": "Nokia", "keywords": ["Nokia"]}],
            "public_url": "https://care.example.com", "surveys": SURVEYS,
            "email": {"host": "127.0.0.1", "port": port, "security": "none", "from": "Nokia Care <care@example.com>"},
        }
        config = parse_config(config_data, Path(directory) / "careloop.yaml")
        engine = connect(config.database_url())
        with session_scope(engine) as session:
            import_contacts(session, contacts_csv(args.contacts))

        started, cpu = time.perf_counter(), time.process_time()
        with session_scope(engine) as session:
            queued = plan_campaign(session, config, config.surveys.campaign("nps-bench"), queue=True).counts()
        planned, planned_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        sent = deliver_surveys(engine, config)["sent"]
        delivered, delivered_cpu = time.perf_counter() - started, time.process_time() - cpu
        stop.set()
        received, sink_cpu = counted.get(timeout=60)
        sink.join(10)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        with engine.connect() as connection:  # the delivery's WAL folded in now, not during the measured load
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with session_scope(engine) as session:
            sends = session.execute(select(OutboxMessage.id, OutboxMessage.contact_id).where(OutboxMessage.status == "sent")
                                    .order_by(OutboxMessage.id)).all()
        rng = random.Random(13)
        rng.shuffle(sends)
        links = [f"/public/survey/{answer_token(contact_id, send_id, rng.randint(0, 10))}" for send_id, contact_id in sends]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            http_port = probe.getsockname()[1]
        server = multiprocessing.Process(target=run_server, args=(config_data, directory, http_port), daemon=True)
        server.start()
        url = f"http://127.0.0.1:{http_port}"
        _wait_for(url)

        warm, links = links[:WARM_UP], links[WARM_UP:]  # first requests compile templates and statements
        asyncio.run(load(http_port, warm, 50))
        count = int(args.rate * args.seconds)
        server_cpu = _cpu_seconds(server.pid)
        latencies, errors = asyncio.run(load(http_port, links[:count], args.rate))
        server_cpu = _cpu_seconds(server.pid) - server_cpu
        with session_scope(engine) as session:
            stored = session.scalar(select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.score.is_not(None))) - WARM_UP
            events = session.scalar(select(func.count()).select_from(SurveyAnswerEvent)) - WARM_UP
        steps, used, rate = [], count, args.rate
        while used < len(links):
            step = links[used:used + int(rate * args.step_seconds)]
            used += len(step)
            step_latencies, step_errors = asyncio.run(load(http_port, step, rate))
            steps.append((rate, statistics.median(step_latencies), p95(step_latencies), step_errors, len(step)))
            if p95(step_latencies) >= 500 or step_errors:
                break
            rate *= 1.5
        server.terminate()
        server.join(10)

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} when done")
    print(f"campaign planned and queued: {queued.get('queued', 0):,} e-mails in {planned:.2f} s ({planned_cpu:.2f} s CPU)")
    print(f"delivered: {sent:,} sent ({received:,} received by the sink) in {delivered:.1f} s = {sent / delivered:,.0f} e-mails/s; "
          f"CPU per e-mail: careloop {delivered_cpu / sent * 1000:.2f} ms, sink {sink_cpu / sent * 1000:.2f} ms")
    print(f"peak RSS: {peak_mb:.0f} MB")
    print(f"answers at {args.rate:g}/s for {args.seconds:g} s (open loop, {count:,} requests): median "
          f"{statistics.median(latencies):.1f} ms, p95 {p95(latencies):.1f} ms (targets < 50 ms, < 200 ms), {errors} errors; "
          f"stored {stored:,} answers and {events:,} audit rows for {count - errors:,} answered requests to distinct sends "
          f"({'each exactly once' if stored == events == count - errors else 'NOT exactly once'}; a failed request stores nothing)")
    print(f"server CPU per answer: {server_cpu / count * 1000:.2f} ms (one idle core: about {count / server_cpu:,.0f} answers/s)")
    for step_rate, median, high, step_errors, size in steps:
        print(f"  step {step_rate:,.0f}/s ({size:,} requests): median {median:.1f} ms, p95 {high:.1f} ms, {step_errors} errors")
    sustained = [step for step in steps if step[2] < 500 and not step[3]]
    print(f"highest rate sustained with p95 < 500 ms: {max(step[0] for step in sustained):,.0f}/s" if sustained else
          "highest rate sustained with p95 < 500 ms: below the first step" if steps else "no step run: too few sends")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): what a busy, shared machine cannot blur."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_for(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.head(url + "/public/survey/x", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the answer endpoint did not start at {url}")


if __name__ == "__main__":
    main()
