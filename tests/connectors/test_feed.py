"""The feed connector against real feed files and a loopback HTTP server."""
from pathlib import Path

import pytest

from careloop.config import SourceConfig
from connectors import ConnectorError, get_connector
from tests.conftest import REPO

FEEDS = REPO / "examples" / "data" / "feeds"


def fetch(location, cursor=None, **source):
    key = "url" if str(location).startswith("http") else "path"
    config = SourceConfig(name="test-feed", type="feed", **{key: location}, **source)
    return get_connector("feed").fetch(config, cursor or {}, [])


def test_conditional_get_second_fetch_is_304(http_server):
    url = http_server.route("/alerts.xml", (FEEDS / "google_alerts_atom.xml").read_bytes(), content_type="application/atom+xml")
    first = fetch(url)
    assert len(first.mentions) == 20 and first.cursor["etag"]
    second = fetch(url, first.cursor)
    assert second.mentions == []
    assert http_server.requests[1]["headers"]["If-None-Match"] == first.cursor["etag"]
    assert "If-Modified-Since" in http_server.requests[1]["headers"]


def test_atom_entry_is_normalised(http_server):
    url = http_server.route("/alerts.xml", (FEEDS / "google_alerts_atom.xml").read_bytes(), content_type="application/atom+xml")
    mention = fetch(url).mentions[1]
    # Google Alerts wraps links in a redirect; the story's own URL is what dedup and agents need.
    assert mention.url == "https://investorplace.com/2019/07/slack-stock-truly-compelling/"
    assert "<b>" not in mention.title and "Slack" in mention.title
    assert mention.published_at.tzinfo is not None


def test_html_is_reduced_to_text_and_script_dropped():
    mentions = fetch(FEEDS / "hnrss_slack.xml").mentions
    show_hn = next(m for m in mentions if m.title.startswith("Show HN"))
    assert "alert(" not in show_hn.text and "<" not in show_hn.text
    assert show_hn.text.startswith("Love how easy the Slack API")


def test_bozo_feed_keeps_what_parsed_and_records_the_problem():
    result = fetch(FEEDS / "cz_tech_news_truncated.rss")
    assert result.problems and "malformed feed" in result.problems[0]
    titles = [m.title for m in result.mentions]
    assert titles[0].startswith("Nokia vydala opravu chyby")  # windows-1250 decoded
    assert any("NOKIA" in t for t in titles)


@pytest.mark.parametrize("name", ["illformed_aaa_illformed.xml", "illformed_rss_empty_document.xml", "illformed_chardet_koi8r.xml", "illformed_undeclared_namespace.xml"])
def test_malformed_feeds_never_crash(name):
    result = fetch(Path(__file__).parent / "fixtures" / "feeds" / name)
    assert result.problems


def test_unsafe_links_are_dropped(tmp_path):
    feed = tmp_path / "f.rss"
    feed.write_text(
        '<rss version="2.0"><channel><item><title>x</title><link>javascript:alert(1)</link>'
        "<guid>1</guid><description>d</description></item></channel></rss>"
    )
    assert fetch(feed).mentions[0].url is None


def test_unchanged_local_file_is_not_parsed_again():
    first = fetch(FEEDS / "mastodon_tag_nokia.rss")
    assert len(first.mentions) == 6
    assert fetch(FEEDS / "mastodon_tag_nokia.rss", first.cursor).mentions == []


def test_http_errors_name_the_source(http_server):
    with pytest.raises(ConnectorError, match="source 'test-feed': HTTP 404"):
        fetch(http_server.url + "/missing.xml")


def test_timeout_names_the_source(http_server):
    http_server.delay = 1.5
    url = http_server.route("/slow.xml", "<rss/>")
    with pytest.raises(ConnectorError, match="source 'test-feed': timed out after 0.5s"):
        fetch(url, timeout_seconds=0.5)


def test_missing_file_names_the_source(tmp_path):
    with pytest.raises(ConnectorError, match="source 'test-feed': cannot read"):
        fetch(tmp_path / "nope.xml")
