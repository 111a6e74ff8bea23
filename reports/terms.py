"""What people talk about: words and two-word phrases per mention, grouped across inflected forms.

Words are reduced to their lemma (simplemma's dictionaries: "přihlášení", "přihlášením" → přihlásit; "приложения",
"приложением" → приложение; "crashes", "crashed" → crash), stop-words (stopwords-iso lists) and the brands' own
names are dropped, and a Czech or Slovak negation keeps its "ne" (nefunguje → nefungovat, not fungovat: the
opposite complaint). A phrase is two kept words that stood next to each other.

Each mention is read once (`index_terms`, by id above a mark; edited reviews again) into `mention_terms`, so
a digest's top terms are one GROUP BY in the database.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import simplemma
import stopwordsiso
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.mentions import insert_ignoring_conflicts
from store.models import Mention, MentionRevision, MentionTerm, Term
from store.reports import read_marks, write_marks

URL_OR_HANDLE = re.compile(r"https?://\S+|www\.\S+|[@#]?\S+@\S+|(?<!\w)@\w+")
WORD = re.compile(r"[^\W\d_][\w'’-]*\w|\.")  # words, and the clause breaks below
CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”„«»…—–|/\n]+\s*")  # a phrase never spans these
MIN_LETTERS = 3
MAX_WORDS = 40  # distinct words kept per mention, and as many phrases: a long review is still one voice
NEGATING = {"cs", "sk"}  # languages whose verbs and adjectives negate with a "ne" prefix
FALLBACK_STOP_LANGUAGES = ("en", "cs", "sk", "ru")  # for mentions of unknown language


@dataclass(frozen=True)
class Extracted:
    key: str  # lemma(s): the grouping
    display: str  # as written (lowercase)
    words: int


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


@lru_cache(maxsize=32)
def stop_words(language: str) -> frozenset[str]:
    languages = (language,) if language else FALLBACK_STOP_LANGUAGES
    return frozenset(word for code in languages if stopwordsiso.has_lang(code) for word in stopwordsiso.stopwords(code))


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    if not language:
        return word
    try:
        found = simplemma.lemmatize(word, lang=language).casefold()
    except ValueError:  # a language simplemma does not know: the word as written
        return word
    if language in NEGATING and word.startswith("ne") and not found.startswith("ne") and len(word) > len("ne") + 2:
        return "ne" + found
    return found


def extract(text: str, language: str | None, excluded: frozenset[str] = frozenset()) -> list[Extracted]:
    """Distinct words and phrases of `text`, first occurrences first. `excluded`: folded words never counted
    (the brands' names and aliases)."""
    language = language or ""
    stops = stop_words(language)
    kept: list[tuple[str, str] | None] = []  # (lemma, surface), None where a dropped word broke the sequence
    for match in WORD.finditer(CLAUSE_BREAK.sub(" . ", URL_OR_HANDLE.sub(" ", text))):
        surface = match.group().casefold().strip("'’-")
        if surface == ".":
            kept.append(None)
            continue
        if len(surface) < MIN_LETTERS or surface in stops or fold(surface) in excluded:
            kept.append(None)
            continue
        key = lemma(surface, language)
        if key in stops or fold(key) in excluded:
            kept.append(None)
            continue
        kept.append((key, surface))
    words: dict[str, Extracted] = {}
    phrases: dict[str, Extracted] = {}
    for index, item in enumerate(kept):
        if item is None:
            continue
        if len(words) < MAX_WORDS:
            words.setdefault(item[0], Extracted(item[0], item[1], 1))
        following = kept[index + 1] if index + 1 < len(kept) else None
        if following is not None and following[0] != item[0] and len(phrases) < MAX_WORDS:
            key = f"{item[0]} {following[0]}"
            phrases.setdefault(key, Extracted(key, f"{item[1]} {following[1]}", 2))
    return [*words.values(), *phrases.values()]


def excluded_words(brand_terms: list[str]) -> frozenset[str]:
    """The brands' keywords and aliases, folded, word by word ("Slack Technologies" excludes both words)."""
    return frozenset(fold(word) for term in brand_terms for word in term.split())


def index_terms(session: Session, brand_terms: list[str], batch_size: int = 2000) -> int:
    """Read every mention not read yet (and every edited one again) into mention_terms. Commits per batch;
    idempotent. Returns the number of mentions read."""
    excluded = excluded_words(brand_terms)
    marks = read_marks(session)
    done = 0
    revised_mark = int(marks.get("terms.revisions", 0))
    revised = session.execute(select(MentionRevision.id, MentionRevision.mention_id)
                              .where(MentionRevision.id > revised_mark).order_by(MentionRevision.id)).all()
    if revised:
        mention_ids = sorted({mention_id for _, mention_id in revised})
        for start in range(0, len(mention_ids), batch_size):
            chunk = mention_ids[start:start + batch_size]
            session.execute(delete(MentionTerm).where(MentionTerm.mention_id.in_(chunk)))
            done += _index(session, session.execute(_texts().where(Mention.id.in_(chunk))).all(), excluded)
        write_marks(session, {"terms.revisions": revised[-1][0]})
        session.commit()
    last_id = int(marks.get("terms.mentions", 0))
    while rows := session.execute(_texts().where(Mention.id > last_id).order_by(Mention.id).limit(batch_size)).all():
        done += _index(session, rows, excluded)
        last_id = rows[-1].id
        write_marks(session, {"terms.mentions": last_id})
        session.commit()
    return done


def _texts():
    return select(Mention.id, Mention.language, Mention.title, Mention.text, Mention.duplicate_of_id)


def _index(session: Session, rows, excluded: frozenset[str]) -> int:
    per_mention: dict[int, list[tuple[str, str]]] = {}
    new_terms: dict[tuple[str, str], Extracted] = {}
    surfaces: dict[tuple[str, str], Counter] = {}
    for row in rows:
        if row.duplicate_of_id is not None:  # counted once, through its first copy
            continue
        language = row.language or ""
        found = extract("\n".join(part for part in (row.title, row.text) if part), language, excluded)
        per_mention[row.id] = [(language, item.key) for item in found]
        for item in found:
            new_terms.setdefault((language, item.key), item)
            surfaces.setdefault((language, item.key), Counter())[item.display] += 1
    if not new_terms:
        return len(rows)
    # Display: the form most often written in the batch that first saw the term.
    terms = [{"language": language, "key": key[:200], "words": item.words,
              "display": surfaces[(language, key)].most_common(1)[0][0][:200]}
             for (language, key), item in new_terms.items()]
    for start in range(0, len(terms), 1000):
        insert_ignoring_conflicts(session, Term, terms[start:start + 1000], ["language", "key"])
    ids = _term_ids(session, list(new_terms))
    links = [{"mention_id": mention_id, "term_id": ids[(language, key[:200])]}
             for mention_id, keys in per_mention.items() for language, key in keys]
    for start in range(0, len(links), 5000):
        insert_ignoring_conflicts(session, MentionTerm, links[start:start + 5000], ["mention_id", "term_id"])
    return len(rows)


def _term_ids(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    ids: dict[tuple[str, str], int] = {}
    by_language: dict[str, list[str]] = {}
    for language, key in keys:
        by_language.setdefault(language, []).append(key[:200])
    for language, words in by_language.items():
        for start in range(0, len(words), 500):
            query = select(Term.language, Term.key, Term.id).where(Term.language == language,
                                                                  Term.key.in_(words[start:start + 500]))
            ids.update({(row.language, row.key): row.id for row in session.execute(query)})
    return ids
