"""Where and how precisely the encoder runs: `sentiment: {device: auto|cpu|cuda, precision: auto|fp32|bf16|fp16}`.

On a GPU the model is no longer the bottleneck: an H200 runs multilingual-e5-small at ~26,000 tweets/s in fp32 and
~55,000 in bf16, while the host tokenises and pads for it. So on CUDA the batches are large, the host prepares
batch k+1 in a thread (the Rust tokenizer releases the GIL and uses every core) while the GPU runs batch k, and
tensors go over in pinned memory: 12,100 tweets/s end to end in fp32, 13,800 in bf16 (bench/scale.py). What
bounds it is building the tokenizer's Python lists; two ways round that measured slower on the same machine:
padding whole chunks in the tokenizer (8,900 / 10,600: every text padded to the chunk's longest) and tokenising
in 8 worker processes (2,600 / 3,500: each worker's tokenizer then runs on one thread).
"""
from __future__ import annotations

import queue
import threading
from typing import Iterator

import numpy as np

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")


class DeviceError(RuntimeError):
    """The configured device is not there (e.g. `device: cuda` on a machine without a CUDA GPU)."""


def resolve_device(device: str = "auto") -> str:
    import torch

    if device not in DEVICES:
        raise DeviceError(f"sentiment.device: unknown device {device!r}; expected one of {list(DEVICES)}")
    if device == "cpu" or (device == "auto" and not torch.cuda.is_available()):
        return "cpu"
    if not torch.cuda.is_available():
        raise DeviceError("sentiment.device is cuda, but torch sees no CUDA GPU here (set device: auto or cpu)")
    return "cuda"


def resolve_precision(precision: str, device: str):
    """The torch dtype for the model's weights. `auto`: fp32 on the CPU; on CUDA the reduced precision that was
    measured to keep macro-recall within 0.005 of fp32 on TweetEval, Czech Facebook and RuSentiTweet
    (sentiment/README.md), else fp32."""
    import torch

    if precision not in PRECISIONS:
        raise DeviceError(f"sentiment.precision: unknown precision {precision!r}; expected one of {list(PRECISIONS)}")
    if device == "cpu":
        if precision not in ("auto", "fp32"):
            raise DeviceError(f"sentiment.precision {precision} needs device: cuda (on a CPU it is slower, not faster)")
        return torch.float32
    name = CUDA_AUTO_PRECISION if precision == "auto" else precision
    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[name]


# What `precision: auto` means on CUDA. Measured on an H200 (bench/scale.py), bf16 kept macro-recall within 0.0007
# of fp32 on TweetEval, Czech Facebook and RuSentiTweet (99.5-99.8 % of labels unchanged) and ran the model 2.1×
# faster; fp16 was as close but overflows more easily.
CUDA_AUTO_PRECISION = "bf16"


def pad(rows: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded ids and attention mask (what tokenizer.pad gives, ~20× faster for large batches)."""
    width = max(len(row) for row in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for k, row in enumerate(rows):
        ids[k, :len(row)] = row
        mask[k, :len(row)] = 1
    return ids, mask


def prefetched(batches: Iterator, depth: int = 4) -> Iterator:
    """Run the `batches` generator in a thread, `depth` items ahead of the consumer."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    done = object()

    def produce() -> None:
        try:
            for item in batches:
                ready.put(item)
        except BaseException as error:  # handed to the consumer, raised there
            ready.put(error)
        finally:
            ready.put(done)

    threading.Thread(target=produce, daemon=True, name="careloop-tokenise").start()
    while (item := ready.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item
