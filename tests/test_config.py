"""careloop.yaml validation: every error names the file, the key and what was expected."""
import pytest

from careloop.config import ConfigError, load_config

VALID = """
brands:
  - name: Acme
    keywords: [acme]
sources:
  - name: news
    type: feed
    url: https://example.com/feed.xml
"""


def write(tmp_path, text):
    path = tmp_path / "careloop.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path, text) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_valid_config_loads_and_resolves_paths(tmp_path):
    config = load_config(write(tmp_path, VALID + "  - name: local\n    type: feed\n    path: data/f.xml\n"))
    assert [source.name for source in config.sources] == ["news", "local"]
    assert config.sources[1].path == tmp_path / "data" / "f.xml"
    assert config.database_url() == f"sqlite:///{tmp_path / 'var' / 'careloop.db'}"


def test_database_url_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("CARELOOP_DATABASE_URL", "postgresql://u@127.0.0.1/x")
    assert load_config(write(tmp_path, VALID + "database: sqlite:///other.db\n")).database_url() == "postgresql://u@127.0.0.1/x"


def test_config_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CARELOOP_CONFIG", str(write(tmp_path, VALID)))
    assert load_config().brands[0].name == "Acme"


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_yaml_syntax_error(tmp_path):
    assert "not valid YAML" in error_for(tmp_path, "brands: [\n")


def test_unknown_key_is_named(tmp_path):
    message = error_for(tmp_path, VALID.replace("keywords:", "keywrods:"))
    assert "brands.0.keywrods: unknown key" in message
    assert "brands.0.keywords: required key is missing" in message


def test_unknown_source_type_lists_known_types(tmp_path):
    message = error_for(tmp_path, VALID.replace("type: feed", "type: myspace"))
    assert "sources[0] (news): unknown type 'myspace'" in message and "feed" in message


@pytest.mark.parametrize("source_type, options, expected", [
    ("appstore", "{app_id: 1488520614, contry: cz}", "options.contry: unknown key (check the spelling)"),
    ("heureka", "{export: shop, country: de}", "options.country: Input should be 'cz' or 'sk' (got 'de')"),
    ("heureka", "{exprot: product}", "options.exprot: unknown key (check the spelling)"),
    ("googleplay", "{package_name: com.nokia.care, page: 3}", "options.page: unknown key (check the spelling)"),
    ("googleplay", "{package_name: com.nokia.care, pages: many}", "options.pages: Input should be a valid integer"),
    ("reddit", "{subreddits: [nokia], since: 7days}", 'options.since: Value error, expected "<number><m|h|d|w>"'),
    ("feed", "{subreddits: [nokia]}", "options.subreddits: unknown key (check the spelling)"),
])
def test_a_sources_options_are_checked_when_the_config_loads(tmp_path, source_type, options, expected):
    """Each connector declares its options (connectors: Options); a typo is an error before anything runs."""
    text = VALID + f"  - name: second\n    type: {source_type}\n    brand: Acme\n    options: {options}\n"
    message = error_for(tmp_path, text)
    assert f"sources[1] (second): {expected}" in message


def test_declared_options_load_with_their_defaults_unchanged(tmp_path):
    text = VALID + "  - name: shop\n    type: heureka\n    brand: Acme\n    options: {country: sk, key_env: HEUREKA_SK_KEY}\n"
    config = load_config(write(tmp_path, text))
    assert config.sources[1].options == {"country": "sk", "key_env": "HEUREKA_SK_KEY"}


def test_wrong_type_says_what_was_expected(tmp_path):
    message = error_for(tmp_path, VALID.replace("url: https://example.com/feed.xml", "timeout_seconds: soon"))
    assert "sources.0.timeout_seconds" in message and "number" in message


def test_source_brand_must_exist(tmp_path):
    message = error_for(tmp_path, VALID + "    brand: Nobody\n")
    assert "brand 'Nobody' is not among brands ['Acme']" in message


def test_duplicate_source_names(tmp_path):
    message = error_for(tmp_path, VALID + "  - name: news\n    type: feed\n    url: https://example.com/b\n")
    assert "repeated: ['news']" in message


def test_unknown_language(tmp_path):
    assert "languages" in error_for(tmp_path, VALID + "languages: [en, klingon]\n")


def test_top_level_must_be_mapping(tmp_path):
    assert "expected a mapping" in error_for(tmp_path, "- just a list\n")


def test_a_reply_rule_naming_an_unknown_topic_is_a_clear_error(tmp_path):
    from careloop.config import ConfigError, parse_config

    data = {"brands": [{"name": "Nokia", "keywords": ["Nokia"]}],
            "replies": {"rules": [{"template": "{lang}/topic/{topic}.j2", "topic": ["repair", "refunds"]}]}}
    with pytest.raises(ConfigError, match=r"replies.rules\[0\].topic: \['refunds'\] are not topics"):
        parse_config(data, tmp_path / "careloop.yaml")
    data["topics"] = {"examples": {"refunds": ["Where is my refund?"]}}
    assert parse_config(data, tmp_path / "careloop.yaml").topics.names[-1] == "refunds"


def test_a_missing_knowledge_folder_is_a_clear_error(tmp_path):
    from careloop.config import ConfigError, parse_config

    data = {"brands": [{"name": "Nokia", "keywords": ["Nokia"]}], "knowledge": {"path": "help"}}
    with pytest.raises(ConfigError, match=r"knowledge.path: .*/help is not a folder"):
        parse_config(data, tmp_path / "careloop.yaml")
    (tmp_path / "help").mkdir()
    assert parse_config(data, tmp_path / "careloop.yaml").knowledge.path == (tmp_path / "help").resolve()
