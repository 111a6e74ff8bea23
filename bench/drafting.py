"""Drafting benchmark (issue 15): do drafts answer the actual message, and what does understanding cost?

    PYTHONPATH=. .venv/bin/python bench/drafting.py              # ~2 min on 2 shared cores
    PYTHONPATH=. .venv/bin/python bench/drafting.py --copies 20  # throughput over 20 copies of the demo mentions

Prints: topic accuracy and macro-F1 per language (tests/data/topics_labelled.tsv); relevance precision/recall of
"not about us" (tests/data/relevance_labelled.tsv), by the default and learnt from those rows as agents' decisions;
knowledge-base top-1/top-3 hit rates on question → article pairs (tests/data/kb_questions.tsv, cross-lingual
sk/ru → cs/en articles apart); language accuracy on short cs/sk texts without and with the source's prior; on
the demo (ingested and scored into a temporary SQLite file): the share of drafts an automatic check calls generic,
and drafts_approved_unedited when a simulated agent approves what names the problem and edits the rest, before
this issue (the rules of the old example config, no topics, no articles) and after; drafting throughput with
embeddings stored, and the added cost per mention over drafting without understanding.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
DATA = ROOT / "tests" / "data"
# A draft from one of these names the problem: the topic replies and the known-issue reply. The others are the
# general replies every mention in a language used to get.
SPECIFIC = ("/topic/", "/known_issue.j2")


def topic_figures(encoder, config) -> dict:
    from sentiment.data import read_rows
    from sentiment.evaluate import metrics, per_language
    from understanding.topics import build_classifier

    rows = list(read_rows(DATA / "topics_labelled.tsv"))
    classifier = build_classifier(config.topics, encoder.embed)
    gold = [row["label"] for row in rows]
    pred = [g.topic or "unknown" for g in classifier.classify(encoder.embed([row["text"] for row in rows]))]
    overall = metrics(gold, pred, classifier.topics)
    return {"n": overall["n"], "accuracy": overall["accuracy"], "macro_f1": overall["macro_f1"],
            "per_language": per_language(gold, pred, [row["lang"] for row in rows], classifier.topics)}


def relevance_figures(encoder, config) -> dict:
    from sentiment.data import read_rows
    from understanding.cli import precision_recall
    from understanding.relevance import RelevanceModel, care_phrases
    from understanding.topics import topic_examples

    rows = list(read_rows(DATA / "relevance_labelled.tsv"))
    model = RelevanceModel(config.brands, encoder.embed, config.relevance.min_margin,
                           care=care_phrases(topic_examples(config.topics)))
    vectors = encoder.embed([row["text"] for row in rows])
    return precision_recall(rows, [model.judge(row["brand"], v).relevance for row, v in zip(rows, vectors)])


def learnt_relevance_figures(encoder) -> dict:
    """Each brand's labelled rows taken as agents' decisions: the learnt model's precision and recall of "not about
    us", 10-fold cross-validated (rows shuffled with a fixed seed, so every fold holds both labels)."""
    import numpy as np

    from sentiment.data import read_rows
    from understanding.relevance_training import cross_validated

    rows = list(read_rows(DATA / "relevance_labelled.tsv"))
    figures = {}
    for brand in sorted({row["brand"] for row in rows}):
        own = [rows[i] for i in np.random.default_rng(0).permutation(len(rows)) if rows[i]["brand"] == brand]
        labels = np.array([row["label"] == "not_about" for row in own])
        precision, recall = cross_validated(encoder.embed([row["text"] for row in own]), labels)
        figures[brand] = {"n": len(own), "precision": precision, "recall": recall}
    return figures


