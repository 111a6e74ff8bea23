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


relevance_app = typer.Typer(help="Relevance (\"not about us\"): evaluate on a labelled set, learn from agents' decisions.",
                            no_args_is_help=True)


@relevance_app.command("eval")
def relevance_eval(data: Path = typer.Option(..., "--data", "-d", help="JSONL/TSV/CSV with text, brand, label (about/not_about), lang"),
                   config: Optional[Path] = ConfigOption,
                   as_json: bool = typer.Option(False, "--json", help="one JSON object")) -> None:
    """Precision and recall of "not about us", overall and per language, with the brands' descriptions."""
    from sentiment.data import read_rows

    from .embedder import load_encoder
    from .relevance import RelevanceModel, care_phrases
    from .topics import topic_examples

    settings = _settings(config)
    rows = [row for row in read_rows(data) if row.get("text") and row.get("label")]
    wrong = sorted({row["label"] for row in rows} - {"about", "not_about"})
    brands = {brand.name for brand in settings.brands if brand.description}
    unknown = sorted({row.get("brand") for row in rows} - brands, key=str)
    if not rows or wrong or unknown:
        problem = (f"labels {wrong} are not about/not_about" if wrong else
                   f"brands {unknown} have no brands[].description in the configuration" if unknown else "no rows with text and label")
        raise typer.BadParameter(f"{data}: {problem}", param_hint="--data")
    encoder = load_encoder(settings.sentiment)
    model = RelevanceModel(settings.brands, encoder.embed, settings.relevance.min_margin,
                           care=care_phrases(topic_examples(settings.topics)))
    vectors = encoder.embed([row["text"] for row in rows])
    predicted = [model.judge(row["brand"], vector).relevance for row, vector in zip(rows, vectors)]
    result = precision_recall(rows, predicted)
    result["per_language"] = {lang: precision_recall([rows[i] for i in idx], [predicted[i] for i in idx])
                              for lang, idx in _by_language(rows).items()}
    if as_json:
        typer.echo(json.dumps(result, sort_keys=True))
        return
    typer.echo(f"n={result['n']}  precision={result['precision']:.3f}  recall={result['recall']:.3f}  (of not_about)")
    for lang, m in result["per_language"].items():
        typer.echo(f"  {lang:<8} n={m['n']:<5} precision={m['precision']:.3f}  recall={m['recall']:.3f}")


@relevance_app.command("train")
def relevance_train(config: Optional[Path] = typer.Option(None, "--config", "-c", help="careloop.yaml")) -> None:
    """Fits each brand's relevance model on agents' decisions (what the scheduled `relevance` flow does) and
    prints, per brand, the decisions used and precision and recall of not_about, 10-fold cross-validated."""
    from careloop.context import config_and_engine
    from store.db import session_scope

    from .relevance_training import Training, train

    settings, engine = config_and_engine(config)
    with session_scope(engine) as session:
        results = train(session, settings)
    typer.echo("\t".join(Training.HEADERS))
    for result in results:
        typer.echo("\t".join(str(cell) for cell in result.row()))


def precision_recall(rows: list[dict], predicted: list[str]) -> dict:
    gold = [row["label"] == "not_about" for row in rows]
    said = [label == "not_about" for label in predicted]
    hits = sum(g and s for g, s in zip(gold, said))
    return {"n": len(rows), "precision": hits / sum(said) if any(said) else 1.0, "recall": hits / sum(gold) if any(gold) else 1.0}


def _by_language(rows: list[dict]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row.get("lang") or "unknown", []).append(i)
    return dict(sorted(groups.items()))


def register(root: typer.Typer) -> None:
    root.add_typer(topics_app, name="topics")
    root.add_typer(relevance_app, name="relevance")
