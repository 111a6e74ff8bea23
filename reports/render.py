"""Digest and alert texts from Jinja2 templates (`templates/reports/`): one HTML and one plain-text template, and
the words of each language in `templates/reports/<lang>/messages.yaml`.

HTML is autoescaped: mention text, authors and titles are hostile and render as text. Nothing from a mention
is ever a template, a link target or a header: links go to the inbox (`reports.inbox_url`), built by careloop.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "reports"
LANGUAGES = ("en", "cs", "sk", "ru")


@lru_cache(maxsize=8)
def messages(language: str) -> dict[str, str]:
    """The words of `language`, English where a key is missing."""
    english = yaml.safe_load((TEMPLATES / "en" / "messages.yaml").read_text(encoding="utf-8"))
    if language == "en" or language not in LANGUAGES:
        return english
    return {**english, **yaml.safe_load((TEMPLATES / language / "messages.yaml").read_text(encoding="utf-8"))}


def number(value: float | int | None, language: str = "en", decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    # 1,234.5 in English; 1 234,5 in Czech, Slovak and Russian (a narrow no-break space groups thousands).
    return text if language == "en" else text.replace(",", "\u202f").replace(".", ",")


def percent(value: float | None, language: str = "en") -> str:
    return "–" if value is None else f"{number(value, language, 1)}\u00a0%"


def signed(value: float | None, language: str = "en", decimals: int = 0, unit: str = "") -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{number(abs(value), language, decimals)}{unit}"


def change(figure: dict, language: str = "en") -> str:
    """"+12 (+8.5 %)" against the previous period; "+12" alone when the previous period had none."""
    text = signed(figure["change"], language)
    if figure.get("change_pct") is not None:
        text += f" ({signed(figure['change_pct'], language, 1, chr(0xa0) + '%')})"
    return text


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes = int(round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return " ".join(part for part in (f"{days} d" if days else "", f"{hours} h" if hours else "",
                                      f"{minutes} min" if minutes or not (days or hours) else "") if part)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(duration=duration)
    return env


def digest_title(figures: dict, language: str) -> str:
    words = messages(language)
    days = figures["period"]["days"]
    return words["daily"] if days == 1 else words["weekly"] if days == 7 else words["days"].format(days=days)


def brands_label(figures: dict, language: str) -> str:
    return ", ".join(figures["brands"]) or messages(language)["all_brands"]


def subject(figures: dict, language: str) -> str:
    words = messages(language)
    return words["subject"].format(
        brands=brands_label(figures, language), title=digest_title(figures, language),
        period=figures["period"]["label"], mentions=number(figures["volume"]["current"], language),
        change=change(figures["volume"], language))


def render_digest(figures: dict, language: str, image: Callable[[str], str]) -> tuple[str, str]:
    """(HTML, plain text). `image(name)` is where the HTML finds chart `name`: `cid:…` in an e-mail, a file name
    beside the HTML on disk."""
    context = _context(figures, language) | {"image": image}
    env = environment()
    return env.get_template("digest.html").render(context), env.get_template("digest.txt").render(context)


def _context(figures: dict, language: str) -> dict:
    def fmt_number(value, decimals=0):
        return number(value, language, decimals)

    return {
        "f": figures, "t": messages(language), "lang": language,
        "title": digest_title(figures, language), "brands": brands_label(figures, language),
        "num": fmt_number, "pct": lambda value: percent(value, language),
        "signed": lambda value, decimals=0, unit="": signed(value, language, decimals, unit),
        "change": lambda figure: change(figure, language),
    }
