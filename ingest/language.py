"""Language of each mention, by lingua restricted to the configured languages, and what the source knows.

Short Czech and Slovak texts are close to a coin toss for any detector ("Rychlé dodání", "Super appka"), but the
source often knows: a Heureka.cz review is most likely Czech, Heureka.sk Slovak, an App Store review comes from a
country's storefront. That prior multiplies lingua's confidence values (the prior's language counts PRIOR_ODDS
times as much as the text alone says), so a clearly English review on Heureka.cz stays English while a toss-up
goes the source's way. Google Play states each review's language: taken as it is. On 200 short cs/sk review
texts (tests/data/language_short_cs_sk.jsonl) accuracy goes from 0.85 to 0.96 (Czech 0.77 → 0.92, Slovak
0.92 → 0.99); should the source be wrong, 0.55 (bench/drafting.py).
"""
from __future__ import annotations

from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

MIN_CHARS = 3
PRIOR_ODDS = 5  # 10× flipped too many texts when the source was wrong (0.36 accuracy then, 0.55 at 5×)
# App Store storefront country → the language most of its reviews are in
STOREFRONT_LANGUAGES = {"cz": "cs", "sk": "sk", "ru": "ru", "by": "ru", "kz": "ru", "pl": "pl", "de": "de", "at": "de",
                        "us": "en", "gb": "en", "ie": "en", "au": "en", "ca": "en", "nz": "en"}


def _detector(codes: tuple[str, ...]):
    """One detector per set of languages, whatever their order (prepare_detector builds the one detect_language uses)."""
    return _built(tuple(sorted(codes)))


@lru_cache(maxsize=8)
def _built(codes: tuple[str, ...]):
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in codes]
    # Preloading costs a second once but keeps every later call fast.
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def prepare_detector(codes: tuple[str, ...]) -> None:
    """Build the detector ahead of storing: with preloaded models for the demo's languages it takes ~8.5 s, and built
    inside the store's write transaction it held SQLite's write lock that long, so sources ingested in parallel
    gave up waiting ("database is locked")."""
    if len(codes) > 1:
        _detector(codes)


def detect_language(text: str, codes: tuple[str, ...], prior: str | None = None,
                    stated: bool = False) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence 0–1), or (None, None) when the text is too short to tell. `prior`: the
    language the source suggests (source_language), weighed against the text's evidence; `stated`: the source
    states it for this item, so it is the answer."""
    text = text.strip()
    if len(text) < MIN_CHARS or not codes:
        return None, None
    if len(codes) == 1:
        return codes[0], 1.0
    values = _detector(codes).compute_language_confidence_values(text[:2000])
    if not values:
        return None, None
    scores = {value.language.iso_code_639_1.name.lower(): value.value for value in values}
    if prior in scores and stated:
        return prior, 1.0
    if prior in scores:
        scores[prior] *= PRIOR_ODDS
    total = sum(scores.values())
    if total <= 0:
        return None, None
    best = max(scores, key=scores.get)
    return best, round(scores[best] / total, 4)


STATED = frozenset({"googleplay"})  # sources that state each item's language: taken as it is (see source_language)


def source_language(source_type: str, options: dict, extra: dict | None) -> str | None:
    """The language a source suggests for an item: Heureka's country, the App Store storefront, Google Play's
    reviewer language; None for sources that do not say. Google Play's is stated per review, so it is taken
    as the language (when it is a configured one): lingua's rules call some plain Czech reviews Slovak with
    certainty ("Po poslední aktualizaci nejde přihlášení … k ničemu": Slovak 1.0), which no prior can outweigh."""
    if source_type == "heureka":
        return {"cz": "cs", "sk": "sk"}.get(str(options.get("country", "cz")).lower())
    if source_type == "appstore":
        return STOREFRONT_LANGUAGES.get(str(options.get("country", "us")).lower())
    if source_type == "googleplay":
        stated = str((extra or {}).get("reviewer_language") or "")
        return stated[:2].lower() or None
    return None
