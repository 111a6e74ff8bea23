"""Embeddings are computed once per mention, in the scoring pass, and stored: a rerun with nothing new costs no
encoder pass, an edited mention is embedded again, and another sentiment model costs one extra pass."""
import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from careloop.config import SentimentSettings
from sentiment.pipeline import score_stage, score_unscored
from store.embeddings import mention_vectors
from store.mentions import revise
from store.models import Mention, MentionEmbedding, SentimentScore, Source
from tests.sentiment.test_pipeline import KeywordScorer

TEXTS = ["Where is my phone? The repair has taken 35 days.", "Reklamace trvá už měsíc, nikdo neodpovídá.",
         "Отличный телефон, спасибо!"]


@pytest.fixture
def counted(default_scorer, monkeypatch):
    """Texts the e5 encoder embeds, per call."""
    calls = []
    original = type(default_scorer.encoder).embed

    def embed(self, texts):
        calls.append(list(texts))
        return original(self, texts)

    monkeypatch.setattr(type(default_scorer.encoder), "embed", embed)
    return calls


def _add(engine, texts):
    with Session(engine) as session:
        source = Source(name="reviews", type="feed", cursor={})
        session.add(source)
        session.flush()
        session.add_all(Mention(source_id=source.id, source_type="feed", external_id=str(i), text=text, text_hash=str(i))
                        for i, text in enumerate(texts))
        session.commit()


def test_one_encoder_pass_scores_and_embeds_and_a_rerun_costs_none(sqlite_engine, default_scorer, counted):
    _add(sqlite_engine, TEXTS)
    assert score_stage(sqlite_engine, SentimentSettings()) == 3
    assert [len(texts) for texts in counted] == [3]  # one pass: sentiment from the same embeddings
    with Session(sqlite_engine) as session:
        ids = list(session.scalars(select(Mention.id).order_by(Mention.id)))
        stored = mention_vectors(session, ids, default_scorer.encoder.version)
        labels = list(session.scalars(select(SentimentScore.label).order_by(SentimentScore.mention_id)))
    assert labels == [s.label for s in default_scorer.score(TEXTS)]
    counted.clear()
    fresh = default_scorer.encoder.embed(TEXTS)
    for i, mention_id in enumerate(ids):
        assert stored[mention_id].shape == (default_scorer.encoder.dim,)
        assert float(stored[mention_id] @ fresh[i]) > 0.999
    counted.clear()

    assert score_stage(sqlite_engine, SentimentSettings()) == 0
    assert counted == []  # nothing new: no encoder pass

    with Session(sqlite_engine) as session:
        revise(session, session.get(Mention, ids[0]), {"text": "The repair is done, thank you!"})
        session.commit()
    assert score_stage(sqlite_engine, SentimentSettings()) == 1
    assert counted == [["The repair is done, thank you!"]]  # only the edited mention, once
    with Session(sqlite_engine) as session:
        assert session.scalar(select(func.count()).select_from(MentionEmbedding)) == 3


def test_another_sentiment_model_costs_one_extra_pass(sqlite_engine, default_scorer, counted):
    _add(sqlite_engine, TEXTS)
    keyword = KeywordScorer()
    with Session(sqlite_engine) as session:
        assert score_unscored(session, keyword, encoder=default_scorer.encoder) == 3
        assert keyword.calls == 1 and [len(texts) for texts in counted] == [3]
        assert session.scalar(select(func.count()).select_from(MentionEmbedding)) == 3
        # a new head over the same encoder scores the stored embeddings: no pass at all
        counted.clear()
        assert score_unscored(session, default_scorer) == 3
        assert counted == []
        vectors = np.stack(list(mention_vectors(session, range(1, 4), default_scorer.encoder.version).values()))
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)


def test_a_loop_over_new_mentions_embeds_only_them(sqlite_engine, default_scorer, counted, make_config):
    """Topic examples, brand anchors and help articles are embedded once per store: the next drafting run, in any
    process, reads them back, so new mentions cost their own pass and nothing else."""
    from drafting.pipeline import draft_stage
    from tests.drafting.helpers import demo_config

    config = demo_config(make_config)
    _add(sqlite_engine, TEXTS)
    score_stage(sqlite_engine, config.sentiment)
    draft_stage(sqlite_engine, config)  # embeds the examples, anchors and articles this once
    with Session(sqlite_engine) as session:
        source = session.scalar(select(Source))
        session.add(Mention(source_id=source.id, source_type="feed", external_id="new", text="Nokia G42 battery dies by noon",
                            text_hash="new", brand="Nokia", language="en"))
        session.commit()
    counted.clear()
    assert score_stage(sqlite_engine, config.sentiment) == 1
    draft_stage(sqlite_engine, config)
    assert counted == [["Nokia G42 battery dies by noon"]]
    with Session(sqlite_engine) as session:
        assert session.scalar(select(Mention.topic).where(Mention.external_id == "new")) == "hardware"
