"""The `careloop` command as a user runs it: a real process, a real SQLite file."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

CARELOOP = str(Path(sys.executable).parent / "careloop")


def careloop(*args, env=None, check=True):
    result = subprocess.run([CARELOOP, *args], capture_output=True, text=True, cwd=REPO, timeout=900,
                            env={**os.environ, "COLUMNS": "200", **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"careloop {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    # a progress line per batch (a log file gets one every 10 s by default)
    first = careloop("demo", env={"CARELOOP_DATABASE_URL": url, "CARELOOP_PROGRESS_SECONDS": "0"})
    return url, first.stdout


def stats(url):
    return json.loads(careloop("stats", "--json", "--config", "examples/careloop.yaml", env={"CARELOOP_DATABASE_URL": url}).stdout)


def test_demo_prints_mentions_per_source_and_language(demo_db):
    _, output = demo_db
    assert "mentions per source" in output and "mentions per language" in output
    for source in ("google-alerts-slack", "mastodon-tag-nokia", "touchnokia-ru"):
        assert source in output
    assert "malformed feed" in output  # the truncated Czech feed is reported, not fatal
    assert "database: sqlite:///" in output


def test_demo_posts_one_approved_play_and_app_store_reply_to_the_loopback_store_apis(demo_db):
    _, output = demo_db
    assert "store replies: 2 approved by the demo agent, 2 posted" in output


def test_stats_json_has_the_documented_keys(demo_db):
    summary = stats(demo_db[0])
    for key in ("mentions", "duplicates_linked", "by_source_type", "by_language", "by_brand", "rated", "rejected_items", "sources",
                "stale_sources", "digests_sent", "alerts_sent"):
        assert key in summary
    assert summary["duplicates_linked"] >= 1 and summary["rejected_items"] == 0
    assert {"cs", "en", "ru"} <= set(summary["by_language"])
    assert all({"name", "type", "last_run_at", "last_status"} <= set(source) for source in summary["sources"])
    assert summary["stale_sources"] == []  # every demo source just ran


def test_demo_writes_each_digest_and_emails_it(demo_db):
    url, output = demo_db
    digests = Path(url.removeprefix("sqlite:///")).parent / "digests"
    names = sorted(path.name for path in digests.iterdir())
    for name in ("nokia-daily", "slack-daily", "all-weekly"):
        assert any(n.startswith(name) and n.endswith(".html") for n in names), names
        assert sum(n.startswith(name) and n.endswith(".png") for n in names) == 3
    assert "digests: 3 written to" in output and "4 e-mailed to the loopback SMTP server" in output
    assert "Denní přehled" in next(digests.glob("nokia-daily-*.html")).read_text(encoding="utf-8")
    assert stats(url)["digests_sent"] == 4  # one subscriber each, two for the weekly one


def test_running_the_demo_loop_again_adds_nothing(demo_db):
    url, _ = demo_db
    before = stats(url)
    careloop("run", "--config", "examples/careloop.yaml", env={"CARELOOP_DATABASE_URL": url})
    after = stats(url)
    for source in before["sources"] + after["sources"]:
        source.pop("last_run_at")
    assert after == before


def test_db_upgrade_migrates_an_empty_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert "schema revision" in careloop("db", "upgrade", "--config", "examples/careloop.yaml", env={"CARELOOP_DATABASE_URL": url}).stdout


def test_bad_config_is_a_clear_error_not_a_traceback(tmp_path):
    bad = tmp_path / "careloop.yaml"
    bad.write_text("brands:\n  - name: X\n    keywords: []\n")
    result = careloop("run", "--config", str(bad), check=False)
    assert result.returncode == 2
    assert str(bad) in result.stderr and "brands.0.keywords" in result.stderr and "Traceback" not in result.stdout + result.stderr


def test_stats_after_make_demo_needs_no_flags_and_says_which_configuration(tmp_path):
    """From the repository root after `make demo`: the demo configuration, named on stderr; elsewhere (no
    careloop.yaml, no demo database) the usual error."""
    from careloop.context import DEMO_DATABASE

    env = {key: value for key, value in os.environ.items() if key not in ("CARELOOP_CONFIG", "CARELOOP_DATABASE_URL")}
    if not DEMO_DATABASE.exists():  # what `make demo` leaves: the demo database in var/
        subprocess.run([CARELOOP, "db", "upgrade", "--config", "examples/careloop.yaml"], cwd=REPO, env=env, check=True,
                       capture_output=True)
    here = subprocess.run([CARELOOP, "stats", "--json"], cwd=REPO, env=env, capture_output=True, text=True)
    assert here.returncode == 0 and "mentions" in json.loads(here.stdout)
    assert "using the demo configuration examples/careloop.yaml" in here.stderr
    elsewhere = subprocess.run([CARELOOP, "stats"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert elsewhere.returncode == 2 and "configuration file not found" in elsewhere.stderr


def test_output_to_a_log_gets_progress_lines_not_a_spinner(demo_db):
    _, output = demo_db
    scored = int(re.search(r"sentiment: (\d+) mentions scored", output).group(1))
    assert re.search(rf"^scoring: {scored}/{scored} \(100%\), [\d,]+/s$", output, re.M)
    assert re.search(r"^drafting: \d+/\d+ \(100%\), [\d,]+/s$", output, re.M)
    assert "fetching…" not in output


def test_demo_delivers_the_open_issues_notices_once(demo_db):
    url, output = demo_db
    sent = int(re.search(r"notices: (\d+) sent to the local SMTP sink \((\d+) received\)", output).group(1))
    assert sent > 50 and "skipped by reason:" in output and "consent" in output
    summary = stats(url)
    assert summary["notices_by_status"]["sent"] == sent and summary["notices_by_status"]["queued"] == 0
    assert set(summary["notices_by_status"]) == {"queued", "claimed", "sent", "failed", "uncertain", "skipped_policy",
                                                 "skipped_consent", "skipped_unsubscribed"}
    assert summary["known_issues_by_status"] == {"investigating": 1, "identified": 0, "monitoring": 0, "resolved": 1}
    again = careloop("notices", "send", "--config", "examples/careloop.yaml", env={"CARELOOP_DATABASE_URL": url})
    assert again.stdout.startswith("0 sent")
    assert stats(url)["notices_by_status"] == summary["notices_by_status"]


def test_demo_surveys_answer_over_http_and_a_second_demo_changes_nothing(demo_db):
    url, output = demo_db
    found = re.search(r"surveys: (\d+) e-mailed to the local SMTP sink; (\d+) answered by following their\s+one-click "
                      r"links over HTTP \((\d+) with a comment\); (\d+) follow-ups", output)
    assert found, output
    sent, answered, commented, follow_ups = map(int, found.groups())
    assert sent > 50 and 0 < answered < sent and commented > 0 and follow_ups > 0
    assert "skipped: policy" in output and "skipped: consent" in output  # notices went out first: the one policy
    summary = stats(url)
    assert summary["surveys_by_status"]["sent"] == sent and summary["surveys_by_status"]["answered"] == answered
    assert set(summary["surveys_by_status"]) == {"queued", "claimed", "sent", "failed", "uncertain", "skipped_policy",
                                                 "skipped_consent", "skipped_unsubscribed", "answered"}
    env = {"CARELOOP_DATABASE_URL": url}
    before = json.loads(careloop("kpi", "--json", "--config", "examples/careloop.yaml", env=env).stdout)
    assert set(before) == {"csat", "nps", "ces", "response_rate", "first_response_time_median_s",
                           "average_response_time_s", "fcr", "sla"}
    assert before["csat"] is not None and before["nps"] is not None and before["ces"] is not None
    assert before["response_rate"] == round(100 * answered / sent, 2)
    again = careloop("demo", env={**env, "CARELOOP_PROGRESS_SECONDS": "0"}).stdout
    assert "surveys: 0 e-mailed" in again and "csat-demo: sent already, nothing new" in again
    assert json.loads(careloop("kpi", "--json", "--config", "examples/careloop.yaml", env=env).stdout) == before
    assert stats(url)["surveys_by_status"] == summary["surveys_by_status"]


def test_the_demo_login_is_hashed_at_production_cost(demo_db):
    """argon2id with 64 MiB, 3 passes, 4 lanes, as a real `careloop` process stores it (tests hash cheaper in-process:
    tests/conftest.py)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(demo_db[0])
    with engine.connect() as connection:
        stored = connection.scalar(text("SELECT password_hash FROM users WHERE name = 'demo'"))
    engine.dispose()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_demo_drafts_answer_the_actual_message(demo_db):
    """The four examples of issue 15: repair delay (en), reklamace (cs), screen replacement (ru) get a reply about
    their problem, in their language; the shooting report where "slack" means loose is not about us."""
    from sqlalchemy import create_engine, text

    engine = create_engine(demo_db[0])
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT m.text, m.language, d.status, d.template, d.text, d.reason FROM drafts d "
            "JOIN mentions m ON m.id = d.mention_id WHERE d.kind = 'reply'")).all()
    engine.dispose()

    def draft_for(fragment):
        found = [row for row in rows if fragment in row[0]]
        assert len(found) == 1, fragment
        return found[0]

    _, language, status, template, reply, _ = draft_for("Sent my Nokia XR21 for repair three weeks ago")
    # the demo's agent approves one Google Play reply and posts it to the loopback Play API: this may be the one
    assert status in ("pending", "sent") and template == "en/topic/repair.j2" and "your XR21 repair has taken 3 weeks" in reply
    _, language, status, template, reply, _ = draft_for("reklamace displeje trvá už 35 dní")
    assert (language, template) == ("cs", "cs/topic/repair.j2")  # the Czech Heureka review is answered in Czech
    assert "trvá už 35 dní, tedy déle než zákonných 30 dní" in reply and "NK-2026-112840" in reply
    _, language, status, template, reply, _ = draft_for("Заказал замену экрана неделю назад")
    assert (language, template) == ("ru", "ru/topic/repair.j2") and "длится уже неделю" in reply
    _, _, status, _, reply, reason = draft_for("shot through the slack in his uniform")
    assert status == "no_reply_needed" and reason.startswith("not about us") and reply == ""
