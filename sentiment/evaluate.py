"""Judge a scorer on labelled text: accuracy, macro-F1 and macro-recall (over the gold classes present, so a
binary set scores a "neutral" prediction as an error), per class and per language, and throughput."""
from __future__ import annotations

import time
from collections import defaultdict
from typing import Sequence

from .data import Example
from .scores import LABELS


def metrics(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] = LABELS) -> dict:
    n = len(gold)
    classes = [c for c in labels if c in set(gold)]
    recall, f1 = {}, {}
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        n_gold = sum(1 for g in gold if g == c)
        n_pred = sum(1 for p in pred if p == c)
        r = tp / n_gold if n_gold else 0.0
        prec = tp / n_pred if n_pred else 0.0
        recall[c] = r
        f1[c] = 2 * prec * r / (prec + r) if prec + r else 0.0
    return {
        "n": n,
        "accuracy": sum(g == p for g, p in zip(gold, pred)) / n if n else 0.0,
        "macro_f1": sum(f1.values()) / len(classes) if classes else 0.0,
        "macro_recall": sum(recall.values()) / len(classes) if classes else 0.0,
        "per_class_recall": recall,
    }


def per_language(gold: Sequence[str], pred: Sequence[str], langs: Sequence[str | None],
                 labels: Sequence[str] = LABELS) -> dict:
    """metrics() for each language ("unknown" where a row has none)."""
    by_lang = defaultdict(list)
    for i, lang in enumerate(langs):
        by_lang[lang or "unknown"].append(i)
    return {lang: metrics([gold[i] for i in idx], [pred[i] for i in idx], labels) for lang, idx in sorted(by_lang.items())}


def evaluate(scorer, examples: Sequence[Example]) -> dict:
    """Scores the text alone (stars are ignored: they would give the answer away)."""
    t0 = time.perf_counter()
    scores = scorer.score([e.text for e in examples])
    elapsed = time.perf_counter() - t0
    gold = [e.label for e in examples]
    pred = [s.label for s in scores]
    out = metrics(gold, pred)
    out["per_language"] = per_language(gold, pred, [e.lang for e in examples])
    out["texts_per_second"] = len(examples) / elapsed if elapsed > 0 else 0.0
    out["model"] = f"{scorer.name}@{scorer.version}"
    out["device"] = scorer.device
    out["labels"] = pred
    return out
