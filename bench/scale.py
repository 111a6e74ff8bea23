"""Scale-out benchmark: N workers scoring one PostgreSQL database, idle runs, and the GPU path.

    PYTHONPATH=. .venv/bin/python bench/scale.py                      # CPU: 1 and 2 workers, no-change runs
    PYTHONPATH=. .venv/bin/python bench/scale.py --mentions 4000      # more work per worker count
    python3 bench/scale.py --gpu-only --data DIR                      # on a CUDA machine (see --help)

Prints:
- mentions scored per second by 1 and 2 worker processes sharing one fresh PostgreSQL database (each process
  loads the default model first; the clock starts when all have loaded), and the overlap: mentions scored by
  more than one worker (work claims make it 0);
- a no-change `careloop run` on the demo configuration (a fresh process each, median of 3), and the work of a
  no-change score and draft flow run under Prefect (median of 3 flow runs);
- with a CUDA GPU: end-to-end texts/s of `careloop sentiment eval` on TweetEval in fp32/bf16/fp16, the model alone,
  and each precision's macro-recall on TweetEval, Czech Facebook and RuSentiTweet against the CPU's.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DATA = Path(os.environ.get("CARELOOP_BENCH_DATA", ROOT.parent / "shared" / "data"))
POSTGRES = os.environ.get("CARELOOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
GPU_SETS = {"tweeteval_test": "TweetEval", "cs_facebook_test": "Czech Facebook", "rusentitweet_test": "RuSentiTweet"}


# --- N CPU workers on one PostgreSQL database -------------------------------------------------------------------

def _texts(n: int) -> list[str]:
    from sentiment.data import load_examples

    texts = []
    for name in ("tweeteval_sentiment/test.jsonl", "cs_facebook_habernal2013/test_balanced.jsonl",
                 "ru_rusentitweet/test_balanced.jsonl"):
        texts += [example.text for example in load_examples(DATA / name)]
    return [texts[(i * 7919) % len(texts)] for i in range(n)]  # tweets and posts in en, cs, ru


def _fresh_database(n: int) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import Session

    from store.db import connect
    from store.models import Mention, Source

    name = f"careloop_bench_{uuid.uuid4().hex[:10]}"
    with create_engine(POSTGRES, isolation_level="AUTOCOMMIT").connect() as admin:
        admin.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    with Session(connect(url)) as session:
        session.add(Source(name="bench", type="feed", cursor={}))
        session.flush()
        session.add_all([Mention(source_id=1, source_type="feed", external_id=str(i), text=t, text_hash=str(i))
                         for i, t in enumerate(_texts(n))])
        session.commit()
    return url


def _drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    with create_engine(POSTGRES, isolation_level="AUTOCOMMIT").connect() as admin:
        admin.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


def _worker(url: str, threads: int, ready, results) -> None:
    os.environ["CARELOOP_THREADS"] = str(threads)
    from sqlalchemy.orm import Session

    from sentiment.pipeline import score_unscored
    from sentiment.scorer import load_scorer
    from store.db import connect

    scorer = load_scorer(device="cpu")
    scored = []

    class Counting:  # the scorer, remembering how many texts it was given
        name, version, device = scorer.name, scorer.version, scorer.device

        def score(self, texts):
            scored.append(len(texts))
            return scorer.score(texts)

    engine = connect(url)
    ready.wait()
    started = time.perf_counter()
    with Session(engine) as session:
        score_unscored(session, Counting(), batch_size=256)
    results.put((started, time.perf_counter(), sum(scored)))


def score_with_workers(workers: int, mentions: int) -> dict:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from store.db import connect
    from store.models import SentimentScore

    url = _fresh_database(mentions)
    try:
        context = multiprocessing.get_context("spawn")
        ready, results = context.Barrier(workers), context.Queue()
        cores = len(os.sched_getaffinity(0))
        processes = [context.Process(target=_worker, args=(url, max(1, cores // workers), ready, results))
                     for _ in range(workers)]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=3600) for _ in processes]
        for process in processes:
            process.join()
        with Session(connect(url)) as session:
            stored = session.scalar(select(func.count()).select_from(SentimentScore))
    finally:
        connect.cache_clear()
        _drop_database(url)
    elapsed = max(end for _, end, _ in outcomes) - min(start for start, _, _ in outcomes)
    given = sum(count for _, _, count in outcomes)
    return {"workers": workers, "mentions": mentions, "stored": stored, "seconds": round(elapsed, 2),
            "per_second": round(stored / elapsed, 1), "overlap": given - stored,
            "per_worker": sorted(count for _, _, count in outcomes)}


# --- idle runs -------------------------------------------------------------------------------------------------

def no_change_runs(repeat: int = 3) -> dict:
    careloop = str(Path(sys.executable).parent / "careloop")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CARELOOP_DATABASE_URL": f"sqlite:///{tmp}/demo.db"}
        command = [careloop, "run", "--config", str(ROOT / "examples" / "careloop.yaml")]
        subprocess.run(command, env=env, check=True, capture_output=True)  # the first run stores and scores
        times, cpu = [], []
        for _ in range(repeat):
            started, children = time.perf_counter(), _children_cpu()
            subprocess.run(command, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
            cpu.append(_children_cpu() - children)
        flows = _no_change_flow_runs(f"sqlite:///{tmp}/demo.db", repeat)
    return {"careloop_run_s": [round(t, 2) for t in times], "careloop_run_median_s": round(statistics.median(times), 2),
            "careloop_run_cpu_median_s": round(statistics.median(cpu), 2), **flows}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _no_change_flow_runs(url: str, repeat: int) -> dict:
    """Wall time of score and draft flow runs with nothing to do, through a real (temporary) Prefect API."""
    from prefect.testing.utilities import prefect_test_harness

    from flows.draft_flow import draft_flow
    from flows.score_flow import score_flow

    os.environ["CARELOOP_DATABASE_URL"] = url
    config = str(ROOT / "examples" / "careloop.yaml")
    out = {}
    with prefect_test_harness(server_startup_timeout=120):
        for name, flow in (("score_flow", score_flow), ("draft_flow", draft_flow)):
            flow(config)  # first run in this process: imports
            times, cpu = [], []
            for _ in range(repeat):
                started, process = time.perf_counter(), time.process_time()
                flow(config)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - process)
            out[f"{name}_median_s"] = round(statistics.median(times), 3)
            # this process's CPU: the flow's work and Prefect's client side (the API server is another process)
            out[f"{name}_cpu_median_s"] = round(statistics.median(cpu), 3)
    return out


# --- GPU ---------------------------------------------------------------------------------------------------------

def gpu_report(data: Path, cpu_dir: Path, replicate: int) -> dict:
    """fp32/bf16/fp16 on CUDA against the CPU's labels and macro-recall; throughput end to end and model alone."""
    import torch

    from sentiment.data import load_examples
    from sentiment.evaluate import evaluate, metrics
    from sentiment.scorer import load_scorer

    report = {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "sets": {}, "speed": {}}
    sets = {name: load_examples(data / f"{name}.jsonl") for name in GPU_SETS}
    tweets = [e.text for e in sets["tweeteval_test"]] * replicate
    for precision in ("fp32", "bf16", "fp16"):
        scorer = load_scorer(device="cuda", precision=precision)
        scorer.score(tweets[:4096])  # warm up: CUDA context, kernels, allocator
        for name, examples in sets.items():
            cpu = json.loads((cpu_dir / f"cpu_{name}.json").read_text())
            cpu_labels = (cpu_dir / f"cpu_{name}.labels").read_text().split()
            result = evaluate(scorer, examples)
            same = sum(a == b for a, b in zip(result["labels"], cpu_labels)) / len(cpu_labels)
            report["sets"].setdefault(name, {"cpu_macro_recall": round(cpu["macro_recall"], 4)})[precision] = {
                "macro_recall": round(result["macro_recall"], 4),
                "delta_vs_cpu": round(result["macro_recall"] - cpu["macro_recall"], 4),
                "same_label_as_cpu": round(same, 4),
                "gold_vs_cpu_labels": round(metrics([e.label for e in examples], cpu_labels)["macro_recall"], 4),
            }
        torch.cuda.synchronize()
        started = time.perf_counter()
        scorer.score(tweets)
        torch.cuda.synchronize()
        end_to_end = len(tweets) / (time.perf_counter() - started)
        report["speed"][precision] = {"end_to_end_per_s": round(end_to_end), "model_alone_per_s": round(_model_alone(scorer, tweets))}
    return report


