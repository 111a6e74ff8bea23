"""The knowledge base: articles read from markdown with front matter, passages embedded once (again only when
changed), the right article found across languages, offered beside the draft and woven into it with its link."""
import numpy as np
import pytest
from sqlalchemy import func, select

from sentiment.data import read_rows
from store.db import session_scope
from store.embeddings import text_vectors
from store.models import TextEmbedding
from tests.conftest import REPO
from understanding.knowledge import KnowledgeBase, KnowledgeError, load_articles, read_article

KB = REPO / "examples" / "knowledge"


@pytest.fixture(scope="session")
def knowledge(encoder):
    return KnowledgeBase(load_articles(KB), encoder.embed)


def test_demo_knowledge_base_has_twenty_articles_in_english_and_czech():
    articles = load_articles(KB)
    assert len(articles) == 20 and {a.language for a in articles} == {"en", "cs"}
    assert all(a.link.startswith("https://www.hmd.com/") and a.topics and len(a.passages) >= 2 for a in articles)


def test_bad_articles_name_the_file(tmp_path, caplog):
    (tmp_path / "no-front.md").write_text("Just text", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="no-front.md.*front matter"):
        read_article(tmp_path / "no-front.md")
    (tmp_path / "no-link.md").write_text("---\ntitle: T\nlanguage: en\n---\nText", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"no-link.md: front matter lacks \['link'\]"):
        read_article(tmp_path / "no-link.md")
    (tmp_path / "good.md").write_text("---\ntitle: T\nlanguage: en\nlink: https://x.example\n---\nText", encoding="utf-8")
    with caplog.at_level("WARNING"):
        assert [article.key for article in load_articles(tmp_path)] == ["good"]  # the broken two are left out
    assert "no-front.md left out" in caplog.text and "no-link.md left out" in caplog.text


def test_top3_finds_the_article_in_any_language(knowledge, encoder):
    rows = list(read_rows(REPO / "tests/data/kb_questions.tsv"))
    vectors = encoder.embed([row["text"] for row in rows])
    hits = [[m.article.key for m in knowledge.search(vector, row["lang"], "Nokia")] for row, vector in zip(rows, vectors)]
    top3 = np.mean([row["article"] in keys for row, keys in zip(rows, hits)])
    cross = [row["article"] in keys for row, keys in zip(rows, hits) if row["lang"] in ("sk", "ru")]
    assert len(rows) >= 50 and top3 >= 0.85 and np.mean(cross) >= 0.85
    czech = knowledge.search(encoder.embed(["Baterie se vybije za dvě hodiny"])[0], "cs", "Nokia")[0]
    assert czech.article.key == "battery" and czech.article.language == "cs" and 0 < czech.score <= 1
    assert knowledge.search(vectors[0], "ru", "Slack") == []  # every demo article is Nokia's


def test_passages_are_embedded_once_and_again_only_when_changed(sqlite_engine, encoder):
    calls = []

    def embed(texts):
        calls.append(len(texts))
        return encoder.embed(texts)

    passages = ["Orders ship within two working days.", "Refunds take up to 14 days."]
    with session_scope(sqlite_engine) as session:
        text_vectors(session, passages, "e5", embed)
    with session_scope(sqlite_engine) as session:
        again = text_vectors(session, passages + ["Refunds take up to 14 days."], "e5", embed)
        assert calls == [2] and again.shape == (3, encoder.dim)
        text_vectors(session, ["Orders ship within one working day.", passages[1]], "e5", embed)
        assert calls == [2, 1]  # only the edited passage
        assert session.scalar(select(func.count()).select_from(TextEmbedding)) == 3
