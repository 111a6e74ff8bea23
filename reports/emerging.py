"""Emerging issues: bursts of negative mentions about one thing that no known issue covers, proposed to managers
as "possible issues" (the inbox's Known issues page turns one into a known issue with one click, or dismisses it).

How a burst is found, per brand, from the e5 embeddings the scoring stage stored (store/embeddings.py):
1. Every embedding is centred on the mean of the brand's usual traffic in its language (the baseline before the
   window; all its languages for one with little traffic) and normalised; a brand with hardly any baseline gets
   no proposals (there is no usual rate to be above). Raw e5
   cosines of any two complaints sit in a narrow band (0.78–0.92): what complaints share is "a complaint about
   this brand, in Czech", and removing that common part leaves what each is about. On the bundled fixture,
   Czech and Russian mentions of one fault then score 0.2 against each other where unrelated complaints score
   −0.06, and form one group.
2. The window's negative mentions that no open known issue matches are grouped: the mention with the most
   neighbours (cosine ≥ `link`) seeds a group, which then takes every still-free mention within `similarity` of
   its centroid until it stops changing; groups whose centroids lie within `link` of each other merge (the same
   fault told in Czech and in Russian forms one group per language first).
3. A group is a burst when it has at least `min_mentions` and at least `factor` × what the baseline leads to
   expect: the baseline's negative mentions within `similarity` of the group's centroid, scaled from the baseline's
   length to the window's.
4. A burst whose centroid is within `similarity` of an earlier possible issue of the brand updates that row (its
   mentions, last seen): re-running never proposes one burst twice, and a dismissed burst stays dismissed.
"""
from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from careloop.config import Config, EmergingIssues
from drafting.facts import known_issue_for
from sentiment.pipeline import mention_text
from sentiment.scorer import encoder_identity
from store.embeddings import from_bytes, mention_vectors, to_bytes
from store.issues import IssueError, open_issue, registry_issues, slug
from store.locks import hold
from store.models import KnownIssueRecord, Mention, PossibleIssue, utcnow
from store.reports import mention_time

from .terms import excluded_words, extract

TITLE_WORDS = 3  # per language, in the title and as the issue's keywords
MIN_PREFIX = 4  # letters a keyword keeps of the forms it stands for
MIN_LANGUAGE_TRAFFIC = 10  # mentions of a language that give it its own centre
MIN_USUAL_TRAFFIC = 20  # mentions in the baseline before a brand's bursts can be told from its usual
MAX_MENTIONS = 20_000  # newest per brand over window and baseline: the grouping is quadratic in the window's share


@dataclass
class Burst:
    brand: str
    mention_ids: list[int]  # most central first
    centroid: np.ndarray
    expected: float
    title: str
    keywords: dict[str, list[str]]


def find_bursts(session: Session, config: Config, now: datetime) -> list[Burst]:
    settings = config.notices.emerging
    encoder = encoder_identity(config.sentiment.model, config.sentiment.quantize)
    window_start = now - settings.window
    open_issues = [issue for issue in registry_issues(session) if issue.status != "resolved"]
    bursts = []
    for brand in config.brands:
        mentions = _mentions(session, brand.name, window_start - settings.baseline, now)
        vectors = mention_vectors(session, [mention.id for mention in mentions], encoder)
        mentions = [mention for mention in mentions if mention.id in vectors]
        if not mentions:
            continue
        usual_traffic = [m for m in mentions if _at(m) < window_start]
        if len(usual_traffic) < MIN_USUAL_TRAFFIC:
            continue  # no usual rate to be above, and nothing to centre on
        centres = _language_centres(usual_traffic, vectors)
        recent = [m for m in mentions if _at(m) >= window_start and m.sentiment_label == "negative"
                  and known_issue_for(mention_text(m), brand.name, open_issues) is None]
        usual = [m for m in usual_traffic if m.sentiment_label == "negative"]
        if len(recent) < settings.min_mentions:
            continue
        recent_vectors = _centred(recent, vectors, centres)
        usual_vectors = _centred(usual, vectors, centres)
        excluded = excluded_words([*brand.keywords, *brand.aliases])
        for members in groups(recent_vectors, settings):
            centroid = _unit(recent_vectors[members].mean(axis=0))
            expected = float((usual_vectors @ centroid >= settings.similarity).sum()) * (settings.window / settings.baseline)
            if len(members) < max(settings.min_mentions, settings.factor * max(expected, 1.0)):
                continue
            central = sorted(members, key=lambda index: -float(recent_vectors[index] @ centroid))
            chosen = [recent[index] for index in central]
            title, keywords = naming(chosen, excluded)
            bursts.append(Burst(brand.name, [m.id for m in chosen], centroid, expected, title, keywords))
    return bursts


