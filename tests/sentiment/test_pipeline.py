"""Scoring stage over the store: stars win, model opinion kept, rescoring keeps history, agents are not overruled."""
import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentiment.pipeline import disagreements, rescore, score_unscored, sentiment_stats
from sentiment.scores import Score
from store.models import Mention, SentimentScore, Source


class KeywordScorer:
    """Fast stand-in for a model: 'bad' -> negative, 'good' -> positive, else neutral."""

    device = "cpu"

    def __init__(self, name="kw", version="1", flip=False):
        self.name, self.version, self.flip, self.calls = name, version, flip, 0

    def score(self, texts):
        self.calls += 1
        out = []
        for t in texts:
            pos, neg = "good" in t, "bad" in t
            if self.flip:
                pos, neg = neg, pos
            out.append(Score("positive", 0.8, 0.9) if pos else Score("negative", -0.7, 0.8) if neg
                       else Score("neutral", 0.0, 0.6))
        return out


class FakeEncoder:
    """Stand-in for the e5 encoder: a fixed unit vector per text."""

    version = "fake-e5"

    def embed(self, texts):
        return np.eye(4, dtype=np.float32)[[len(text) % 4 for text in texts]]


@pytest.fixture
def session(sqlite_engine):
    """A migrated SQLite store with five mentions, two of them rated."""
    with Session(sqlite_engine) as s:
        src = Source(name="reviews", type="rss", cursor={})
        s.add(src)
        s.flush()
        for i, (text, rating) in enumerate([("good stuff", None), ("bad service", None), ("meh", None),
                                            ("bad but cheap", 5.0), ("good looking", 1.0)]):
            s.add(Mention(source_id=src.id, source_type="rss", external_id=str(i), text=text,
                          text_hash=str(i), rating=rating))
        s.commit()
        yield s


def _current(session):
    return {m.text: (m.sentiment_label, m.sentiment_source) for m in session.scalars(select(Mention))}


def test_score_unscored_uses_stars_and_keeps_model_opinion(session):
    assert score_unscored(session, KeywordScorer(), batch_size=2) == 5
    cur = _current(session)
    assert cur["good stuff"] == ("positive", "model")
    assert cur["bad service"] == ("negative", "model")
    assert cur["meh"] == ("neutral", "model")
    assert cur["bad but cheap"] == ("positive", "stars")  # 5 stars beat the model
    assert cur["good looking"] == ("negative", "stars")
    assert session.scalar(select(func.count()).select_from(SentimentScore)) == 5
    m = session.scalar(select(Mention).where(Mention.text == "bad but cheap"))
    assert m.sentiment_score == 1.0
    # the model's opinion of the rated mentions is stored, so disagreements can be listed
    assert {m.text for m, _ in disagreements(session, KeywordScorer())} == {"bad but cheap", "good looking"}


def test_score_unscored_is_idempotent(session):
    scorer = KeywordScorer()
    score_unscored(session, scorer)
    calls = scorer.calls
    assert score_unscored(session, scorer) == 0
    assert scorer.calls == calls
    assert session.scalar(select(func.count()).select_from(SentimentScore)) == 5


def test_rescore_keeps_old_scores_and_updates_current(session):
    score_unscored(session, KeywordScorer("kw", "1"))
    agent = session.scalar(select(Mention).where(Mention.text == "meh"))
    agent.sentiment_label, agent.sentiment_source = "negative", "agent"
    session.commit()
    assert rescore(session, KeywordScorer("kw", "2", flip=True)) == 5
    rows = session.execute(select(SentimentScore.model_version, func.count()).group_by(SentimentScore.model_version)).all()
    assert dict(rows) == {"1": 5, "2": 5}  # nothing deleted
    cur = _current(session)
    assert cur["good stuff"] == ("negative", "model")  # the new model's opinion is current
    assert cur["meh"] == ("negative", "agent")  # never overwrite an agent
    assert cur["bad but cheap"] == ("positive", "stars")
    # going back to the old model restores its opinion without new rows
    assert rescore(session, KeywordScorer("kw", "1")) == 0
    assert _current(session)["good stuff"] == ("positive", "model")


def test_sentiment_stats(session):
    assert sentiment_stats(session) == {"by_sentiment": {"negative": 0, "neutral": 0, "positive": 0, "unscored": 5}}
    score_unscored(session, KeywordScorer())
    assert sentiment_stats(session) == {"by_sentiment": {"negative": 2, "neutral": 1, "positive": 2, "unscored": 0}}


def test_score_stage_with_nothing_to_score_loads_no_model(sqlite_engine, monkeypatch):
    """A score flow runs every few minutes; loading the model costs seconds, so an idle run must not."""
    import sentiment.pipeline as pipeline
    from careloop.config import SentimentSettings
    from sentiment.scorer import scorer_identity

    settings = SentimentSettings(model="vader")
    loads = []
    monkeypatch.setattr(pipeline, "load_scorer", lambda *args, **kwargs: loads.append(args) or KeywordScorer(*scorer_identity("vader")))
    # another model than e5's head: its embeddings come from the e5 encoder, loaded with it (here a stand-in)
    monkeypatch.setattr(pipeline, "encoder_identity", lambda *args: "fake-e5")
    monkeypatch.setattr(pipeline, "get_encoder", lambda *args, **kwargs: loads.append("encoder") or FakeEncoder())
    with Session(sqlite_engine) as s:
        s.add(Source(name="news", type="feed", cursor={}))
        s.flush()
        s.add(Mention(source_id=1, source_type="feed", external_id="1", text="bad", text_hash="1"))
        s.commit()
    assert pipeline.score_stage(sqlite_engine, settings) == 1 and len(loads) == 2
    assert pipeline.score_stage(sqlite_engine, settings) == 0 and len(loads) == 2  # nothing left: no load
