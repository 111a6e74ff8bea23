"""Stored embeddings: a mention's (one encoder pass per mention, written by the scoring stage) and careloop's own
texts' (topic examples, knowledge-base passages), as little-endian float32 bytes."""
from __future__ import annotations

import hashlib
from typing import Callable, Iterable, Sequence

import numpy as np
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from .mentions import insert_ignoring_conflicts
from .models import Mention, MentionEmbedding, TextEmbedding

_FLOAT = np.dtype("<f4")


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=_FLOAT).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=_FLOAT)


def has_embedding(encoder: str):
    """SQL condition: the mention has an embedding from `encoder`."""
    return exists().where(and_(MentionEmbedding.mention_id == Mention.id, MentionEmbedding.encoder == encoder))


def mention_vectors(session: Session, mention_ids: Iterable[int], encoder: str) -> dict[int, np.ndarray]:
    ids = list(mention_ids)
    found: dict[int, np.ndarray] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(select(MentionEmbedding.mention_id, MentionEmbedding.vector).where(
            MentionEmbedding.mention_id.in_(ids[start:start + 500]), MentionEmbedding.encoder == encoder))
        found.update({mention_id: from_bytes(vector) for mention_id, vector in rows})
    return found


def store_mention_vectors(session: Session, mention_ids: Sequence[int], vectors: np.ndarray, encoder: str) -> None:
    rows = [{"mention_id": mention_id, "encoder": encoder, "vector": to_bytes(vector)}
            for mention_id, vector in zip(mention_ids, vectors)]
    if rows:
        insert_ignoring_conflicts(session, MentionEmbedding, rows, ["mention_id", "encoder"])


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_vectors(session: Session, texts: Sequence[str], encoder: str,
                 embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Embeddings of `texts` (rows in order), from the store where known; only texts never embedded by this
    encoder go to `embed` (which loads the encoder: seconds), and are stored for the next time."""
    hashes = [text_hash(text) for text in texts]
    known: dict[str, np.ndarray] = {}
    unique = sorted(set(hashes))
    for start in range(0, len(unique), 500):
        rows = session.execute(select(TextEmbedding.text_hash, TextEmbedding.vector).where(
            TextEmbedding.text_hash.in_(unique[start:start + 500]), TextEmbedding.encoder == encoder))
        known.update({digest: from_bytes(vector) for digest, vector in rows})
    missing = {digest: text for digest, text in zip(hashes, texts) if digest not in known}
    if missing:
        vectors = embed(list(missing.values()))
        rows = [{"text_hash": digest, "encoder": encoder, "vector": to_bytes(vector)}
                for digest, vector in zip(missing, vectors)]
        insert_ignoring_conflicts(session, TextEmbedding, rows, ["text_hash", "encoder"])
        known.update({digest: np.asarray(vector, dtype=_FLOAT) for digest, vector in zip(missing, vectors)})
    if not texts:
        return np.zeros((0, 0), _FLOAT)
    return np.stack([known[digest] for digest in hashes])
