"""The handoff queue on SQLite and on the real PostgreSQL: the same behaviours on both, the
PostgreSQL one's migrations beside the conversation store's, a server that is not there, and
two whole apps on one schema sharing one queue."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from bot.app import HANDOFF, QUEUE, create_app
from bot.handoff import Desks, HandoffService, Summary
from bot.handoff_queue import (
    HandoffQueue,
    PostgresHandoffQueue,
    SqliteHandoffQueue,
    tell_the_unclaimed,
)
from bot.settings import Settings
from bot.store import Unavailable
from bot.store_postgres import PostgresConversationStore
from tests.bot.shared_servers import (
    DATABASE_URL,
    closed_port,
    on_shared_servers,
    pg_schema,
    redis_prefix,
)
from tests.bot.test_handoff import _bot, _say

__all__ = ["pg_schema", "redis_prefix"]  # the fixtures, used by name

QueueMaker = Callable[[], HandoffQueue]


@pytest.fixture(params=["sqlite", "postgresql"])
def new_queue(request: pytest.FixtureRequest, tmp_path: Path) -> QueueMaker:
    """Opens the queue anew each call (a restart), on the same file or schema."""
    if request.param == "sqlite":
        return lambda: SqliteHandoffQueue(tmp_path / "handoffs.db")
    schema = request.getfixturevalue("pg_schema")
    return lambda: PostgresHandoffQueue(DATABASE_URL, schema)


async def test_the_queue_lists_waiting_first_oldest_first_and_survives_a_restart(
    tmp_path: Path, new_queue: QueueMaker
) -> None:
    queue = new_queue()
    desks = Desks()
    desks.add(queue)
    bot = await _bot(tmp_path, desk=desks)  # type: ignore[arg-type]
    service = HandoffService(bot, lambda c, p, e: None, bot.say, desks)
    for sender in ("first", "second", "third"):
        await _say(bot, sender, "I want a person, I'm at +1 415 555 0100")
    await service.claim("rest:first", "Dana")
    await _say(bot, "second", "still there? my card is 4111 1111 1111 1111")
    await queue.close()

    queue = new_queue()  # a restart
    listed = [(e.conversation_id, e.state, e.agent) for e in await queue.open()]
    assert listed == [
        ("rest:second", "waiting", None),
        ("rest:third", "waiting", None),
        ("rest:first", "with_agent", "Dana"),
    ]
    second = await queue.get("rest:second")
    assert second is not None and second.reason.startswith("requested")
    texts = [m["text"] for m in second.summary["messages"]]
    assert texts[-1] == "still there? my card is [card number]"
    assert "555" not in str(second.summary)
    assert await queue.get("rest:nobody") is None
    desks.add(queue)
    await service.resolve("rest:first", "Dana")
    assert [e.conversation_id for e in await queue.open()] == ["rest:second", "rest:third"]
    await queue.close()
    await bot.store.close()


async def test_a_shopper_nobody_claims_is_told_once_and_stays_queued(
    tmp_path: Path, new_queue: QueueMaker
) -> None:
    queue = new_queue()
    desks = Desks()
    desks.add(queue)
    bot = await _bot(tmp_path, desk=desks)  # type: ignore[arg-type]
    published: list[str] = []
    service = HandoffService(bot, lambda c, p, e: published.append(p["text"]), bot.say, desks)
    await _say(bot, "fay", "I want a person")
    reminders = asyncio.create_task(tell_the_unclaimed(queue, service, 0.05, every_s=0.01))
    for _ in range(300):  # until told (a bound that only catches a hang)
        if published:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # more rounds of the reminder task: it must not tell twice
    reminders.cancel()
    assert len(published) == 1 and "leave your email" in published[0]
    assert [e.state for e in await queue.open()] == ["waiting"]
    tracker = await bot.tracker("rest:fay")
    assert tracker.paused and tracker.events[-1]["text"] == published[0]
    await queue.close()
    await bot.store.close()


def _summary(conversation_id: str, since: float) -> Summary:
    return Summary(conversation_id, "rest", "en", "requested: a person", [], [], [], [], since)


async def test_its_migrations_and_the_conversation_stores_live_side_by_side(
    pg_schema: str,
) -> None:
    queue = PostgresHandoffQueue(DATABASE_URL, pg_schema)
    queue.escalated(_summary("rest:ann", time.time()))
    assert [e.conversation_id for e in await queue.open()] == ["rest:ann"]
    store = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    await store.append("rest:ann", [{"event": "user", "text": "hi", "timestamp": 1.0}])
    again = PostgresHandoffQueue(DATABASE_URL, pg_schema)  # a second instance: nothing reruns
    assert [e.conversation_id for e in await again.open()] == ["rest:ann"]
    raw = await asyncpg.connect(DATABASE_URL)
    try:
        rows = await raw.fetch(f'SELECT version FROM "{pg_schema}".shopbot_migrations')
    finally:
        await raw.close()
    assert sorted(r["version"] for r in rows) == [1, 2, 101]
    assert [e["text"] for e in await store.load("rest:ann")] == ["hi"]
    for closing in (again, queue, store):
        await closing.close()


async def test_lines_from_two_instances_all_join_the_summary(pg_schema: str) -> None:
    a = PostgresHandoffQueue(DATABASE_URL, pg_schema, mask_lines=False)
    b = PostgresHandoffQueue(DATABASE_URL, pg_schema, mask_lines=False)
    a.escalated(_summary("rest:ann", time.time()))
    await a.open()  # written
    for i in range(10):
        (a if i % 2 else b).shopper_wrote("rest:ann", f"line {i}")
    await asyncio.gather(a.open(), b.open())
    entry = await a.get("rest:ann")
    assert entry is not None
    assert sorted(m["text"] for m in entry.summary["messages"]) == [f"line {i}" for i in range(10)]
    await a.close()
    await b.close()


async def test_a_server_that_is_not_there_fails_reads_fast_and_loses_only_the_change(
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue = PostgresHandoffQueue(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bot.handoff_queue"):
        queue.escalated(_summary("rest:ann", time.time()))  # never raises: a desk call
        with pytest.raises(Unavailable, match="does not answer"):
            await queue.open()
        with pytest.raises(Unavailable):
            await queue.get("rest:ann")
        await queue.close()
    assert time.monotonic() - started < 60  # only catches a hang
    assert "a change was not written" in caplog.text
    assert "postgres@" not in caplog.text  # the address, never who logs in


async def test_two_apps_on_one_schema_share_one_queue(
    aiohttp_client: Any, settings: Settings, pg_schema: str, redis_prefix: str, tmp_path: Path
) -> None:
    shared = on_shared_servers(settings, pg_schema, redis_prefix)
    a: TestClient = await aiohttp_client(create_app(shared))
    b: TestClient = await aiohttp_client(
        create_app(shared.model_copy(update={"home": tmp_path / "home-b"}))
    )
    url = "/webhooks/rest/webhook"
    asked = await a.post(url, json={"sender": "ann", "message": "I want to talk to a person"})
    assert asked.status == 200
    await a.app[QUEUE].open()  # A's own change written

    at_b = await b.app[QUEUE].open()
    assert [e.conversation_id for e in at_b] == ["rest:ann"] and at_b[0].state == "waiting"
    assert "contact_human_agent" in at_b[0].summary["intents"]
    assert at_b[0].summary["messages"][0] == {
        "from": "shopper",
        "text": "I want to talk to a person",
    }

    # the shopper writes on at B while waiting; A's queue has the line
    assert (await b.post(url, json={"sender": "ann", "message": "hello?"})).status == 200
    await b.app[QUEUE].open()
    at_a = await a.app[QUEUE].get("rest:ann")
    assert at_a is not None and at_a.summary["messages"][-1]["text"] == "hello?"

    # B's agent claims it: A sees who has it
    await b.app[HANDOFF].claim("rest:ann", "Dana")
    await b.app[QUEUE].open()
    at_a = await a.app[QUEUE].get("rest:ann")
    assert at_a is not None and (at_a.state, at_a.agent) == ("with_agent", "Dana")
