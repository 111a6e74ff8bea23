"""Language of each mention, by lingua restricted to the configured languages."""
from __future__ import annotations

from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

MIN_CHARS = 3


@lru_cache(maxsize=8)
def _detector(codes: tuple[str, ...]):
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in codes]
    # Preloading costs a second once but keeps every later call fast.
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def detect_language(text: str, codes: tuple[str, ...]) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence 0–1), or (None, None) when the text is too short to tell."""
    text = text.strip()
    if len(text) < MIN_CHARS or not codes:
        return None, None
    if len(codes) == 1:
        return codes[0], 1.0
    values = _detector(tuple(sorted(codes))).compute_language_confidence_values(text[:2000])
    if not values:
        return None, None
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), round(best.value, 4)