def knowledge_figures(encoder, config) -> dict:
    from sentiment.data import read_rows
    from understanding.knowledge import KnowledgeBase, load_articles

    knowledge = KnowledgeBase(load_articles(config.knowledge.path), encoder.embed)
    rows = list(read_rows(DATA / "kb_questions.tsv"))
    vectors = encoder.embed([row["text"] for row in rows])
    found = [[m.article.key for m in knowledge.search(v, row["lang"], "Nokia")] for row, v in zip(rows, vectors)]

    def rates(selected):
        pairs = [(row, keys) for row, keys in zip(rows, found) if selected(row)]
        return {"n": len(pairs), "top1": sum(keys[0] == row["article"] for row, keys in pairs) / len(pairs),
                "top3": sum(row["article"] in keys for row, keys in pairs) / len(pairs)}

    return {"all": rates(lambda row: True), "same_language": rates(lambda row: row["lang"] in ("en", "cs")),
            "cross_lingual": rates(lambda row: row["lang"] in ("sk", "ru"))}


def language_figures() -> dict:
    from ingest.language import detect_language
    from sentiment.data import read_rows

    rows = list(read_rows(DATA / "language_short_cs_sk.jsonl"))
    codes = ("en", "cs", "sk", "ru", "de", "pl")
    prior = {"heureka.cz": "cs", "heureka.sk": "sk"}
    out = {}
    for name, choose in (("lingua alone", lambda row: None), ("with the source's prior", lambda row: prior[row["source"]])):
        out[name] = {lang: sum(detect_language(row["text"], codes, choose(row))[0] == lang for row in rows if row["lang"] == lang)
                     / sum(row["lang"] == lang for row in rows) for lang in ("cs", "sk")}
    return out


def demo_figures(config, copies: int) -> dict:
    from sqlalchemy import delete, func, select

    from drafting.decisions import approve
    from drafting.pipeline import draft_mentions
    from drafting.stats import approved_unedited
    from ingest.pipeline import ingest_all
    from sentiment.pipeline import score_stage
    from store.db import connect, session_scope
    from store.models import Draft, DraftEvent, MentionEmbedding, OutboxMessage

    before_config = _without_this_issue(config)
    with tempfile.TemporaryDirectory() as folder:
        engine = connect(f"sqlite:///{folder}/bench.db")
        ingest_all(engine, config)
        score_stage(engine, config.sentiment)
        figures = {}
        for name, used in (("before", before_config), ("after", config)):
            with session_scope(engine) as session:
                draft_mentions(session, used)
                drafts = session.scalars(select(Draft).where(Draft.kind == "reply", Draft.status == "pending")).all()
                generic = [d for d in drafts if not any(part in (d.template or "") for part in SPECIFIC)]
                for draft in drafts:  # the simulated agent
                    specific = draft not in generic
                    approve(session, draft.id, "bench", None if specific else draft.text + "\n\n(edited)")
                complaints = [d for d in drafts if d.mention.sentiment_label == "negative"]
                figures[name] = {"drafts": len(drafts), "generic_share": len(generic) / len(drafts),
                                 "complaints": len(complaints),
                                 "generic_complaints": sum(d in generic for d in complaints) / max(len(complaints), 1),
                                 "drafts_approved_unedited": approved_unedited(session)}
                for model in (OutboxMessage, DraftEvent, Draft):
                    session.execute(delete(model))
        mentions = _copy_mentions(engine, copies)
        timings = {}
        for name, keep_embeddings in (("with understanding", True), ("without (today's drafting)", False)):
            with session_scope(engine) as session:
                for model in (DraftEvent, Draft):
                    session.execute(delete(model))
                if not keep_embeddings:
                    session.execute(delete(MentionEmbedding))
            with session_scope(engine) as session:
                start = time.perf_counter()
                draft_mentions(session, config)
                timings[name] = time.perf_counter() - start
        with session_scope(engine) as session:
            drafted = session.scalar(select(func.count()).select_from(Draft).where(Draft.kind == "reply"))
        engine.dispose()
    figures["throughput"] = {"mentions": mentions, "drafted": drafted,
                             "mentions_per_second": mentions / timings["with understanding"],
                             "added_ms_per_mention": 1000 * (timings["with understanding"] - timings["without (today's drafting)"]) / mentions}
    return figures


