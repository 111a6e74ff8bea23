"""`careloop topics classify|eval` (and `careloop relevance eval`): the same classifiers the drafting stage uses,
on texts given here, embedded directly (no store needed)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

topics_app = typer.Typer(help="Topics: classify text, evaluate on a labelled set.", no_args_is_help=True)
ConfigOption = typer.Option(None, "--config", "-c", help="careloop.yaml (its `topics` and `sentiment` sections)")


def _settings(config: Optional[Path]):
    from careloop.config import Config, load_config

    if config is None:
        return Config(brands=[{"name": "brand", "keywords": ["brand"]}])
    return load_config(config)


def _topic_classifier(settings):
    from .embedder import load_encoder
    from .topics import build_classifier

    encoder = load_encoder(settings.sentiment)
    return encoder, build_classifier(settings.topics, encoder.embed)


@topics_app.command("classify")
def classify(texts: List[str] = typer.Argument(..., help="texts to classify"), config: Optional[Path] = ConfigOption,
             as_json: bool = typer.Option(False, "--json", help="one JSON object per line")) -> None:
    """Print topic ("unknown" below topics.min_confidence) and confidence for each text."""
    encoder, classifier = _topic_classifier(_settings(config))
    for text, guess in zip(texts, classifier.classify(encoder.embed(texts))):
        topic = guess.topic or "unknown"
        if as_json:
            typer.echo(json.dumps({"text": text, "topic": topic, "confidence": guess.confidence, "best": guess.best},
                                  ensure_ascii=False))
        else:
            typer.echo(f"{topic:<16} {guess.confidence:.3f}  {text}")


@topics_app.command("eval")
def eval_(data: Path = typer.Option(..., "--data", "-d", help="JSONL/TSV/CSV with text, label (a topic), lang"),
          config: Optional[Path] = ConfigOption,
          as_json: bool = typer.Option(False, "--json", help="one JSON object")) -> None:
    """Accuracy and macro-F1, overall and per language; "unknown" counts as a wrong answer."""
    from sentiment.data import read_rows
    from sentiment.evaluate import metrics, per_language

    rows = [row for row in read_rows(data) if row.get("text") and row.get("label")]
    if not rows:
        raise typer.BadParameter(f"{data}: no rows with `text` and `label`", param_hint="--data")
    encoder, classifier = _topic_classifier(_settings(config))
    unknown = sorted({row["label"] for row in rows} - set(classifier.topics))
    if unknown:
        raise typer.BadParameter(f"{data}: labels {unknown} are not topics {classifier.topics}", param_hint="--data")
    gold = [row["label"] for row in rows]
    pred = [guess.topic or "unknown" for guess in classifier.classify(encoder.embed([row["text"] for row in rows]))]
    result = {k: v for k, v in metrics(gold, pred, classifier.topics).items() if k != "per_class_recall"}
    result["per_language"] = {lang: {k: m[k] for k in ("n", "accuracy", "macro_f1")}
                              for lang, m in per_language(gold, pred, [row.get("lang") for row in rows], classifier.topics).items()}
    if as_json:
        typer.echo(json.dumps(result, sort_keys=True))
        return
    typer.echo(f"n={result['n']}  accuracy={result['accuracy']:.3f}  macro_f1={result['macro_f1']:.3f}")
    for lang, m in result["per_language"].items():
        typer.echo(f"  {lang:<8} n={m['n']:<5} accuracy={m['accuracy']:.3f}  macro_f1={m['macro_f1']:.3f}")


def register(root: typer.Typer) -> None:
    root.add_typer(topics_app, name="topics")
