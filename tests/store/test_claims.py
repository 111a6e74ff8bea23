"""Work claims on SQLite and PostgreSQL: workers share a stage's work instead of racing for it."""
import threading
import time
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentiment.pipeline import score_unscored
from sentiment.scores import Score
from store.claims import claim, unclaimed
from store.models import Mention, SentimentScore, Source, WorkClaim
from store.mentions import get_or_create_source

LEASE = timedelta(minutes=10)


def add_mentions(engine, count: int) -> None:
    with Session(engine) as session:
        source = get_or_create_source(session, "news", "feed")
        session.add_all([Mention(source_id=source.id, source_type="feed", external_id=str(i), text=f"text {i}",
                                 text_hash=str(i)) for i in range(count)])
        session.commit()


def candidates(limit: int):
    return select(Mention.id).where(unclaimed("t", Mention.id, LEASE)).order_by(Mention.id).limit(limit)


def test_two_workers_get_different_batches_and_a_dead_workers_claims_are_taken_over(engine):
    add_mentions(engine, 10)
    with Session(engine) as one, Session(engine) as two:
        first = claim(one, "t", candidates(4), LEASE, worker="one")
        second = claim(two, "t", candidates(4), LEASE, worker="two")
        assert len(first) == len(second) == 4 and not set(first) & set(second)
        # the same ids read by both before either claimed them: the primary key gives each row to one of them
        both = list(one.scalars(select(Mention.id).order_by(Mention.id.desc()).limit(2)))
        assert claim(one, "t", select(Mention.id).where(Mention.id.in_(both)), LEASE, worker="one") == sorted(both)
        assert claim(two, "t", select(Mention.id).where(Mention.id.in_(both)), LEASE, worker="two") == []
        # worker one died: after the lease its claims go to whoever asks
        assert claim(two, "t", select(Mention.id).where(Mention.id.in_(first)), timedelta(0), worker="two") == first
        assert two.scalar(select(func.count()).select_from(WorkClaim).where(WorkClaim.claimed_by == "two")) == 8


class SlowScorer:
    """Takes its time per batch, as a model does, and remembers what it scored."""

    name, version, device = "slow", "1", "cpu"

    def __init__(self):
        self.seen: list[str] = []

    def score(self, texts):
        time.sleep(0.05)
        self.seen += texts
        return [Score("neutral", 0.0, 0.5) for _ in texts]


def test_workers_scoring_side_by_side_share_the_mentions_without_overlap(engine):
    add_mentions(engine, 120)
    workers = [SlowScorer() for _ in range(3)]

    def work(scorer):
        with Session(engine) as session:
            score_unscored(session, scorer, batch_size=10)

    threads = [threading.Thread(target=work, args=(scorer,)) for scorer in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seen = [text for scorer in workers for text in scorer.seen]
    assert len(seen) == len(set(seen)) == 120  # every mention scored once, by one worker
    assert sum(1 for scorer in workers if scorer.seen) >= 2  # the work was shared
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(SentimentScore)) == 120
        assert session.scalar(select(func.count()).select_from(WorkClaim)) == 0  # released with the results
