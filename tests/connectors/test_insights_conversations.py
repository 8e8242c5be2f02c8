"""The conversation figures read from wherever conversations live, written by a real Bot:
the same conversations on SQLite and on PostgreSQL give the same figures (per day by channel
and language, intents, fallbacks, handoffs and time to claim, the sentiment each message was
read with when it came in); a dashboard on PostgreSQL shows what another instance wrote, and
answers 503, at once, while PostgreSQL is away."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from actions.catalog import Catalog
from bot.app import (
    SETTINGS,
    SHOP,
    TOKENS,
    conversation_events,
    create_app,
    error_middleware,
    session_tokens,
)
from bot.domain import Domain
from bot.engine import Bot, TurnLimits
from bot.handoff import HandoffService, HandoffSettings
from bot.insights import conversation_stats
from bot.insights_events import PAGE, ConversationEvents
from bot.insights_sentiment import SentimentInterpreter
from bot.messages import UserMessage
from bot.policy import RulePolicy
from bot.settings import Settings
from bot.store import ConversationStore, SqliteConversationStore, Unavailable
from bot.store_postgres import PostgresConversationStore
from bot.tracker import SNAPSHOT
from connectors.insights import InsightsDashboard
from nlu.sentiment import EnglishSentiment
from tests.bot.shared_servers import DATABASE_URL, closed_port, pg_schema
from tests.connectors.test_insights_handoff import ANGRY, RecordingDesk
from tests.fakes.action_runner import ScriptedActions
from tests.fakes.interpreter import KeywordInterpreter

__all__ = ["pg_schema"]  # the fixture, used by name

TOKEN = "insights-token-0123456789-abcdefghij"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
RULES = {"hello": ("greet", 0.95), "hmm": ("greet", 0.1)}  # "hmm": too unsure, a fallback
REST_URL = "/webhooks/rest/webhook"


def _on_postgresql(settings: Settings, schema: str, url: str = DATABASE_URL) -> Settings:
    return settings.model_copy(
        update={
            "database_url": SecretStr(url),
            "database_schema": schema,
            "api_token": SecretStr(TOKEN),
        }
    )


async def _conversations(store: ConversationStore) -> None:
    """The same conversations, through a real Bot, into `store` (closed afterwards)."""
    domain = Domain.load(Settings().domain_file)
    bot = await Bot.start(
        domain=domain,
        store=store,
        interpreter=SentimentInterpreter(KeywordInterpreter(RULES), EnglishSentiment(), None),
        actions=ScriptedActions(domain, {"action_greet": "utter_greet"}, {}),
        policy=RulePolicy(domain.policy, 0.4),
        limits=TurnLimits(max_events=60, keep_events=10),  # dee's conversation is folded
        handoff=HandoffSettings(),
        desk=RecordingDesk(),
    )
    service = HandoffService(bot, lambda *_: None, bot.say)
    await store.append("rest:old", [{"event": "user", "text": "hello", "timestamp": 1e9}])
    await bot.handle(UserMessage("hello", "ann"))
    for text in ANGRY:
        await bot.handle(UserMessage(text, "ann"))  # the second goes to a person
    await service.claim("rest:ann", "Dana")
    await bot.handle(UserMessage("hello", "bo"))
    await bot.handle(UserMessage("/greet", "bo"))  # a button: not the shopper's words
    await bot.handle(UserMessage("hmm", "cy", channel="web"))
    for n in range(40):
        await bot.handle(UserMessage(f"hello, question {n}", "dee"))
    assert (await store.load("rest:dee"))[0]["event"] == SNAPSHOT
    await bot.store.close()


async def _figures(events: ConversationEvents) -> dict[str, Any]:
    try:
        stats = await conversation_stats(events.since(time.time() - 3600))
    finally:
        await events.close()
    return stats


async def test_the_same_figures_from_sqlite_and_from_postgresql(
    tmp_path: Path, pg_schema: str
) -> None:
    home = Settings(home=tmp_path)
    await _conversations(SqliteConversationStore(home.conversations_db))
    on_sqlite = await _figures(conversation_events(home))
    shared = _on_postgresql(Settings(home=tmp_path / "pg"), pg_schema)
    await _conversations(await PostgresConversationStore.open(DATABASE_URL, pg_schema))
    on_postgresql = await _figures(conversation_events(shared))
    assert not shared.conversations_db.exists()

    for stats in (on_sqlite, on_postgresql):  # seconds as it happened: not compared
        assert stats["time_to_claim_s"].pop("median") >= 0
    assert on_postgresql == on_sqlite
    stats = on_sqlite
    assert stats["conversations"] == 4  # "rest:old" is older than the hour asked for
    rows = {(row["channel"], row["language"], row["conversations"]) for row in stats["per_day"]}
    assert rows == {("rest", "en", 3), ("web", "en", 1)}
    assert stats["intents"]["greet"] > 2  # ann, bo, cy and dee's kept turns
    assert stats["fallback_rate"] is not None and stats["fallback_rate"] > 0  # cy's "hmm"
    assert stats["handoff_rate"] == 0.25
    assert stats["time_to_claim_s"]["claims"] == 1
    today = stats["message_sentiment"][0]  # read when they came in; no model needed now
    assert today["negative"] == 2 and today["messages"] > 4


async def test_an_empty_schema_or_no_database_file_has_no_conversations(
    tmp_path: Path, pg_schema: str
) -> None:
    for settings in (Settings(home=tmp_path), _on_postgresql(Settings(home=tmp_path), pg_schema)):
        stats = await _figures(conversation_events(settings))
        assert stats["conversations"] == 0 and stats["per_day"] == []


async def test_a_dashboard_on_postgresql_shows_what_another_instance_wrote(
    aiohttp_client: Any, settings: Settings, pg_schema: str, tmp_path: Path
) -> None:
    channels = ["connectors.rest:RestChannel", "connectors.insights:InsightsDashboard"]
    shared = _on_postgresql(settings.model_copy(update={"channels": channels}), pg_schema)
    writer: TestClient = await aiohttp_client(create_app(shared))
    dashboard: TestClient = await aiohttp_client(
        create_app(shared.model_copy(update={"home": tmp_path / "home-b"}))
    )
    for sender, text in (("ann", "hello"), ("bo", "show me laptops"), ("ann", "thanks")):
        answer = await writer.post(REST_URL, json={"sender": sender, "message": text})
        assert answer.status == 200

    figures = await dashboard.get("/api/insights/conversations?days=1", headers=BEARER)
    assert figures.status == 200
    stats = await figures.json()
    assert stats["conversations"] == 2
    assert sum(row["conversations"] for row in stats["per_day"] if row["channel"] == "rest") == 2
    assert sum(stats["intents"].values()) == 3
    chart = await dashboard.get("/api/insights/charts/conversations.png?days=1", headers=BEARER)
    assert chart.status == 200 and (await chart.read()).startswith(b"\x89PNG")
    assert not (tmp_path / "home-b" / "conversations.db").exists()


async def test_postgresql_away_the_conversation_figures_answer_503_at_once(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    away = f"postgresql://postgres@127.0.0.1:{closed_port()}/test"
    settings = _on_postgresql(Settings(home=tmp_path / "home"), "nowhere", away)
    app = web.Application(middlewares=[error_middleware])
    app[SETTINGS] = settings
    app[TOKENS] = session_tokens(settings)
    app[SHOP] = SimpleNamespace(catalog=Catalog(settings.home / "catalog.db"))  # type: ignore[assignment]
    InsightsDashboard().register(app, settings)
    client: TestClient = await aiohttp_client(app)
    for path in ("/api/insights/conversations", "/api/insights/charts/rates.png"):
        started = time.monotonic()
        answer = await client.get(path, headers=BEARER)
        assert answer.status == 503, path
        assert "does not answer" in (await answer.json())["error"]
        assert time.monotonic() - started < 5
    events = conversation_events(settings)  # the reading itself, before any other store
    started = time.monotonic()
    with pytest.raises(Unavailable):
        await conversation_stats(events.since(0))
    assert time.monotonic() - started < 5
    await events.close()


async def test_more_events_than_a_page_come_in_pages_and_all_count(
    tmp_path: Path, pg_schema: str
) -> None:
    many = PAGE * 2 + 5
    since = time.time() - 60
    home = Settings(home=tmp_path)
    for settings, store in (
        (home, SqliteConversationStore(home.conversations_db)),
        (
            _on_postgresql(home, pg_schema),
            await PostgresConversationStore.open(DATABASE_URL, pg_schema),
        ),
    ):
        for n in range(many):
            event = {"event": "user", "text": f"hello {n}", "timestamp": since + n / many}
            await store.append(f"web:s{n}", [event])
        await store.close()
        events = conversation_events(settings)
        pages = [len(rows) async for rows in events.since(since)]
        assert pages == [PAGE, PAGE, 5]
        stats = await _figures(events)
        assert stats["conversations"] == many
        assert stats["per_day"][0]["channel"] == "web"