def groups(vectors: np.ndarray, settings: EmergingIssues) -> list[list[int]]:
    """Indices of `vectors` (centred, unit length) grouped as the module docstring's step 2 says; groups of one
    are left out."""
    if not len(vectors):
        return []
    similar = vectors @ vectors.T
    free = np.ones(len(vectors), dtype=bool)
    found: list[np.ndarray] = []
    for seed in np.argsort(-(similar >= settings.link).sum(axis=1), kind="stable"):
        if not free[seed]:
            continue
        members = free & (similar[seed] >= settings.link)
        for _ in range(10):
            grown = free & (vectors @ _unit(vectors[members].mean(axis=0)) >= settings.similarity)
            if not grown.any() or (grown == members).all():
                break
            members = grown
        if members.sum() >= 2:
            found.append(members)
            free &= ~members
    merged = True
    while merged:
        merged = False
        centroids = [_unit(vectors[members].mean(axis=0)) for members in found]
        for i in range(len(found)):
            for j in range(i + 1, len(found)):
                if centroids[i] @ centroids[j] >= settings.link:
                    found[i] = found[i] | found.pop(j)
                    merged = True
                    break
            if merged:
                break
    return [list(np.flatnonzero(members)) for members in found]


def naming(mentions: list[Mention], excluded: frozenset[str]) -> tuple[str, dict[str, list[str]]]:
    """A title of the burst's most frequent words per language (most mentions first), and the word beginnings
    that match their inflected forms (the known issue's keywords: "restartuje", "restartování" → "restart")."""
    counts: dict[str, Counter] = defaultdict(Counter)
    forms: dict[tuple[str, str], set[str]] = defaultdict(set)
    for mention in mentions:
        language = mention.language or "*"
        for term in extract(mention_text(mention), mention.language, excluded):
            if term.words == 1:
                counts[language][term.key] += 1
                forms[language, term.key].add(term.display)
    titles, keywords = [], {}
    for language, counter in sorted(counts.items(), key=lambda item: -sum(item[1].values())):
        top = [key for key, count in counter.most_common(TITLE_WORDS) if count >= 2]
        if top:
            titles.append(", ".join(sorted(forms[language, key], key=len)[0] for key in top))
            keywords[language] = [_beginning(forms[language, key]) for key in top]
    return (" / ".join(titles) or "negative mentions")[:300], keywords


def proposed(session: Session) -> list[PossibleIssue]:
    """Possible issues awaiting a manager, newest burst first."""
    return list(session.scalars(select(PossibleIssue).where(PossibleIssue.status == "proposed")
                                .order_by(PossibleIssue.last_seen_at.desc(), PossibleIssue.id.desc())))


def propose(session: Session, config: Config, now: datetime | None = None) -> dict[str, int]:
    """Record what `find_bursts` finds: new possible issues, or updates of the ones already proposed."""
    now = now or utcnow()
    settings = config.notices.emerging
    counts = {"proposed": 0, "updated": 0, "dismissed_again": 0}
    if not settings.enabled:
        return counts
    hold(session, "emerging-issues")  # two runs at once would propose one burst twice
    for burst in find_bursts(session, config, now):
        earlier = _earlier(session, burst, settings.similarity)
        if earlier is None:
            session.add(PossibleIssue(brand=burst.brand, title=burst.title, keywords=burst.keywords,
                                      mention_ids=burst.mention_ids, expected=burst.expected,
                                      centroid=to_bytes(burst.centroid), encoder=encoder_identity(
                                          config.sentiment.model, config.sentiment.quantize),
                                      first_seen_at=now, last_seen_at=now))
            counts["proposed"] += 1
            continue
        earlier.mention_ids = list(dict.fromkeys([*earlier.mention_ids, *burst.mention_ids]))
        earlier.last_seen_at = now
        counts["dismissed_again" if earlier.status == "dismissed" else "updated"] += 1
    session.flush()
    return counts


