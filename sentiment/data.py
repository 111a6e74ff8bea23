"""Labelled examples from JSONL, TSV or CSV: `text` plus `label` (negative/neutral/positive, or -1/0/1), or
`stars` (1–5) instead of a label; optional `lang`. The format of ../shared/data and of the inbox's export."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .scores import LABELS, label_for_stars

_ALIASES = {"neg": "negative", "-1": "negative", "n": "negative", "neu": "neutral", "0": "neutral",
            "none": "neutral", "pos": "positive", "1": "positive", "p": "positive", "+1": "positive"}


@dataclass
class Example:
    text: str
    label: str
    lang: str | None = None
    stars: float | None = None


def _label(raw: dict) -> str | None:
    lab = raw.get("label")
    if lab not in (None, ""):
        lab = str(lab).strip().lower()
        lab = _ALIASES.get(lab, lab)
        if lab not in LABELS:
            raise ValueError(f"unknown label {raw.get('label')!r}")
        return lab
    stars = raw.get("stars")
    if stars not in (None, ""):
        s = float(stars)
        if str(raw.get("stars_scale", "")) == "0-5":  # ČSFD style 0–5: map 0..5 onto 1..5
            s = 1 + s * 0.8
        return label_for_stars(s)
    return None


def read_rows(path: str | Path) -> Iterator[dict]:
    """Rows of a JSONL (.jsonl/.json/.ndjson), TSV (.tsv/.tab) or CSV file as dicts."""
    path = Path(path)
    if path.suffix in (".jsonl", ".json", ".ndjson"):
        return (json.loads(line) for line in path.open(encoding="utf-8") if line.strip())
    delim = "\t" if path.suffix in (".tsv", ".tab") else ","
    return iter(csv.DictReader(path.open(encoding="utf-8", newline=""), delimiter=delim))


def load_examples(path: str | Path, limit: int | None = None) -> list[Example]:
    out = []
    for raw in read_rows(path):
        label = _label(raw)
        if label is None or raw.get("text") is None:
            continue
        stars = raw.get("stars")
        out.append(Example(str(raw["text"]), label, raw.get("lang") or None,
                           float(stars) if stars not in (None, "") else None))
        if limit and len(out) >= limit:
            break
    return out
