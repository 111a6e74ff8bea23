"""Charts render Czech, Slovak and Russian text with the font matplotlib ships (no system font, no CDN)."""
from __future__ import annotations

import logging
import warnings
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from reports.charts import render_charts
from reports.render import messages


def test_the_shipped_font_has_czech_and_cyrillic_glyphs_and_charts_draw_them(caplog):
    path = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.family"]), fallback_to_default=False)
    assert Path(path).is_relative_to(Path(matplotlib.get_data_path())) and Path(path).name == "DejaVuSans.ttf"
    font = FT2Font(path)
    assert all(font.get_char_index(ord(char)) for char in "řžůěščťďňľĺôäПриложениеёЯ")
    figures = {"trend": [{"day": "2024-03-25", "negative": 1, "neutral": 2, "positive": 3, "unscored": 0, "net": 33.3}],
               "by_source_type": [{"name": "heureka", "current": 4, "previous": 2}],
               "share_of_voice": [{"brand": "Нокиа", "share": 60.0, "previous_share": 50.0},
                                  {"brand": "Žluťoučký kůň", "share": 40.0, "previous_share": 50.0}]}
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        charts = render_charts(figures, messages("ru"))
    assert not [w for w in caught if "Glyph" in str(w.message)] and "Glyph" not in caplog.text
    assert set(charts) == {"trend", "sources", "voice"} and all(png[:4] == b"\x89PNG" for png in charts.values())
    assert render_charts(figures, messages("ru")) == charts  # the same figures, the same bytes
