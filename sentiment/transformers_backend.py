"""Any Hugging Face sequence-classification model (id or local path) as a careloop Scorer.

Handles 3-class models (negative/neutral/positive names, or LABEL_0..2 in the cardiffnlp order), binary
negative/positive models and 5-star models ("1 star".."5 stars", nlptown style). Shared here too: the batched,
length-sorted, truncated forward pass that the e5 encoder scorer uses as well.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .device import pad, prefetched, resolve_precision
from .scores import LABELS, Score, from_probabilities

_threads_set = False


def release_memory() -> None:
    """Give freed heap back to the OS (glibc). Batches of varying shapes fragment the heap; without this the
    resident size of a long scoring run creeps up by ~0.5 GB per 10k texts although nothing is leaked."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass  # not glibc: nothing to do


def set_threads() -> int:
    """Use every core this process may run on (cgroups/affinity aware), once per process."""
    global _threads_set
    import torch

    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    n = int(os.environ.get("CARELOOP_THREADS", n))
    if not _threads_set:
        torch.set_num_threads(max(1, n))
        _threads_set = True
    return n


def quiet_loading() -> None:
    """transformers 5 draws a progress bar per loaded tensor; careloop's commands print their own output."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def quantize_int8(model):
    """int8 dynamic quantisation of the Linear layers (weights int8, activations quantised on the fly)."""
    import torch

    import warnings

    # torch.ao eager quantisation is deprecated in favour of torchao, but still works and needs no extra package
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # per-channel weight scales: on e5-small per-tensor int8 flips ~12 % of labels, per-channel ~8 %
        qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear: qconfig}, dtype=torch.qint8)


def model_version(spec: str, config=None) -> str:
    """A short stable version: the hub commit when known, else a digest of the local config + weight sizes.
    Without `config` (the model not loaded) the commit is read from the local hub cache: the same answer,
    for deciding whether there is anything to score before paying seconds to load the model."""
    commit = getattr(config, "_commit_hash", None) if config is not None else cached_commit(spec)
    if commit:
        return commit[:12]
    path = Path(spec)
    h = hashlib.sha1()
    if path.is_dir():
        for f in sorted(path.iterdir()):
            # careloop_conversion.json names the install path: moving a checkout must not make a new model
            if f.suffix in (".json", ".safetensors", ".bin") and not f.name.startswith("careloop_"):
                h.update(f.name.encode())
                h.update(str(f.stat().st_size).encode())
                if f.name == "config.json":
                    h.update(f.read_bytes())
    else:
        h.update(spec.encode())
    return h.hexdigest()[:12]


def cached_commit(spec: str) -> str | None:
    """The commit of hub model `spec` in the local cache (its snapshot folder's name); None for a local folder."""
    if Path(spec).is_dir():
        return None
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(spec, "config.json")
    return Path(found).parent.name if isinstance(found, str) else None


class BatchRunner:
    """Tokenise, sort by length (little padding per batch), run `forward` per batch, restore order. On CUDA the
    host tokenises and pads the next batches in a thread while the GPU runs the current one (sentiment/device.py)."""

    def __init__(self, tokenizer, max_length: int = 512, batch_size: int = 64, max_tokens: int = 1024,
                 device: str = "cpu"):
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.device = device
        if device == "cpu":
            self.batch_size = batch_size
            # Cap padded tokens per batch. On CPU a batch is worth it while its matrices stay cache-sized: measured
            # on 2 cores, long reviews ran at 1,700 tokens/s in 4,096-token batches, 2,200 in 512-1,024-token ones
            # (attention and its mask grow with length²); tweets keep ~2,500 tokens/s in 1,024-token batches.
            self.max_tokens = max_tokens
            self.chunk = None  # sort every text at once
        else:
            # A GPU wants work: large batches, and texts sorted within chunks so the first batch starts early.
            self.batch_size, self.max_tokens, self.chunk = max(batch_size, 1024), 65_536, 16_384
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        # a tokenizer without special tokens gives an empty text no tokens at all; the model needs one
        self.filler = [tokenizer.unk_token_id if tokenizer.unk_token_id is not None else 0]

    def _batches(self, order: list[int], lengths: list[int]):
        batch: list[int] = []
        for i in order:  # ascending length: the newest member is the longest
            if batch and (len(batch) >= self.batch_size or (len(batch) + 1) * lengths[i] > self.max_tokens):
                yield batch
                batch = []
            batch.append(i)
        if batch:
            yield batch

    def _prepared(self, texts: Sequence[str]):
        """(positions, ids, mask) per batch, tokenised chunk by chunk."""
        import torch

        step = self.chunk or len(texts)
        for start in range(0, len(texts), step):
            ids = self.tokenizer(list(texts[start:start + step]), truncation=True, max_length=self.max_length)["input_ids"]
            ids = [row if len(row) else self.filler for row in ids]
            lengths = [len(row) for row in ids]
            for idx in self._batches(sorted(range(len(ids)), key=lengths.__getitem__), lengths):
                input_ids, mask = (torch.from_numpy(array) for array in pad([ids[i] for i in idx], self.pad_id))
                if self.device != "cpu":
                    input_ids, mask = input_ids.pin_memory(), mask.pin_memory()
                yield [start + i for i in idx], input_ids, mask

    def run(self, texts: Sequence[str], forward: Callable) -> np.ndarray:
        import torch

        if not texts:
            return np.zeros((0, 0), np.float32)
        batches = self._prepared(texts) if self.device == "cpu" else prefetched(self._prepared(texts))
        positions, outputs = [], []
        with torch.inference_mode():
            for idx, input_ids, mask in batches:
                if self.device != "cpu":
                    input_ids = input_ids.to(self.device, non_blocking=True)
                    mask = mask.to(self.device, non_blocking=True)
                positions += idx
                outputs.append(forward(input_ids, mask).float())  # stays on the device until the end
            result = torch.cat(outputs).cpu().numpy()
        out = np.empty_like(result)
        out[positions] = result
        release_memory()
        return out


_STARS = re.compile(r"^\s*([1-5])\s*(star|stars|hvězd|hvězdy|sterne?|étoiles?)?\s*$")


def label_mapping(id2label: dict[int, str]) -> tuple[str, list]:
    """Return (kind, targets): kind "stars" with target star per id, or "classes" with a LABELS name per id."""
    n = len(id2label)
    names = [str(id2label[i]).strip().lower() for i in range(n)]
    stars = [_STARS.match(x) for x in names]
    if all(stars):
        return "stars", [int(m.group(1)) for m in stars]
    targets = []
    for x in names:
        if x.startswith("neg") or x in ("bad", "0_negative"):
            targets.append("negative")
        elif x.startswith("neu") or x in ("none", "mixed"):
            targets.append("neutral")
        elif x.startswith("pos") or x in ("good",):
            targets.append("positive")
        else:
            targets.append(None)
    if all(targets):
        return "classes", targets
    if all(re.fullmatch(r"label_\d+", x) for x in names):
        # Anonymous labels: cardiffnlp/TweetEval order (0 neg, 1 neu, 2 pos), binary SST order, or 5 stars.
        if n == 3:
            return "classes", list(LABELS)
        if n == 2:
            return "classes", ["negative", "positive"]
        if n == 5:
            return "stars", [1, 2, 3, 4, 5]
    raise ValueError(f"cannot map labels {names} onto negative/neutral/positive or stars")


def probs_to_scores(probs: np.ndarray, kind: str, targets: list) -> list[Score]:
    out = []
    for p in probs:
        if kind == "stars":
            stars = np.array(targets, dtype=np.float64)
            expected = float((p * stars).sum() / max(p.sum(), 1e-9))
            agg = [p[stars <= 2].sum(), p[stars == 3].sum(), p[stars >= 4].sum()]
            s = from_probabilities(*agg)
            # the signed score follows the expected star rating, like stars a customer gives
            out.append(Score(s.label, float(np.clip((expected - 3.0) / 2.0, -1, 1)), s.confidence))
        else:
            agg = [0.0, 0.0, 0.0]
            for prob, name in zip(p, targets):
                agg[LABELS.index(name)] += float(prob)
            out.append(from_probabilities(*agg))
    return out


class TransformersScorer:
    """A sequence-classification model as a Scorer."""

    def __init__(self, spec: str, quantize: bool = False, batch_size: int = 64, max_length: int = 512,
                 device: str = "cpu", precision: str = "auto"):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        set_threads()
        quiet_loading()
        dtype = resolve_precision(precision, device)
        self.name, self.device = spec, device
        self.tokenizer = AutoTokenizer.from_pretrained(spec)
        model = AutoModelForSequenceClassification.from_pretrained(spec)
        model.eval()
        self.kind, self.targets = label_mapping(model.config.id2label)
        self.version = model_version(spec, model.config) + ("-int8" if quantize else "")
        self.model = quantize_int8(model) if quantize else model.to(device=device, dtype=dtype)
        limit = getattr(model.config, "max_position_embeddings", max_length) or max_length
        # RoBERTa-style models reserve 2 positions for the padding offset
        if getattr(model.config, "model_type", "") in ("roberta", "xlm-roberta", "camembert"):
            limit -= 2
        self.runner = BatchRunner(self.tokenizer, min(max_length, limit), batch_size, device=device)
        self._torch = torch

    def _forward(self, input_ids, attention_mask):
        logits = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
        return self._torch.softmax(logits.float(), dim=-1)

    def score(self, texts: Sequence[str]) -> list[Score]:
        texts = [t or "" for t in texts]
        if not texts:
            return []
        return probs_to_scores(self.runner.run(texts, self._forward), self.kind, self.targets)
