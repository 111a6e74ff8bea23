""""Answered like this before": a new mention close to one agents already answered (same brand) is offered the
earlier approved reply as an alternative draft, adapted: the earlier customer's name, order and claim numbers,
product and waiting time are swapped for the new mention's, and a sentence still holding anything of the earlier
customer's that has no counterpart here (a number, an e-mail address, a phone number, their name) is dropped.
Nothing personal from the earlier customer may reach the new draft.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.config import Config
from store.embeddings import from_bytes
from store.models import Draft, Mention, MentionEmbedding

from .extract import Details, say_wait
from .facts import details_of
from .templates import display_name

RECENT = 5000  # the latest approved replies are compared: newer answers say what the team says now
SAME_LANGUAGE_BONUS = 0.03  # an answer in the mention's language beats a slightly closer one in another
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d ()-]{7,}\d")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_EMPTIED = re.compile(r"\s*,?\s*([,!?.])(?=\s*$|\s)")


@dataclass(frozen=True)
class Precedent:
    draft_id: int
    mention_id: int
    language: str
    text: str  # the reply as approved
    author: str  # the earlier customer's display name
    details: Details  # the earlier mention's facts
    brand: str | None
    vector: np.ndarray


def load_precedents(session: Session, config: Config, encoder: str) -> list[Precedent]:
    """The latest approved (or sent) replies whose mention has an embedding from `encoder`."""
    rows = session.execute(
        select(Draft.id, Draft.language, Draft.text, Mention, MentionEmbedding.vector)
        .join(Mention, Mention.id == Draft.mention_id)
        .join(MentionEmbedding, (MentionEmbedding.mention_id == Mention.id) & (MentionEmbedding.encoder == encoder))
        .where(Draft.kind == "reply", Draft.status.in_(("approved", "sent")), Draft.text != "")
        .order_by(Draft.decided_at.desc()).limit(RECENT))
    return [Precedent(draft_id, mention.id, language or mention.language or "", text, display_name(mention.author),
                      details_of(mention, config), mention.brand, from_bytes(vector))
            for draft_id, language, text, mention, vector in rows]


def answered_before(precedents: list[Precedent], mention: Mention, vector: np.ndarray | None, config: Config) -> dict | None:
    """The earlier answer to offer beside the draft, adapted to this mention; None when none is close enough."""
    if vector is None:
        return None
    found = nearest([p for p in precedents if p.brand == mention.brand and p.mention_id != mention.id], vector,
                    mention.language or "", config.knowledge.precedent_min_similarity)
    if found is None:
        return None
    precedent, similarity = found
    text = adapt(precedent, display_name(mention.author), details_of(mention, config), mention.text or "")
    return {"draft_id": precedent.draft_id, "similarity": round(similarity, 4), "language": precedent.language, "text": text}


def nearest(precedents: list[Precedent], vector: np.ndarray, language: str, min_similarity: float) -> tuple[Precedent, float] | None:
    if not precedents:
        return None
    similarity = np.stack([p.vector for p in precedents]) @ np.asarray(vector, dtype=np.float32)
    ranked = similarity + np.array([SAME_LANGUAGE_BONUS if p.language == language else 0.0 for p in precedents])
    best = int(ranked.argmax())
    return (precedents[best], float(similarity[best])) if similarity[best] >= min_similarity else None


def adapt(precedent: Precedent, author: str, details: Details, mention_text: str) -> str:
    """The earlier reply with this mention's name and facts; sentences about the earlier customer's own things
    that have no counterpart here are left out."""
    old, new = precedent.details, details
    swaps = [(old.order_number, new.order_number), (old.claim_number, new.claim_number), (old.product, new.product),
             (old.app_version, new.app_version)]
    if old.waited is not None:
        swaps.append((say_wait(old.waited, precedent.language), say_wait(new.waited, precedent.language) if new.waited else None))
    names = sorted({part for part in (precedent.author, *precedent.author.split()) if len(part) >= 3}, key=len, reverse=True)
    paragraphs = []
    for paragraph in precedent.text.split("\n\n"):
        sentences = []
        for sentence in _SENTENCE.split(paragraph):
            for name in names:
                sentence = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", author, sentence)
            sentence = _EMPTIED.sub(r"\1", sentence)  # "Hi ," when the new customer has no name
            keep = True
            for before, after in swaps:
                if before and before in sentence:
                    keep = keep and bool(after)
                    sentence = sentence.replace(before, after or before)
            # an address or number the new customer did not write is the earlier customer's
            keep = keep and all(contact in mention_text for contact in _CONTACT.findall(sentence))
            if keep:
                sentences.append(sentence)
        if sentences:
            paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)
