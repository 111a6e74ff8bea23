"""Template selection by the rule table, rendering in every language, and the quality checks."""
import pytest

from drafting.checks import problems_in
from drafting.facts import Facts, known_issue_for
from drafting.signatures import default_signature
from drafting.templates import BUNDLED_TEMPLATES, context_for, render, select_template

from .helpers import demo_config


@pytest.fixture
def config(make_config):
    return demo_config(make_config)


def facts(config, text="", *, sentiment="neutral", language="en", source_type="feed", rating=None, brand="Nokia",
          question=False):
    return Facts(sentiment=sentiment, language=language, source_type=source_type, rating=rating, brand=brand, text=text,
                 question=question, known_issue=known_issue_for(text, brand, list(config.known_issues)))


@pytest.mark.parametrize("case, expected", [
    (dict(sentiment="negative", language="cs", source_type="heureka", rating=1), "cs/review_negative.j2"),
    (dict(sentiment="negative", language="cs", source_type="heureka", rating=2), "cs/review_negative.j2"),
    (dict(sentiment="negative", language="cs", source_type="heureka", rating=3), "cs/complaint.j2"),
    (dict(sentiment="negative", language="sk", source_type="appstore", rating=1), "sk/review_negative.j2"),
    (dict(sentiment="negative", language="ru", source_type="reddit"), "ru/complaint.j2"),
    (dict(sentiment="neutral", language="en", source_type="reddit", question=True), "en/question.j2"),
    (dict(sentiment="positive", language="sk", source_type="feed"), "sk/praise.j2"),
    (dict(sentiment="neutral", language="en", source_type="feed"), "en/default.j2"),
    # A known issue wins over everything else, even over a one-star review.
    (dict(text="Moje G42 se po aktualizaci restartuje při nabíjení", sentiment="negative", language="cs",
          source_type="heureka", rating=1), "cs/known_issue.j2"),
    (dict(text="G42 перезагружается на зарядке", sentiment="negative", language="ru"), "ru/known_issue.j2"),
    # The same symptom on another brand, or without the product, is not the known issue.
    (dict(text="Slack restarts when my G42 charges", sentiment="negative", brand="Slack"), "en/complaint.j2"),
    (dict(text="my laptop restarts while charging", sentiment="negative"), "en/complaint.j2"),
])
def test_rule_table_picks_the_first_matching_template(config, case, expected):
    language = case.get("language", "en")
    assert select_template(facts(config, **case), config.replies, language) == expected


@pytest.mark.parametrize("language", ["en", "cs", "sk", "ru"])
@pytest.mark.parametrize("kind", ["praise", "complaint", "question", "review_negative", "known_issue", "default"])
def test_every_bundled_template_renders_a_clean_unsigned_reply(config, language, kind):
    """The approving agent signs at approval (drafting/signatures.py), so the draft names no agent."""
    mention_facts = facts(config, "G42 restart", sentiment="negative", language=language)
    text = render(BUNDLED_TEMPLATES, f"{language}/{kind}.j2", context_for(mention_facts, "Jana", config, language))
    assert problems_in(text, "reddit", config.replies) == []
    assert "Petra" not in text  # the brand's sign_as no longer signs every reply
    signature = default_signature("Olga", "Nokia", language, config)
    assert "Olga" in signature and "Nokia" in signature and "\n" not in signature
    if kind == "known_issue":
        assert config.known_issues[0].note[language] in text and "https://www.hmd.com/en_int/support" in text


@pytest.mark.parametrize("author", ["{{ 7*7 }}", "{% for x in ().__class__.__base__.__subclasses__() %}{% endfor %}",
                                    "{{ cycler.__init__.__globals__.os.popen('id').read() }}"])
def test_template_syntax_in_an_author_name_is_never_evaluated_nor_repeated(config, author):
    text = render(BUNDLED_TEMPLATES, "en/praise.j2", context_for(facts(config), author, config, "en"))
    assert text.startswith("Hi there,") and author[:20] not in text and "49" not in text
    assert not problems_in(text, "reddit", config.replies)


def test_sandbox_stops_a_template_from_reaching_python_internals(config, tmp_path):
    from jinja2.exceptions import SecurityError

    (tmp_path / "evil.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        render(tmp_path, "evil.j2", {})


def test_checks_name_every_problem(config):
    assert [p.message for p in problems_in("", "reddit", config.replies)] == ["the reply is empty"]
    found = [p.message for p in problems_in("Hi ,\n\nsee https://evil.example/x and https://www.hmd.com/en_int/support.",
                                            "googleplay", config.replies)]
    assert any("greeting has an empty name" in message for message in found)
    assert "link not on the allow-list: https://evil.example/x" in found
    assert not any("hmd.com" in message for message in found)
    too_long = problems_in("Hi Jo,\n" + "x" * 400, "googleplay", config.replies)
    assert [(p.message, p.blocks_approval) for p in too_long] == [("407 characters: over the 350 allowed on googleplay", True)]
    assert any("unrendered" in p.message for p in problems_in("Hi {{ author }},", "reddit", config.replies))