def accept(session: Session, possible: PossibleIssue, actor: str) -> KnownIssueRecord:
    """The possible issue becomes a known issue (investigating; its notice campaign awaits approval as usual)."""
    if possible.status != "proposed":
        raise IssueError(f"possible issue {possible.id} was already {possible.status}")
    key = slug(possible.title)
    taken = set(session.scalars(select(KnownIssueRecord.key).where(KnownIssueRecord.key.like(f"{key}%"))))
    key = next(candidate for candidate in (key, *(f"{key}-{n}" for n in range(2, 1000))) if candidate not in taken)
    issue = open_issue(session, key=key, title=possible.title, status="investigating", actor=actor, origin="inbox",
                       brand=possible.brand, keywords=possible.keywords)
    if issue is None:
        raise IssueError(f"a known issue {key!r} was opened at the same moment; try again")
    _decide(possible, "accepted", actor)
    possible.issue_id = issue.id
    return issue


def dismiss(session: Session, possible: PossibleIssue, actor: str) -> None:
    if possible.status != "proposed":
        raise IssueError(f"possible issue {possible.id} was already {possible.status}")
    _decide(possible, "dismissed", actor)


def _decide(possible: PossibleIssue, status: str, actor: str) -> None:
    possible.status, possible.decided_by, possible.decided_at = status, actor, utcnow()


def _earlier(session: Session, burst: Burst, similarity: float) -> PossibleIssue | None:
    """The brand's possible issue this burst continues: the nearest centroid within `similarity`. (Centroids of
    different runs are centred on slightly different traffic; the threshold that makes a member makes a match.)"""
    best, best_score = None, similarity
    for earlier in session.scalars(select(PossibleIssue).where(PossibleIssue.brand == burst.brand)):
        score = float(from_bytes(earlier.centroid) @ burst.centroid)
        if score >= best_score:
            best, best_score = earlier, score
    return best


def _mentions(session: Session, brand: str, start: datetime, end: datetime) -> list[Mention]:
    at = mention_time()
    query = (select(Mention).where(Mention.brand == brand, Mention.duplicate_of_id.is_(None), at >= start, at < end,
                                   Mention.relevance.is_distinct_from("not_about"))
             .order_by(Mention.id.desc()).limit(MAX_MENTIONS))
    return list(session.scalars(query))


def _at(mention: Mention) -> datetime:
    return mention.published_at or mention.fetched_at


def _language_centres(mentions: list[Mention], vectors: dict[int, np.ndarray]) -> dict[str | None, np.ndarray]:
    """Mean embedding per language with at least MIN_LANGUAGE_TRAFFIC mentions; None: every mention's."""
    by_language: dict[str | None, list[np.ndarray]] = defaultdict(list)
    for mention in mentions:
        by_language[mention.language].append(vectors[mention.id])
    centres = {language: np.mean(found, axis=0) for language, found in by_language.items()
               if language is not None and len(found) >= MIN_LANGUAGE_TRAFFIC}
    centres[None] = np.mean([vectors[mention.id] for mention in mentions], axis=0)
    return centres


def _centred(mentions: list[Mention], vectors: dict[int, np.ndarray], centres: dict) -> np.ndarray:
    if not mentions:
        return np.zeros((0, len(centres[None])), dtype=np.float32)
    shifted = np.stack([vectors[m.id] - centres.get(m.language, centres[None]) for m in mentions])
    return shifted / np.maximum(np.linalg.norm(shifted, axis=1, keepdims=True), 1e-9)


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


def _beginning(forms: set[str]) -> str:
    """The longest beginning the forms share, at least MIN_PREFIX letters (else the shortest form)."""
    prefix = os.path.commonprefix(sorted(forms))
    return prefix if len(prefix) >= MIN_PREFIX else min(forms, key=len)
