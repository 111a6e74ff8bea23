"""The digest as a Prefect markdown artifact: the key figures as tables, the top mentions as inbox links. Mention
text is escaped for markdown (no link or image syntax from a mention survives)."""
from __future__ import annotations

from careloop.markdown import escape

from .render import brands_label, change, digest_title, percent


def digest_markdown(figures: dict, language: str = "en") -> str:
    volume, negative, sentiment = figures["volume"], figures["negative_share"], figures["sentiment"]
    lines = [
        f"## {escape(brands_label(figures, language))}: {escape(digest_title(figures, language))} {figures['period']['label']}",
        "", f"Compared with {figures['previous_period']['label']} ({figures['period']['timezone']}).", "",
        "| figure | value | change |", "|---|---:|---:|",
        f"| mentions | {volume['current']} | {change(volume)} |",
        f"| net sentiment | {_number(sentiment['net'])} | |",
        f"| negative share | {percent(negative['current'])} | usual {percent(negative['usual'])} |",
        "", "| source type | mentions | change | share |", "|---|---:|---:|---:|",
        *[f"| {escape(row['name'])} | {row['current']} | {change(row)} | {percent(row['share'])} |"
          for row in figures["by_source_type"]],
        "", "| brand | share of voice | mentions |", "|---|---:|---:|",
        *[f"| {escape(row['brand'])} | {percent(row['share'])} | {row['mentions']} |" for row in figures["share_of_voice"]],
        "", "### Most negative mentions", "",
        *([f"- [{escape(m['author'] or 'anonymous')} on {escape(m['source_type'])}]({m['link']}): {escape(m['snippet'][:140])}"
           for m in figures["top_mentions"]["most_negative"]] or ["- none"]),
        "", "### Negative terms", "",
        *([f"- {entry['language']}: " + ", ".join(f"{escape(t['term'])} ({t['mentions']})" for t in entry["terms"])
           for entry in figures["terms"]["negative"]] or ["- none"]),
        "", f"[Open the inbox]({figures['links']['inbox']}) · [Digests tab]({figures['links']['reports']})",
    ]
    return "\n".join(lines)


def alerts_markdown(alerts: list[dict]) -> str:
    rows = []
    for alert in alerts:
        link = f"[inbox]({alert['link']})" if alert.get("link") else ""
        where = alert["source_name"] or alert["source_type"] or "all"
        rows.append(f"| {escape(alert['kind'])} | {escape(alert['brand'] or '')} | {escape(where)} "
                    f"| {escape(alert['explanation'])} | {link} |")
    return "\n".join(["## Alerts raised", "", "| kind | brand | where | what | link |", "|---|---|---|---|---|", *rows])


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:+.0f}"
