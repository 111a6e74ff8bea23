"""The e5 encoder that embedded the mentions, for careloop's own texts (topic examples, knowledge-base passages):
loaded only when a text has never been embedded (store.embeddings.text_vectors), so a run over stored
embeddings loads no model."""
from __future__ import annotations

from typing import Callable

import numpy as np
from sqlalchemy.orm import Session

from careloop.config import SentimentSettings
from sentiment.scorer import encoder_identity, encoder_spec
from store.embeddings import text_vectors


def load_encoder(settings: SentimentSettings):
    from sentiment.device import resolve_device
    from sentiment.e5_head import get_encoder

    return get_encoder(encoder_spec(settings.model), quantize=settings.quantize, device=resolve_device(settings.device),
                       precision=settings.precision)


def stored_text_embedder(session: Session, settings: SentimentSettings) -> tuple[str, Callable[[list[str]], np.ndarray]]:
    """(encoder version, texts → vectors) with vectors kept in the store."""
    version = encoder_identity(settings.model, settings.quantize)
    return version, lambda texts: text_vectors(session, texts, version, lambda missing: load_encoder(settings).embed(missing))
