from careloop.config import Brand
from ingest.matching import BrandMatcher

SKODA = Brand(name="Škoda", keywords=["Škoda"], aliases=["Škodovka", "Шкода"], exclude=["škoda, že"])
SLACK = Brand(name="Slack", keywords=["Slack", "Slack Technologies"], exclude=["slack adjuster"])


def match(text, brands=(SKODA, SLACK), only=None):
    found = BrandMatcher(list(brands)).match(text, only=only)
    return (found.brand, found.keywords) if found else None


def test_diacritics_and_case_insensitive():
    for text in ("Nová skoda octavia", "ŠKODA vydala update", "moje škoda jede"):
        assert match(text)[0] == "Škoda", text


def test_whole_words_only():
    assert match("Skodacar is not it") is None
    assert match("slacker culture") is None
    assert match("(Slack) is down!")[0] == "Slack"


def test_cyrillic_keyword_and_case():
    assert match("Купил новую ШКОДА вчера")[0] == "Škoda"
    assert match("шкода лучше всех") == ("Škoda", ["Шкода"])


def test_exclusion_word_drops_mention():
    assert match("Automotive slack adjuster market report") is None
    assert match("Škoda, že to nevyšlo") is None  # Czech "škoda" = "a pity"


def test_multi_word_keywords_are_recorded():
    assert match("Slack  Technologies reports revenue") == ("Slack", ["Slack Technologies"])
    assert match("Slack Technologies owns Slack") == ("Slack", ["Slack", "Slack Technologies"])


def test_source_bound_brand_matches_without_keyword():
    assert match("Doručení rychlé, spokojenost", only="Škoda") == ("Škoda", [])
    assert match("Slack is great", only="Škoda") == ("Škoda", [])
