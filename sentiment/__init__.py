"""Sentiment stage: negative/neutral/positive, a signed score and a confidence for every mention.

    from sentiment import load_scorer
    load_scorer().score(["Skvělá služba!", "Доставка опять опоздала."])
"""
from .scorer import Scorer, load_scorer
from .scores import Score, stars_to_score

__all__ = ["Score", "Scorer", "load_scorer", "stars_to_score"]
