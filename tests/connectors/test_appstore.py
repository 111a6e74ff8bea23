"""App Store customer reviews over loopback HTTP and from files: paging, the cursor, bad payloads."""
import json
import socket
from pathlib import Path

import pytest

from careloop.config import SourceConfig
from connectors import ConnectorError, get_connector

FIXTURES = Path(__file__).parent / "fixtures"
APP = "1488520614"


def page_path(page: int) -> str:
    return f"/cz/rss/customerreviews/page={page}/id={APP}/sortby=mostrecent/json"


def serve_pages(server, *pages: str) -> None:
    for number, name in enumerate(pages, start=1):
        server.route(page_path(number), (FIXTURES / name).read_bytes())


def fetch(cursor=None, **source):
    source.setdefault("options", {"app_id": APP, "country": "cz"})
    config = SourceConfig(name="nokia-care-ios", type="appstore", brand="Nokia", **source)
    return get_connector("appstore").fetch(config, cursor or {}, [])


def test_reads_pages_until_the_last_and_normalises_reviews(http_server):
    serve_pages(http_server, "appstore_cz_page1.json", "appstore_cz_page2.json", "appstore_cz_page3.json")
    result = fetch(url=http_server.url)
    assert [m.external_id for m in result.mentions] == ["11432087561", "11431950212", "11430811947", "11428120095"]
    assert [m.rating for m in result.mentions] == [1, 2, 3, 5]
    slovak = result.mentions[1]
    assert (slovak.title, slovak.author) == ("Nedá sa prihlásiť", "Ľudmila Šťastná")
    assert slovak.text.startswith("Po zadaní kódu z SMS")
    assert slovak.extra["app_version"] == "3.4.0"
    assert slovak.url == f"https://apps.apple.com/cz/app/id{APP}?see-all=reviews"
    assert slovak.published_at.isoformat() == "2026-11-15T17:47:52+00:00"
    json.dumps(slovak.raw)
    # Page 3 had no entries, so page 4 was never asked for.
    assert [r["path"] for r in http_server.requests] == [page_path(1), page_path(2), page_path(3)]
    assert result.cursor["newest"] == "2026-11-16T04:04:11+00:00"


def test_second_run_stops_at_the_newest_review_already_seen(http_server):
    serve_pages(http_server, "appstore_cz_page1.json", "appstore_cz_page2.json", "appstore_cz_page3.json")
    first = fetch(url=http_server.url)
    http_server.requests.clear()
    page = json.loads((FIXTURES / "appstore_cz_page1.json").read_text())
    new = json.loads(json.dumps(page["feed"]["entry"][0]))
    new["id"]["label"], new["updated"]["label"], new["content"]["label"] = "11433000001", "2026-11-16T08:00:00-07:00", "Už to zase funguje."
    page["feed"]["entry"].insert(0, new)
    http_server.route(page_path(1), json.dumps(page))
    second = fetch(first.cursor, url=http_server.url)
    assert [m.external_id for m in second.mentions] == ["11433000001", "11432087561"]  # the boundary review again, harmlessly
    assert [r["path"] for r in http_server.requests] == [page_path(1)]
    assert second.cursor["newest"] == "2026-11-16T15:00:00+00:00"


def test_failing_later_page_keeps_earlier_reviews_and_the_cursor(http_server):
    serve_pages(http_server, "appstore_cz_page1.json")
    http_server.route(page_path(2), "upstream error", status=503, content_type="text/plain")
    result = fetch({"newest": "2026-01-01T00:00:00+00:00"}, url=http_server.url)
    assert len(result.mentions) == 3
    assert "HTTP 503" in result.problems[0] and "next run reads them again" in result.problems[0]
    assert result.cursor["newest"] == "2026-01-01T00:00:00+00:00"


def test_atom_variant_reads_the_text_content_not_the_html():
    result = fetch(path=FIXTURES / "appstore_cz_page1.xml")
    first, second = result.mentions
    assert first.text == "Od verze 3.4.0 aplikace spadne hned po spuštění. Přeinstalace nepomohla, opravte to prosím."
    assert (first.rating, first.extra["helpful_votes"], first.extra["app_version"]) == (1, "2", "3.4.0")
    assert second.author == "Ľudmila Šťastná" and second.rating == 2


@pytest.mark.parametrize("body, complaint", [
    ("<html><body>Service Unavailable</body></html>", "not an App Store reviews feed"),
    ("Service Unavailable", "is not JSON"),
    ('{"errors": ["rate limited"]}', "no `feed` object"),
    ("<feed><entry>", "not well-formed XML"),
])
def test_bad_payload_names_the_source_and_the_problem(http_server, body, complaint):
    http_server.route(page_path(1), body)
    with pytest.raises(ConnectorError) as error:
        fetch(url=http_server.url)
    assert "nokia-care-ios" in str(error.value) and complaint in str(error.value)


def test_timeout_is_a_connector_error():
    # A listening socket that never answers: the connection is accepted by the kernel, no response comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(ConnectorError, match="nokia-care-ios.*timed out"):
            fetch(url=f"http://127.0.0.1:{silent.getsockname()[1]}", timeout_seconds=0.3)


def test_configuration_mistakes_are_explained():
    with pytest.raises(ConnectorError, match="options.app_id is required"):
        fetch(options={}, url="http://127.0.0.1:9")
    with pytest.raises(ConnectorError, match="numeric App Store id"):
        fetch(options={"app_id": "nokia-care"}, url="http://127.0.0.1:9")
    with pytest.raises(ConnectorError, match="needs `brand:`"):
        get_connector("appstore").fetch(SourceConfig(name="x", type="appstore", path=FIXTURES / "appstore_cz_page1.json"), {}, [])
