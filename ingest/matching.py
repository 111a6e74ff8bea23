"""Brand matching: whole words, case- and diacritics-insensitive (Škoda = skoda = ŠKODA), Latin and Cyrillic."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from careloop.config import Brand


def fold(text: str) -> str:
    """Lower-case and strip diacritics, keeping letters of every script (й → и, č → c)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _pattern(terms: list[str]) -> re.Pattern | None:
    folded = sorted({fold(term).strip() for term in terms if term.strip()}, key=len, reverse=True)
    if not folded:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, term.split())) for term in folded)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@dataclass(frozen=True)
class BrandMatch:
    brand: str
    keywords: list[str]


class BrandMatcher:
    def __init__(self, brands: list[Brand]):
        self._rules = []
        for brand in brands:
            terms = {fold(term).strip(): term for term in brand.terms}
            self._rules.append((brand, _pattern(brand.terms), _pattern(brand.exclude), terms))

    def match(self, *texts: str | None, only: str | None = None) -> BrandMatch | None:
        """The first brand whose keyword occurs and none of whose exclusion words do.

        `only` names a brand a source belongs to: its items match it even without a keyword.
        """
        folded = fold("\n".join(text for text in texts if text))
        for brand, include, exclude, terms in self._rules:
            if only is not None and brand.name != only:
                continue
            if exclude is not None and exclude.search(folded):
                continue
            found = sorted({" ".join(hit.split()) for hit in include.findall(folded)}) if include else []
            if found or only is not None:
                return BrandMatch(brand.name, [terms.get(hit, hit) for hit in found])
        return None


@lru_cache(maxsize=32)
def _cached(brands_json: tuple[str, ...]) -> BrandMatcher:
    return BrandMatcher([Brand.model_validate_json(brand) for brand in brands_json])


def matcher_for(brands: list[Brand]) -> BrandMatcher:
    """One compiled matcher per brand list, reused across runs in a process."""
    return _cached(tuple(brand.model_dump_json() for brand in brands))
