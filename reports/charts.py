"""Digest charts as PNG, drawn with matplotlib's object API (no pyplot: no global state, safe in the inbox's
threads) in DejaVu Sans, which matplotlib ships and which has Czech, Slovak and Cyrillic glyphs. The same bytes go
into the e-mail (inline, by CID), the files of `careloop digest --out` and the Digests tab."""
from __future__ import annotations

import io
from datetime import date

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

matplotlib.rcParams.update({
    "font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
    "axes.titlesize": 10, "axes.titleweight": "bold", "axes.titlelocation": "left", "svg.fonttype": "none",
})
COLOURS = {"negative": "#c0392b", "neutral": "#a6acb5", "positive": "#27864a", "unscored": "#dfe3e8",
           "line": "#1f5fbf", "previous": "#c9d3e3", "current": "#1f5fbf"}
WIDTH, HEIGHT, DPI = 6.0, 2.6, 200  # 1200 × 520 px, shown 600 px wide: sharp on high-density screens
CHARTS = ("trend", "sources", "voice")


def render_charts(figures: dict, labels: dict) -> dict[str, bytes]:
    """Every chart of a digest: name → PNG bytes."""
    return {name: DRAW[name](figures, labels) for name in CHARTS}


def trend_chart(figures: dict, labels: dict) -> bytes:
    """Mentions per day stacked by sentiment, net sentiment (−100…100) on the right axis."""
    trend = figures["trend"]
    figure, axes = _figure(labels["chart_trend"], right=0.88)
    days = [date.fromisoformat(entry["day"]) for entry in trend]
    positions = list(range(len(days)))
    series = {label: [entry[label] for entry in trend] for label in ("negative", "neutral", "positive", "unscored")}
    if len(days) <= 31:
        bottom = [0] * len(days)
        for label, values in series.items():
            axes.bar(positions, values, bottom=bottom, color=COLOURS[label], label=labels[label], width=0.7)
            bottom = [b + v for b, v in zip(bottom, values)]
    else:  # a bar per day for a year is 1,460 rectangles (seconds to draw); stacked areas are four shapes
        axes.stackplot(positions, *series.values(), colors=[COLOURS[label] for label in series],
                       labels=[labels[label] for label in series], step="mid")
        bottom = [sum(values) for values in zip(*series.values())]
    axes.set_ylabel(labels["mentions"])
    axes.set_ylim(0, max([*bottom, 1]) * 1.1)
    step = max(1, -(-len(days) // 10))  # at most 10 dates under the axis
    shown = positions[::step]
    axes.set_xticks(shown, [days[index].strftime("%d.%m." if len(days) <= 92 else "%m/%Y") for index in shown])
    axes.set_xlim(-0.6, len(days) - 0.4)
    net = axes.twinx()
    net.plot(positions, [entry["net"] for entry in trend], color=COLOURS["line"], marker="o" if len(days) <= 31 else None, markersize=3,
             linewidth=1.5, label=labels["net"])
    net.set_ylim(-110, 110)
    net.axhline(0, color=COLOURS["line"], linewidth=0.5, linestyle=":")
    net.set_ylabel(labels["net"])
    net.spines["top"].set_visible(False)
    handles = axes.get_legend_handles_labels()[0] + net.get_legend_handles_labels()[0]
    axes.legend(handles=handles, loc="lower left", fontsize=7, ncols=5, frameon=False, bbox_to_anchor=(0, 1.0),
                borderaxespad=0.2, handlelength=1.2, columnspacing=1.0)
    return _png(figure)


def sources_chart(figures: dict, labels: dict) -> bytes:
    """Mentions per source type, this period beside the previous one."""
    rows = figures["by_source_type"][:8]
    return _paired_bars(labels["chart_sources"], [row["name"] for row in rows], [row["current"] for row in rows],
                        [row["previous"] for row in rows], labels)


def voice_chart(figures: dict, labels: dict) -> bytes:
    """Share of voice (%) per configured brand, this period beside the previous one."""
    rows = figures["share_of_voice"]
    return _paired_bars(labels["chart_voice"], [row["brand"] for row in rows], [row["share"] or 0 for row in rows],
                        [row["previous_share"] or 0 for row in rows], labels, unit="%")


DRAW = {"trend": trend_chart, "sources": sources_chart, "voice": voice_chart}


def _paired_bars(title: str, names: list[str], current: list[float], previous: list[float], labels: dict,
                 unit: str = "") -> bytes:
    figure, axes = _figure(title, left=0.17)
    positions = list(range(len(names)))
    height = 0.38
    axes.barh([p + height / 2 for p in positions], previous, height=height, color=COLOURS["previous"],
              label=labels["previous_period"])
    bars = axes.barh([p - height / 2 for p in positions], current, height=height, color=COLOURS["current"],
                     label=labels["this_period"])
    axes.bar_label(bars, labels=[f"{value:.0f}{unit}" for value in current], padding=3, fontsize=7)
    axes.set_yticks(positions, names)
    axes.invert_yaxis()
    axes.legend(loc="lower right", fontsize=7, frameon=False)
    if not names:
        axes.text(0.5, 0.5, labels["no_mentions"], ha="center", va="center", transform=axes.transAxes)
    return _png(figure)


def _figure(title: str, *, left: float = 0.1, bottom: float = 0.12, right: float = 0.97) -> tuple[Figure, object]:
    # Fixed margins instead of tight_layout(), which drew every chart twice (half of a chart's ~0.4 s).
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(left=left, bottom=bottom, right=right, top=0.8)
    axes = figure.add_subplot()
    axes.set_title(title, pad=18)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # No "Software" stamp: the same figures give the same bytes (re-running the demo rewrites nothing new).
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
