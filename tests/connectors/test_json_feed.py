"""JSON Feed 1.1 and 1.0, as the README promises: served as application/feed+json or read from `path:`; parsed with a
JSON parser (feedparser kept 0 entries)."""
import json
from datetime import datetime, timezone

import pytest

from careloop.config import SourceConfig
from connectors import ConnectorError, get_connector

FEED_11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Nokia phones blog",
    "home_page_url": "https://blog.example.com/",
    "items": [
        {"id": "https://blog.example.com/g42-review", "url": "https://blog.example.com/g42-review",
         "title": "Nokia G42 &amp; its repairable back", "content_html": "<p>The <b>Nokia G42</b> opens with one screw.</p>",
         "date_published": "2026-11-20T10:00:00+01:00", "authors": [{"name": "Jana Nováková"}]},
        {"id": "2", "content_text": "Nokia 3310 battery still lasts a week", "url": "javascript:alert(1)",
         "date_modified": "2026-11-21T08:30:00Z"},
        {"url": "https://blog.example.com/no-id", "content_text": "no id: skipped"},
        "not an object",
    ],
}
FEED_10 = {"version": "https://jsonfeed.org/version/1", "title": "old", "items": [
    {"id": 42, "summary": "Nokia 105 review", "author": {"name": "Petr"}, "external_url": "https://news.example.com/105"}]}


def fetch(**location):
    return get_connector("feed").fetch(SourceConfig(name="json", type="feed", **location), {}, [])


def test_json_feed_11_over_http(http_server):
    url = http_server.route("/feed.json", json.dumps(FEED_11), content_type="application/feed+json")
    result = fetch(url=url)
    first, second = result.mentions
    assert (first.external_id, first.title, first.text, first.author) == (
        "https://blog.example.com/g42-review", "Nokia G42 & its repairable back", "The Nokia G42 opens with one screw.",
        "Jana Nováková")
    assert first.published_at == datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    assert (second.external_id, second.text, second.url) == ("2", "Nokia 3310 battery still lasts a week", None)
    assert second.published_at == datetime(2026, 11, 21, 8, 30, tzinfo=timezone.utc)
    assert result.problems == ["JSON Feed item 2 has no id (or is not an object): skipped",
                               "JSON Feed item 3 has no id (or is not an object): skipped"]


def test_json_feed_10_from_a_file(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(FEED_10), encoding="utf-8")
    (item,) = fetch(path=str(path)).mentions
    assert (item.external_id, item.text, item.author, item.url) == ("42", "Nokia 105 review", "Petr", "https://news.example.com/105")


@pytest.mark.parametrize("body", ['{"version": "https://jsonfeed.org/version/1.1", "items": [', '{"title": "no version"}'])
def test_broken_json_feed_is_a_clear_error(http_server, body):
    url = http_server.route("/broken.json", body, content_type="application/feed+json")
    with pytest.raises(ConnectorError, match="is not a JSON Feed"):
        fetch(url=url)
