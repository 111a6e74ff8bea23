"""Device and batching pieces that the GPU path relies on, checked where there is no GPU."""
import numpy as np
import pytest

from sentiment.device import DeviceError, pad, prefetched, resolve_device, resolve_precision


def test_fast_padding_equals_the_tokenizers(default_scorer):
    tokenizer = default_scorer.encoder.tokenizer
    rows = tokenizer(["Skvělá služba!", "Доставка опять опоздала, уже третью неделю жду.", "ok"])["input_ids"]
    ids, mask = pad(rows, tokenizer.pad_token_id)
    expected = tokenizer.pad({"input_ids": rows}, return_tensors="np")
    assert np.array_equal(ids, expected["input_ids"]) and np.array_equal(mask, expected["attention_mask"])


def test_prefetching_keeps_order_and_hands_errors_to_the_consumer():
    assert list(prefetched(iter(range(100)), depth=3)) == list(range(100))

    def broken():
        yield 1
        raise ValueError("tokenizer failed")

    items = prefetched(broken())
    assert next(items) == 1
    with pytest.raises(ValueError, match="tokenizer failed"):
        next(items)


def test_asking_for_what_is_not_there_is_a_clear_error():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert resolve_device("auto") == "cpu"
    with pytest.raises(DeviceError, match="sentiment.device is cuda, but torch sees no CUDA GPU"):
        resolve_device("cuda")
    with pytest.raises(DeviceError, match="bf16 needs device: cuda"):
        resolve_precision("bf16", "cpu")
    assert resolve_precision("auto", "cpu") == torch.float32
