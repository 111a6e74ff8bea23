"""Metrics on a hand-checked tiny file (made-up texts), and the file formats `eval`/`train` accept."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentiment.data import load_examples
from sentiment.evaluate import evaluate

from .test_pipeline import KeywordScorer

TINY = Path(__file__).parent / "fixtures" / "tiny_eval.jsonl"


def test_metrics_by_hand():
    # predictions: pos, neg, neu, neg | pos, neu, pos | neu  (keyword rule, 'good' checked first)
    r = evaluate(KeywordScorer(), load_examples(TINY))
    assert r["n"] == 8
    assert r["accuracy"] == pytest.approx(5 / 8)
    assert r["per_class_recall"] == pytest.approx({"negative": 1 / 3, "neutral": 1.0, "positive": 2 / 3})
    assert r["macro_recall"] == pytest.approx(2 / 3)
    # F1: negative P=1/2 R=1/3 -> 0.4; neutral P=2/3 R=1 -> 0.8; positive P=R=2/3
    assert r["macro_f1"] == pytest.approx((0.4 + 0.8 + 2 / 3) / 3)
    en, cs, ru = r["per_language"]["en"], r["per_language"]["cs"], r["per_language"]["ru"]
    assert (en["n"], en["accuracy"], en["macro_recall"]) == (4, 0.75, pytest.approx((0.5 + 1 + 1) / 3))
    assert (cs["n"], cs["accuracy"], cs["macro_recall"]) == (3, pytest.approx(1 / 3), 0.5)  # only gold classes count
    assert (ru["n"], ru["accuracy"], ru["macro_recall"]) == (1, 1.0, 1.0)
    assert r["texts_per_second"] > 0 and r["model"] == "kw@1"


def test_tsv_csv_and_stars(tmp_path):
    (tmp_path / "a.tsv").write_text("text\tlabel\tlang\nfine\tpositive\ten\nmeh\t0\ten\n")
    (tmp_path / "b.csv").write_text('text,stars\n"awful, really",1\nok,3\ngreat,4.5\n')
    assert [(e.text, e.label) for e in load_examples(tmp_path / "a.tsv")] == [("fine", "positive"), ("meh", "neutral")]
    assert [e.label for e in load_examples(tmp_path / "b.csv")] == ["negative", "neutral", "positive"]


def test_eval_cli_json(monkeypatch):
    import sentiment.scorer as scorer_mod
    from sentiment.cli import app

    monkeypatch.setattr(scorer_mod, "_build", lambda spec, quantize, device, precision: KeywordScorer())
    monkeypatch.setattr(scorer_mod, "_cache", {})
    res = CliRunner().invoke(app, ["eval", "--data", str(TINY), "--json", "--model", "kw"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out) >= {"n", "accuracy", "macro_f1", "macro_recall", "per_class_recall", "per_language",
                        "texts_per_second", "model"}
    assert out["accuracy"] == pytest.approx(5 / 8)
