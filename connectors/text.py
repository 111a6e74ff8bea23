"""Turn HTML from the internet into plain text, and make any text from outside safe to store. The text is data from
here on, never markup."""
from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from typing import Any

from careloop.urls import safe_url  # noqa: F401  (connectors' modules import it from here)

_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
_SKIPPED_TAGS = {"script", "style", "template", "noscript"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    if not markup:
        return ""
    if "<" not in markup:
        text = html.unescape(markup)
    else:
        extractor = _TextExtractor()
        extractor.feed(markup)
        extractor.close()
        text = "".join(extractor.parts)
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


# Characters that show nothing yet change what text means or where a link goes: zero-width (space, joiners, word
# joiner, BOM) and the bidi controls that reverse what follows ("‮moc.elpmaxe" reads as "example.com").
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                      "\u2066\u2067\u2068\u2069")

# C0 controls except tab and newline: PostgreSQL refuses NUL in text, and none of them is meant to be shown.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")  # invalid in UTF-8: the database driver cannot encode them


def clean_text(value: str) -> str:
    """Text from outside as careloop stores it: C0 controls other than tab and newline removed (a carriage return
    becomes a newline), lone surrogates replaced by U+FFFD, NFC-normalised, so the same words always compare
    equal however the source encoded them."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _LONE_SURROGATE.sub("\ufffd", _CONTROLS.sub("", value))
    return unicodedata.normalize("NFC", value)


def clean_value(value: Any) -> Any:
    """`clean_text` applied to every string in a JSON-like value (dict keys too), other values kept as they are."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_value(key): clean_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_value(item) for item in value]
    return value
