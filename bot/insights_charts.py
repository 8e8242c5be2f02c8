"""The insights charts as PNG, drawn by matplotlib from the same JSON the dashboard's
endpoints answer: each chart is a function of one figure set. Figures are made without
pyplot (no global state, no display), so charts can be drawn in several threads at once."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure

SIZE = (7.2, 3.4)
COLOURS = ["#2457d6", "#e07b39", "#3a9e5b", "#c23b4b", "#7c5cc4", "#8a8a8a"]


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=96)
    return buffer.getvalue()


def _subplots(*grid: int, figsize: tuple[float, float] = SIZE) -> tuple[Figure, Any]:
    figure = Figure(figsize=figsize)
    return figure, figure.subplots(*grid)


def _empty(axes: Any, what: str) -> None:
    axes.text(0.5, 0.5, f"no {what} yet", ha="center", va="center", color="#777")
    axes.set_axis_off()


def conversations_chart(data: dict[str, Any]) -> bytes:
    """Conversations per day, one line per channel and language."""
    figure, axes = _subplots(figsize=SIZE)
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for row in data.get("per_day", []):
        series[f"{row['channel']} / {row['language']}"][row["day"]] = row["conversations"]
    days = sorted({d for counts in series.values() for d in counts})
    if not days:
        _empty(axes, "conversations")
    for i, (name, counts) in enumerate(sorted(series.items())):
        axes.plot(
            range(len(days)),
            [counts.get(d, 0) for d in days],
            marker="o",
            ms=3,
            label=name,
            color=COLOURS[i % len(COLOURS)],
        )
    if days:
        axes.legend(fontsize=8)
        axes.set_ylabel("conversations")
        _few_ticks(axes, days)
    axes.set_title("Conversations per day by channel and language")
    return _png(figure)


def intents_chart(data: dict[str, Any]) -> bytes:
    figure, axes = _subplots(figsize=SIZE)
    intents = data.get("intents", {})
    if not intents:
        _empty(axes, "messages")
    else:
        names = list(intents)[:12][::-1]
        axes.barh(names, [intents[n] for n in names], color=COLOURS[0])
        axes.set_xlabel("messages")
    axes.set_title("Intents")
    return _png(figure)


def rates_chart(data: dict[str, Any]) -> bytes:
    """Fallback rate, handoff rate, satisfaction, and the funnel, side by side."""
    figure, (left, right) = _subplots(1, 2, figsize=SIZE)
    votes = data.get("satisfaction", {})
    voted = votes.get("up", 0) + votes.get("down", 0)
    rates = {
        "fallback": data.get("fallback_rate"),
        "handoff": data.get("handoff_rate"),
        "satisfied": votes.get("up", 0) / voted if voted else None,
    }
    names = list(rates)
    left.bar(names, [rates[n] or 0 for n in names], color=COLOURS[:3])
    for i, name in enumerate(names):
        value = rates[name]
        left.text(i, (value or 0) + 0.01, "n/a" if value is None else f"{value:.0%}", ha="center")
    left.set_ylim(0, 1.1)
    claim = data.get("time_to_claim_s", {}).get("median")
    left.set_title(f"Rates (median claim: {'n/a' if claim is None else f'{claim:.0f} s'})")
    funnel = data.get("funnel", {})
    steps = ["conversations", "searched", "opened_details", "order_help"]
    right.bar(steps, [funnel.get(s, 0) for s in steps], color=COLOURS[0])
    right.set_title("Search → details → order")
    right.tick_params(axis="x", labelsize=7)
    return _png(figure)


def sentiment_chart(data: dict[str, Any]) -> bytes:
    """Negative share per day: reviews by language, and shoppers' messages."""
    figure, axes = _subplots(figsize=SIZE)
    series: dict[str, dict[str, float]] = defaultdict(dict)
    for row in data.get("reviews", []):
        if row["total"]:
            series[f"reviews {row['language']}"][row["day"]] = row["negative"] / row["total"]
    for row in data.get("messages", []):
        if row["messages"]:
            series["shopper messages"][row["day"]] = row["negative"] / row["messages"]
    days = sorted({d for values in series.values() for d in values})
    if not days:
        _empty(axes, "reviews or messages")
    for i, (name, values) in enumerate(sorted(series.items())):
        axes.plot(
            [x for x, d in enumerate(days) if d in values],
            [values[d] for d in days if d in values],
            label=name,
            color=COLOURS[i % len(COLOURS)],
            lw=1.4,
            marker="o",
            ms=2.5,
        )
    if days:
        axes.set_ylim(0, 1)
        axes.set_ylabel("negative share")
        axes.legend(fontsize=8)
        _few_ticks(axes, days)
    axes.set_title("Sentiment trend (share negative per day)")
    return _png(figure)


def negatives_chart(data: dict[str, Any]) -> bytes:
    """Top negative products and aspects."""
    figure, (left, right) = _subplots(1, 2, figsize=(SIZE[0] * 1.4, SIZE[1]))
    for axes, key, title in ((left, "products", "Products"), (right, "aspects", "Aspects")):
        rows = data.get(key, [])[:8][::-1]
        if not rows:
            _empty(axes, "negative reviews")
            continue
        labels = [str(row.get("title") or row["name"])[:28] for row in rows]
        axes.barh(labels, [row["negative"] for row in rows], color=COLOURS[3])
        axes.set_title(f"{title}: negative reviews")
        axes.tick_params(axis="y", labelsize=7)
    return _png(figure)


def _few_ticks(axes: Any, days: list[str]) -> None:
    step = max(1, len(days) // 6)
    axes.set_xticks(range(0, len(days), step), [days[i][5:] for i in range(0, len(days), step)])


CHARTS: dict[str, tuple[str, Callable[[dict[str, Any]], bytes]]] = {
    # chart name -> (the JSON figure set it draws, the drawing)
    "conversations": ("conversations", conversations_chart),
    "intents": ("conversations", intents_chart),
    "rates": ("conversations", rates_chart),
    "sentiment": ("sentiment", sentiment_chart),
    "negatives": ("negatives", negatives_chart),
}
