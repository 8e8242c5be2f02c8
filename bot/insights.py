"""What the conversations show: per day by channel and language, intents, fallback and
handoff rates, time to claim, the search → details → order funnel, satisfaction, and the
sentiment of shoppers' messages. Read from wherever conversations live (`conversations.db`
or PostgreSQL: `bot.insights_events`, chosen by the composition root), counted off the event
loop, for the dashboard (`connectors/insights.py`) and `shopbot insights report`.

Texts are read for their sentiment and never kept, logged or returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import AsyncGenerator, Callable
from pathlib import Path
from typing import Any

from actions.opinion import Alert, AlertStore, alert_text
from actions.reviews import ALL, ReviewStore
from bot.insights_charts import CHARTS
from bot.insights_events import ConversationEvents, EventRow
from bot.insights_satisfaction import SatisfactionStore
from bot.insights_sentiment import as_chat
from nlu.sentiment import NEGATIVE, Sentiment

FALLBACK = "action_default_fallback"
SEARCH, DETAILS = "action_search_products", "action_product_details"
ORDER_ACTIONS = {"action_start_order_request", "action_order_request", "action_confirm_pending"}
READ_BATCH = 256
FRESH_S = 20.0

SentimentOf = Callable[[list[str]], list[Sentiment]]


def day_of(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()


class _Conversation:
    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.first_day = ""
        self.language = ""
        self.user_turns = 0
        self.fallbacks = 0
        self.actions: set[str] = set()
        self.waiting_at: float | None = None
        self.claim_waits: list[float] = []


async def conversation_stats(
    events: AsyncGenerator[list[EventRow], None], sentiment_of: SentimentOf | None = None
) -> dict[str, Any]:
    """Every figure of the conversations with an event in `events` (a reader's pages, e.g.
    `ConversationEvents.since`): each page decoded and counted in a thread, then the
    figures, and the sentiment of what was not read when it came in, in a thread too."""
    tally = _Tally()
    async with contextlib.aclosing(events) as pages:
        async for rows in pages:
            await asyncio.to_thread(tally.take, rows)
    return await asyncio.to_thread(tally.figures, sentiment_of)


class _Tally:
    """What the pages of events add up to so far."""

    def __init__(self) -> None:
        self.conversations: dict[str, _Conversation] = {}
        self.intents: Counter[str] = Counter()
        # (day, shopper text, its sentiment when the turn read it), for sentiment only
        self.texts: list[tuple[str, str, Sentiment | None]] = []

    def take(self, rows: list[EventRow]) -> None:
        for conversation_id, timestamp, data in rows:
            channel = conversation_id.split(":", 1)[0] if ":" in conversation_id else "other"
            conversation = self.conversations.setdefault(conversation_id, _Conversation(channel))
            conversation.first_day = conversation.first_day or day_of(timestamp)
            _take(conversation, json.loads(data), timestamp, self.intents, self.texts)

    def figures(self, sentiment_of: SentimentOf | None) -> dict[str, Any]:
        conversations, intents, texts = self.conversations, self.intents, self.texts
        per_day: Counter[tuple[str, str, str]] = Counter(
            (c.first_day, c.channel, c.language or "unknown") for c in conversations.values()
        )
        turns = sum(c.user_turns for c in conversations.values())
        waits = [w for c in conversations.values() for w in c.claim_waits]
        total = len(conversations)
        return {
            "conversations": total,
            "per_day": [
                {"day": d, "channel": ch, "language": lang, "conversations": n}
                for (d, ch, lang), n in sorted(per_day.items())
            ],
            "intents": dict(intents.most_common(20)),
            "fallback_rate": round(sum(c.fallbacks for c in conversations.values()) / turns, 4)
            if turns
            else None,
            "handoff_rate": round(
                sum(1 for c in conversations.values() if c.waiting_at is not None or c.claim_waits)
                / total,
                4,
            )
            if total
            else None,
            "time_to_claim_s": {
                "median": round(statistics.median(waits), 1) if waits else None,
                "claims": len(waits),
            },
            "funnel": {
                "conversations": total,
                "searched": sum(SEARCH in c.actions for c in conversations.values()),
                "opened_details": sum(
                    SEARCH in c.actions and DETAILS in c.actions for c in conversations.values()
                ),
                "order_help": sum(
                    SEARCH in c.actions and DETAILS in c.actions and bool(c.actions & ORDER_ACTIONS)
                    for c in conversations.values()
                ),
            },
            "satisfaction": {"up": 0, "down": 0, "comments": 0},  # `Insights` fills it in
            "message_sentiment": _sentiment_by_day(texts, sentiment_of),
        }


def _take(
    conversation: _Conversation,
    event: dict[str, Any],
    timestamp: float,
    intents: Counter[str],
    texts: list[tuple[str, str, Sentiment | None]],
) -> None:
    kind = event.get("event")
    if kind == "user":
        text = str(event.get("text") or "")
        parse = event.get("parse_data") or {}
        if text.startswith("/"):
            return  # a button payload, not the shopper's words
        conversation.user_turns += 1
        intent = (parse.get("intent") or {}).get("name")
        if intent:
            intents[str(intent)] += 1
        conversation.language = conversation.language or str(parse.get("language") or "")
        if text:
            read = parse.get("sentiment") or {}
            known = None
            if isinstance(read.get("score"), int | float) and read.get("label"):
                known = Sentiment(float(read["score"]), str(read["label"]), "")
            texts.append((day_of(timestamp), text, known))
    elif kind == "action":
        name = str(event.get("name"))
        conversation.actions.add(name)
        conversation.fallbacks += name == FALLBACK
    elif kind == "slot":
        slot, value = event.get("name"), event.get("value")
        if slot == "language" and value:
            conversation.language = str(value)
        elif slot == "handoff_state" and value == "waiting":
            conversation.waiting_at = timestamp
        elif slot == "handoff_state" and value == "with_agent" and conversation.waiting_at:
            conversation.claim_waits.append(timestamp - conversation.waiting_at)
            conversation.waiting_at = None


def _sentiment_by_day(
    texts: list[tuple[str, str, Sentiment | None]], sentiment_of: SentimentOf | None
) -> list[dict[str, Any]]:
    """Per day: messages, negative ones, mean score. A message read when it came in (the
    parse data's `sentiment`) counts as read; the others are read now, in batches."""
    unread = [(day, text) for day, text, known in texts if known is None]
    readings = [(day, known) for day, _, known in texts if known is not None]
    for start in range(0, len(unread) if sentiment_of else 0, READ_BATCH):
        batch = unread[start : start + READ_BATCH]
        read = sentiment_of([text for _, text in batch]) if sentiment_of else []
        if not read:
            break  # the models are not loaded yet
        readings += [
            (day, as_chat(text, reading)) for (day, text), reading in zip(batch, read, strict=True)
        ]
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for day, sentiment in readings:
        sums[day][0] += 1
        sums[day][1] += sentiment.label == NEGATIVE
        sums[day][2] += sentiment.score
    return [
        {"day": day, "messages": int(n), "negative": int(neg), "mean_score": round(s / n, 4)}
        for day, (n, neg, s) in sorted(sums.items())
    ]


class Insights:
    """Every figure set the dashboard and the report show; the conversations are read from
    `conversations` (closed by whoever opened it) and counted, the charts drawn and the
    titles read off the event loop."""

    def __init__(
        self,
        reviews: ReviewStore,
        alerts: AlertStore,
        conversations: ConversationEvents,
        title_of: Callable[[str], str | None],
        sentiment_of: SentimentOf | None = None,
        satisfaction: SatisfactionStore | None = None,
    ) -> None:
        self.reviews = reviews
        self.alerts = alerts
        self.conversations = conversations
        self.title_of = title_of
        self.sentiment_of = sentiment_of
        self.satisfaction = satisfaction
        self._recent: dict[tuple[str, int], tuple[float, dict[str, Any]]] = {}

    async def figures(self, name: str, days: int) -> dict[str, Any]:
        """`conversations`, `sentiment`, `negatives` or `alerts` over the last `days`; a set
        computed in the last `FRESH_S` seconds is answered again (a page asks for each set
        twice: its chart and its JSON), so a busy store's events are not re-read each time."""
        now = time.monotonic()
        cached = self._recent.get((name, days))
        if cached is not None and now - cached[0] < FRESH_S:
            return cached[1]
        figures = await self._figures(name, days)
        self._recent[(name, days)] = (now, figures)
        return figures

    async def _figures(self, name: str, days: int) -> dict[str, Any]:
        since = time.time() - days * 86_400
        if name == "conversations":
            stats = await conversation_stats(self.conversations.since(since))
            if self.satisfaction is not None:
                stats["satisfaction"] = await self.satisfaction.counts(since)
            return stats
        if name == "sentiment":
            stats = await conversation_stats(self.conversations.since(since), self.sentiment_of)
            return {
                "reviews": await self.reviews.sentiment_by_day(since),
                "messages": stats["message_sentiment"],
            }
        if name == "negatives":
            products = await self.reviews.top_negative(since, "product")
            await self._titled(products, "name")
            for row in products:
                row["examples"] = await self._quotes(row["name"], ALL, since)
            aspects = await self.reviews.top_negative(since, "aspect")
            for row in aspects:
                row["examples"] = await self._quotes(ALL, row["name"], since)
            return {"products": products, "aspects": aspects}
        if name == "alerts":
            alerts = [alert.as_dict() for alert in await self.alerts.alerts()]
            await self._titled(alerts, "product_id")
            return {"alerts": alerts}
        raise KeyError(name)

    async def _titled(self, rows: list[dict[str, Any]], key: str) -> None:
        """Each row's product title under "title" (the catalog read off the loop)."""

        def titles() -> None:
            for row in rows:
                row["title"] = self.title_of(row[key])

        await asyncio.to_thread(titles)

    async def _quotes(self, product_id: str, aspect: str, since: float) -> list[str]:
        until = time.time() + 86_400
        rows = await self.reviews.examples(product_id, aspect, since, until, limit=2)
        return [str(row["text"])[:200] for row in rows]

    async def chart(self, name: str, days: int) -> bytes:
        figure_set, draw = CHARTS[name]
        return await asyncio.to_thread(draw, await self.figures(figure_set, days))

    async def report(self, folder: Path, days: int) -> Path:
        """Every chart as PNG and `report.md` beside them, in `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in CHARTS:
            (folder / f"{name}.png").write_bytes(await self.chart(name, days))
        conversations = await self.figures("conversations", days)
        negatives = await self.figures("negatives", days)
        alerts = (await self.figures("alerts", days))["alerts"]
        lines = [
            f"# Shopbot insights: the last {days} days",
            "",
            f"Written {dt.datetime.now(dt.UTC).isoformat(timespec='minutes')}.",
            "",
            "## Conversations",
            "",
            f"- conversations: {conversations['conversations']}",
            f"- fallback rate: {_share(conversations['fallback_rate'])}",
            f"- handoff rate: {_share(conversations['handoff_rate'])}; median time to claim: "
            f"{conversations['time_to_claim_s']['median'] or 'n/a'} s",
            f"- satisfaction: {conversations['satisfaction']['up']} 👍, "
            f"{conversations['satisfaction']['down']} 👎",
            f"- funnel: {conversations['funnel']}",
            "",
            "![conversations](conversations.png)",
            "![intents](intents.png)",
            "![rates](rates.png)",
            "",
            "## Opinion",
            "",
            "![sentiment](sentiment.png)",
            "![negatives](negatives.png)",
            "",
            "| product | negative | reviews | e.g. |",
            "|---|---|---|---|",
        ]
        for row in negatives["products"]:
            quote = _cell(row["examples"][0]) if row["examples"] else ""
            name = _cell(row["title"] or row["name"])
            lines.append(f"| {name} | {row['negative']} | {row['total']} | {quote} |")
        lines += ["", "| aspect | negative | mentions |", "|---|---|---|"]
        lines += [f"| {r['name']} | {r['negative']} | {r['total']} |" for r in negatives["aspects"]]
        lines += ["", "## Alerts", ""]
        lines += [f"- {_cell(alert_text(_alert(a), a['title']))}" for a in alerts] or ["- none"]
        path = folder / "report.md"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _cell(text: str) -> str:
    return " ".join(str(text).replace("|", "/").split())[:200]


def _alert(row: dict[str, Any]) -> Alert:
    return Alert(**{key: row[key] for key in Alert.__dataclass_fields__})
