"""The knowledge base: help articles and saved answers the team keeps as markdown files with front matter

    ---
    title: Checking the status of a repair
    language: en
    link: https://www.example.com/support/repair-status
    topics: [repair]
    brand: Nokia            # optional: only for this brand's mentions
    ---
    Paragraphs of text …

Each paragraph is a passage, embedded once with its title (store.embeddings.text_vectors keys them by their text,
so an edited paragraph is embedded again and an unchanged one never). A mention's stored embedding is compared
with every passage, in any language (e5 puts a Czech complaint and an English article in one space); an
article scores as its best passage. Articles with the same file name in different language folders are one
article in several languages: the one in the reply's language is offered.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import yaml

log = logging.getLogger(__name__)

TOP = 3


class KnowledgeError(ValueError):
    """An article cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Article:
    key: str  # the file name without .md: the same article in other languages shares it
    title: str
    language: str
    link: str
    topics: tuple[str, ...]
    brand: str | None
    passages: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    article: Article
    passage: str
    score: float

    def as_dict(self) -> dict:
        return {"key": self.article.key, "title": self.article.title, "link": self.article.link,
                "language": self.article.language, "passage": self.passage, "score": round(self.score, 4)}


def read_article(path: Path) -> Article:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise KnowledgeError(f"{path}: an article starts with front matter between --- lines (title, language, link)")
    try:
        _, front, body = text.split("---", 2)
        meta = yaml.safe_load(front) or {}
    except (ValueError, yaml.YAMLError) as error:
        raise KnowledgeError(f"{path}: front matter is not valid YAML between --- lines: {error}") from None
    missing = [key for key in ("title", "language", "link") if not meta.get(key)]
    if missing:
        raise KnowledgeError(f"{path}: front matter lacks {missing}")
    passages = tuple(" ".join(part.split()) for part in body.split("\n\n") if part.strip())
    if not passages:
        raise KnowledgeError(f"{path}: the article has no text after its front matter")
    topics = meta.get("topics") or []
    return Article(key=path.stem, title=str(meta["title"]), language=str(meta["language"]), link=str(meta["link"]),
                   topics=tuple(map(str, topics if isinstance(topics, list) else [topics])),
                   brand=meta.get("brand"), passages=passages)


def load_articles(folder: Path) -> list[Article]:
    """Every article under `folder`. One the team broke is left out with a warning naming the file and what is
    wrong: the others still help, and drafting does not stop for it."""
    if not folder.is_dir():
        raise KnowledgeError(f"{folder}: knowledge.path is not a folder")
    articles = []
    for path in sorted(folder.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            articles.append(read_article(path))
        except (KnowledgeError, UnicodeDecodeError) as error:
            log.warning("knowledge base: %s left out: %s", path, error)
    return articles


class KnowledgeBase:
    def __init__(self, articles: Sequence[Article], embed: Callable[[list[str]], np.ndarray]):
        self.articles = list(articles)
        self.owner = [(article, passage) for article in self.articles for passage in article.passages]
        texts = [f"{article.title}\n{passage}" for article, passage in self.owner]
        self.vectors = embed(texts) if texts else np.zeros((0, 1), np.float32)

    def search(self, vector: np.ndarray, language: str | None = None, brand: str | None = None, top: int = TOP) -> list[Match]:
        """The `top` best articles (one per key, in `language` where it exists) with their best passage."""
        if not self.owner:
            return []
        scores = self.vectors @ np.asarray(vector, dtype=np.float32)
        best: dict[str, Match] = {}
        for index in np.argsort(-scores):
            article, passage = self.owner[index]
            if article.brand not in (None, brand):
                continue
            if article.key not in best:
                best[article.key] = Match(article, passage, float(scores[index]))
            if len(best) >= top * 2:
                break
        ranked = sorted(best.values(), key=lambda match: -match.score)[:top]
        return [self._in_language(match, language, scores) for match in ranked]

    def _in_language(self, match: Match, language: str | None, scores: np.ndarray) -> Match:
        same = [i for i, (article, _) in enumerate(self.owner)
                if article.key == match.article.key and article.language == language]
        if not same or match.article.language == language:
            return match
        article, passage = self.owner[max(same, key=lambda i: scores[i])]
        return Match(article, passage, match.score)
