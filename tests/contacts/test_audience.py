"""The audience rule language: versions, missing attributes, literals only, and errors that quote the rule."""
import pytest

from careloop.config import ConfigError
from careloop.rules import RuleError, parse_rule
from tests.drafting.helpers import demo_config

RULE = 'platform == "android" and app_version < "4.2"'


@pytest.mark.parametrize("attributes, expected", [
    ({"platform": "android", "app_version": "4.1.9"}, True),
    ({"platform": "Android", "app_version": "4.10"}, False),  # 4.10 is newer than 4.2
    ({"platform": "android", "app_version": "4"}, True),
    ({"platform": "android", "app_version": "4.2.0"}, False),  # 4.2.0 == 4.2
    ({"platform": "android"}, False),  # missing attribute: false
    ({"platform": "ios", "app_version": "1.0"}, False),
])
def test_versions_compare_as_versions_and_missing_is_false(attributes, expected):
    assert parse_rule(RULE)(attributes) is expected


def test_membership_numbers_negation_and_chains():
    assert parse_rule('country in ["CZ", "SK"] and not plan == "free"')({"country": "sk", "plan": "pro"})
    assert parse_rule('not plan == "free"')({}) is True  # the comparison is false, so its negation is true
    assert parse_rule("age >= 18")({"age": "30"}) and not parse_rule("age >= 18")({"age": "unknown"})
    assert parse_rule('"4.0" <= app_version < "5"')({"app_version": "4.10.1"})
    assert parse_rule('beta == true or language == "cs"')({"beta": "yes"})


@pytest.mark.parametrize("rule, complaint", [
    ('__import__("os").system("id")', "(call) is not a condition"),
    ("app_version.__class__ == 1", "(attribute) is not allowed"),
    ("platform", "(name) is not a condition"),
    ('platform == "a" + "b"', "(binop) is not allowed"),
    ("x in y", "`in` needs a list of literals"),
    ("[p for p in q] == 1", "(listcomp) is not allowed"),
    ('platform == "android" and', "is not valid"),
    ("lambda: 1", "(lambda) is not a condition"),
])
def test_anything_but_comparisons_is_refused_with_the_rule_named(rule, complaint):
    with pytest.raises(RuleError) as error:
        parse_rule(rule)
    assert complaint in str(error.value) and repr(rule.strip()) in str(error.value)


def test_a_bad_rule_in_careloop_yaml_names_its_key(make_config):
    issue = {"title": "Login", "keywords": ["login"], "note": {"en": "x"}, "audience": "os.system('x')"}
    with pytest.raises(ConfigError) as error:
        demo_config(make_config, known_issues=[issue])
    assert "known_issues.0.audience" in str(error.value) and "os.system('x')" in str(error.value)