def _without_this_issue(config):
    """The demo configuration as it was: no topic rules (so no topic replies) and no knowledge base."""
    replies = config.replies.model_copy(update={"rules": [rule for rule in config.replies.rules if not rule.topic]})
    knowledge = config.knowledge.model_copy(update={"path": None})
    return config.model_copy(update={"replies": replies, "knowledge": knowledge})


def _copy_mentions(engine, copies: int) -> int:
    """`copies` more of every demo mention with its stored embedding (new external ids), for a throughput figure."""
    from sqlalchemy import select

    from store.db import session_scope
    from store.models import Mention, MentionEmbedding

    with session_scope(engine) as session:
        originals = session.execute(select(Mention, MentionEmbedding).join(MentionEmbedding, MentionEmbedding.mention_id == Mention.id)).all()
        for copy in range(copies):
            for mention, embedding in originals:
                columns = {c.key: getattr(mention, c.key) for c in Mention.__table__.columns if c.key not in ("id", "duplicate_of_id")}
                clone = Mention(**{**columns, "external_id": f"{mention.external_id}#copy{copy}"})
                session.add(clone)
                session.flush()
                session.add(MentionEmbedding(mention_id=clone.id, encoder=embedding.encoder, vector=embedding.vector))
        return session.query(Mention).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="copies of the demo mentions for the throughput figure")
    args = parser.parse_args()
    import careloop.stages  # noqa: F401  (configuration learns the source types, as under the CLI)
    from careloop.config import load_config
    from understanding.embedder import load_encoder

    config = load_config(ROOT / "examples" / "careloop.yaml")
    encoder = load_encoder(config.sentiment)
    started = time.perf_counter()
    topics = topic_figures(encoder, config)
    print(f"## Topics (tests/data/topics_labelled.tsv, n={topics['n']})\naccuracy {topics['accuracy']:.3f}, macro-F1 {topics['macro_f1']:.3f}")
    for lang, m in topics["per_language"].items():
        print(f"  {lang}: accuracy {m['accuracy']:.3f}  macro-F1 {m['macro_f1']:.3f}  (n={m['n']})")
    relevance = relevance_figures(encoder, config)
    print(f"\n## Relevance (tests/data/relevance_labelled.tsv, n={relevance['n']})\n"
          f"precision {relevance['precision']:.3f}, recall {relevance['recall']:.3f} of \"not about us\"")
    print("learnt from the same rows as agents' decisions (per brand, 10-fold cross-validated):")
    for brand, m in learnt_relevance_figures(encoder).items():
        print(f"  {brand}: precision {m['precision']:.3f}  recall {m['recall']:.3f}  (n={m['n']})")
    knowledge = knowledge_figures(encoder, config)
    print("\n## Knowledge base (tests/data/kb_questions.tsv)")
    for name, m in knowledge.items():
        print(f"  {name}: top-1 {m['top1']:.3f}  top-3 {m['top3']:.3f}  (n={m['n']})")
    print("\n## Language of short cs/sk review texts (tests/data/language_short_cs_sk.jsonl, 100 each)")
    for name, m in language_figures().items():
        print(f"  {name}: cs {m['cs']:.2f}  sk {m['sk']:.2f}  mean {(m['cs'] + m['sk']) / 2:.3f}")
    demo = demo_figures(config, args.copies)
    print("\n## Demo drafts (pending replies; simulated agent: approves what names the problem, edits the rest)")
    for name in ("before", "after"):
        m = demo[name]
        print(f"  {name} issue 15: {m['drafts']} drafts, generic {m['generic_share']:.2f} (complaints: "
              f"{m['generic_complaints']:.2f} of {m['complaints']}), "
              f"drafts_approved_unedited {m['drafts_approved_unedited']:.2f}")
    t = demo["throughput"]
    print(f"\n## Drafting throughput ({t['mentions']} mentions, embeddings stored, {t['drafted']} reply rows)\n"
          f"{t['mentions_per_second']:.0f} mentions/s; understanding adds {t['added_ms_per_mention']:.2f} ms per mention")
    print(f"\n(total {time.perf_counter() - started:.0f} s; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