def _model_alone(scorer, texts: list[str]) -> float:
    """Texts/s of the encoder's forward passes over batches already tokenised, padded and on the GPU."""
    import torch

    runner, forward = scorer.encoder.runner, scorer.encoder._forward
    batches = [(ids.cuda(), mask.cuda()) for _, ids, mask in runner._prepared(texts)]
    with torch.inference_mode():
        for ids, mask in batches[:3]:
            forward(ids, mask)
        torch.cuda.synchronize()
        started = time.perf_counter()
        for ids, mask in batches:
            forward(ids, mask)
        torch.cuda.synchronize()
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=2000, help="mentions per worker-count run")
    parser.add_argument("--no-change-only", action="store_true", help="only the no-change runs")
    parser.add_argument("--gpu-only", action="store_true", help="only the CUDA section (a GPU machine without PostgreSQL)")
    parser.add_argument("--data", type=Path, help="folder with tweeteval_test.jsonl, cs_facebook_test.jsonl, "
                                                  "rusentitweet_test.jsonl and the CPU's cpu_<set>.json/.labels")
    parser.add_argument("--replicate", type=int, default=8, help="TweetEval test copies for the throughput run")
    args = parser.parse_args()
    figures: dict = {"machine": f"{os.cpu_count()} CPUs"}
    if not args.gpu_only:
        if not args.no_change_only:
            figures["workers"] = [score_with_workers(n, args.mentions) for n in (1, 2)]
        figures["no_change"] = no_change_runs()
    try:
        import torch

        has_gpu = torch.cuda.is_available()
    except ImportError:
        has_gpu = False
    if has_gpu and args.data:
        figures["gpu"] = gpu_report(args.data, args.data, args.replicate)
    elif args.gpu_only:
        figures["gpu"] = "no CUDA device here, or no --data"
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
