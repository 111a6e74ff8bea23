"""Sentiment benchmark: quality per dataset/language (default model vs VADER), speed, memory.

    PYTHONPATH=. .venv/bin/python bench/sentiment.py                # full test splits (~10 min on 2 cores)
    PYTHONPATH=. .venv/bin/python bench/sentiment.py --limit 200    # quick look
    ... --model cardiffnlp/twitter-xlm-roberta-base-sentiment-multilingual   # any other scorer spec

Prints a Markdown table: accuracy and macro-recall per test set and language for the model and for VADER;
texts/s for (a) one transformers `pipeline()` call per text, (b) careloop's batched path, (c) the batched path
with int8 dynamic quantisation (same texts: tweets, then long reviews, then tweets on one thread); and peak RSS of a fresh process scoring N mentions through
`sentiment.pipeline.score_unscored` on a temporary SQLite store.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DATA = Path(os.environ.get("CARELOOP_BENCH_DATA", ROOT.parent / "shared" / "data"))
SETS = [  # (name, file) — test splits only
    ("TweetEval (full test)", "tweeteval_sentiment/test.jsonl"),
    *[(f"UMSAB {lang}", f"xlmt_umsab_sentiment/test_{lang}.jsonl") for lang in "ar de en es fr hi it pt".split()],
    ("Czech Facebook", "cs_facebook_habernal2013/test_balanced.jsonl"),
    ("ČSFD cs", "csfd_reviews_ib030/test_balanced_cs.jsonl"),
    ("ČSFD sk", "csfd_reviews_ib030/test_balanced_sk.jsonl"),
    ("Alza pros/cons (binary)", "cs_alza_pros_cons/test_balanced.jsonl"),
    ("RuSentiTweet", "ru_rusentitweet/test_balanced.jsonl"),
    ("SentiRuEval-2016 (brand)", "ru_sentirueval2016/test_balanced.jsonl"),
]


def _rss_child(n: int, model: str) -> None:
    """Run in a fresh process: store n mentions, score them through the pipeline, print peak RSS."""
    import resource
    import tempfile

    from sqlalchemy.orm import Session

    from sentiment.data import load_examples
    from sentiment.pipeline import score_unscored
    from sentiment.scorer import load_scorer
    from store.db import connect
    from store.models import Mention, Source

    texts = []
    for _, f in SETS:
        texts += [e.text for e in load_examples(DATA / f)]
    texts = [texts[(i * 7919) % len(texts)] for i in range(n)]  # a mix of tweets, posts and reviews
    with tempfile.TemporaryDirectory() as tmp:
        engine = connect(f"sqlite:///{tmp}/bench.db")
        with Session(engine) as s:
            src = Source(name="bench", type="bench", cursor={})
            s.add(src)
            s.flush()
            s.add_all(Mention(source_id=src.id, source_type="bench", external_id=str(i), text=t, text_hash=str(i))
                      for i, t in enumerate(texts))
            s.commit()
            t0 = time.perf_counter()
            done = score_unscored(s, load_scorer(model))
            dt = time.perf_counter() - t0
    # VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec and would report the parent's peak at fork time
    status = Path("/proc/self/status")
    if status.exists():
        peak_mb = int(status.read_text().split("VmHWM:")[1].split()[0]) / 1024
    else:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mentions": done, "seconds": dt, "peak_rss_mb": peak_mb}))


def quality(scorer, limit: int | None) -> dict:
    from sentiment.data import load_examples
    from sentiment.evaluate import evaluate

    out = {}
    for name, f in SETS:
        ex = load_examples(DATA / f, limit=None)
        if limit:  # keep the class balance: every k-th row
            ex = ex[:: max(1, len(ex) // limit)][:limit]
        out[name] = evaluate(scorer, ex)
    return out


def _texts_per_second(run, texts) -> float:
    started = time.perf_counter()
    run(texts)
    return len(texts) / (time.perf_counter() - started)


def _one_call_per_text(scorer):
    """What a first attempt looks like: a transformers pipeline() call per text."""
    import numpy as np
    from transformers import pipeline

    if hasattr(scorer, "encoder"):  # default: e5 features through a feature-extraction pipeline, then the head
        enc, head = scorer.encoder, scorer.head
        pipe = pipeline("feature-extraction", model=enc.model, tokenizer=enc.tokenizer)

        def one(t):
            h = np.asarray(pipe("query: " + t, truncation=True, max_length=512))[0]
            v = h.mean(0)
            return head.probs((v / np.linalg.norm(v))[None])[0]
    else:
        pipe = pipeline("text-classification", model=scorer.model, tokenizer=scorer.tokenizer, top_k=None)

        def one(t):
            return pipe(t, truncation=True)
    one("warm-up")
    return lambda texts: [one(t) for t in texts]


def speed(model: str, n: int) -> dict:
    """texts/s of the three paths on short texts (TweetEval tweets) and on long ones (ČSFD reviews, ~120 tokens
    on average, up to 512): batching pays off on the first and hardly on the second, so they are reported apart."""
    import torch

    from sentiment.data import load_examples
    from sentiment.scorer import load_scorer

    kinds = {
        "tweets": [e.text for e in load_examples(DATA / "tweeteval_sentiment/test.jsonl")][:: 12284 // n][:n],
        "reviews": [e.text for e in load_examples(DATA / "csfd_reviews_ib030/test_balanced_cs.jsonl")][: n // 4],
    }
    scorer, quantized = load_scorer(model), load_scorer(model, quantize=True)
    one_by_one = _one_call_per_text(scorer)
    res: dict = {}
    for kind, texts in kinds.items():
        scorer.score(texts[:8]), quantized.score(texts[:8])  # warm-up
        r = res[kind] = {"texts": len(texts)}
        r["one_call_per_text"] = _texts_per_second(one_by_one, texts)
        r["batched"] = _texts_per_second(scorer.score, texts)
        r["batched_int8"] = _texts_per_second(quantized.score, texts)
        r["int8_label_agreement"] = sum(a.label == b.label for a, b in
                                        zip(scorer.score(texts), quantized.score(texts))) / len(texts)
    # How the gain grows with cores: one call per text cannot use them, a batch can.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    tweets = kinds["tweets"]
    res["tweets_1_thread"] = {"threads": 1, "one_call_per_text": _texts_per_second(one_by_one, tweets),
                              "batched": _texts_per_second(scorer.score, tweets)}
    torch.set_num_threads(threads)
    res["threads"] = threads
    return res


def print_speed(s: dict) -> None:
    t, r, one = s["tweets"], s["reviews"], s["tweets_1_thread"]
    print(f"\n## Speed ({t['texts']} TweetEval tweets, {r['texts']} ČSFD reviews; {s['threads']} threads on "
          f"{os.cpu_count()} cores)\n")
    print("| path | tweets texts/s | vs (a) | reviews texts/s | vs (a) | tweets, 1 thread | vs (a) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key, label in (("one_call_per_text", "(a) one pipeline() call per text"), ("batched", "(b) batched, length-sorted"),
                       ("batched_int8", "(c) batched + int8 dynamic quantisation")):
        single = f"{one[key]:.1f} | {one[key] / one['one_call_per_text']:.1f}×" if key in one else "– | –"
        print(f"| {label} | {t[key]:.1f} | {t[key] / t['one_call_per_text']:.1f}× | {r[key]:.1f} "
              f"| {r[key] / r['one_call_per_text']:.1f}× | {single} |")
    print(f"\nint8 vs fp32 label agreement: tweets {t['int8_label_agreement']:.3f}, reviews {r['int8_label_agreement']:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="default")
    ap.add_argument("--limit", type=int, default=None, help="rows per test set (default: all)")
    ap.add_argument("--speed-texts", type=int, default=512)
    ap.add_argument("--rss-mentions", type=int, default=10_000)
    ap.add_argument("--skip", nargs="*", default=[], choices=["quality", "vader", "speed", "rss"])
    ap.add_argument("--json", help="also write all figures to this file")
    ap.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child:
        _rss_child(args.rss_child, args.model)
        return
    from sentiment.scorer import load_scorer

    report: dict = {"model": args.model, "limit": args.limit}
    if "quality" not in args.skip:
        scorer = load_scorer(args.model)
        report["model_version"] = f"{scorer.name}@{scorer.version}"
        report["quality"] = quality(scorer, args.limit)
        if "vader" not in args.skip:
            report["vader"] = quality(load_scorer("vader"), args.limit)
        print(f"\n## Quality — {report['model_version']} vs VADER (test splits{', ' + str(args.limit) + ' rows each' if args.limit else ''})\n")
        print("| test set | lang | n | accuracy | macro-recall | macro-F1 | VADER accuracy | VADER macro-recall |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for name, m in report["quality"].items():
            v = report.get("vader", {}).get(name, {})
            lang = ",".join(m["per_language"])
            print(f"| {name} | {lang} | {m['n']} | {m['accuracy']:.3f} | {m['macro_recall']:.3f} | {m['macro_f1']:.3f} "
                  f"| {v.get('accuracy', float('nan')):.3f} | {v.get('macro_recall', float('nan')):.3f} |")
        by_lang: dict = {}
        for name, m in report["quality"].items():
            if name.startswith("UMSAB") and not name.endswith("en"):
                continue
            for lang, lm in m["per_language"].items():
                by_lang.setdefault(lang, []).append(lm["macro_recall"])
        print("\nmean macro-recall per language (cs/sk/ru/en test sets): " +
              ", ".join(f"{k} {sum(v) / len(v):.3f}" for k, v in sorted(by_lang.items())))
    if "speed" not in args.skip:
        report["speed"] = speed(args.model, args.speed_texts)
        print_speed(report["speed"])
    if "rss" not in args.skip:
        out = subprocess.run([sys.executable, __file__, "--rss-child", str(args.rss_mentions), "--model", args.model],
                             capture_output=True, text=True, check=True)
        r = report["rss"] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"\n## Memory\n\nscore_unscored over {r['mentions']} stored mentions: peak RSS {r['peak_rss_mb']:.0f} MB "
              f"(target < 1536 MB), {r['mentions'] / r['seconds']:.1f} mentions/s")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
