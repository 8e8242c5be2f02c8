"""Slack's threads and seen events on SQLite and on the real PostgreSQL: the same behaviours on
both, two instances on one file or schema (an event delivered at one is a retry at the other;
a thread posted at one is found at the other), the migration's version, a server that is not
there."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.slack_threads import SlackThread, SlackThreadStore, SqliteSlackThreads
from bot.slack_threads_postgres import PostgresSlackThreads
from bot.store import Unavailable
from tests.bot.shared_servers import DATABASE_URL, closed_port, pg_schema

__all__ = ["pg_schema"]  # the fixture, used by name

StoreMaker = Callable[[], SlackThreadStore]
SUMMARY = {"conversation_id": "web:abc", "reason": "asked for a person", "last_lines": ["我要退货"]}


@pytest.fixture(params=["sqlite", "postgresql"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreMaker:
    """Opens the store anew each call (another instance, or a restart) on one file or schema."""
    if request.param == "sqlite":
        return lambda: SqliteSlackThreads(tmp_path / "slack.db")
    schema = request.getfixturevalue("pg_schema")
    return lambda: PostgresSlackThreads(DATABASE_URL, schema)


async def test_an_event_is_delivered_once_at_either_instance(new_store: StoreMaker) -> None:
    one, other = new_store(), new_store()
    assert await one.first_delivery("Ev01")
    assert not await one.first_delivery("Ev01")
    assert not await other.first_delivery("Ev01")  # Slack's retry reached the other instance
    assert await other.first_delivery("Ev02")
    await one.close()
    await other.close()


async def test_of_two_instances_taking_one_event_at_once_exactly_one_gets_it(
    new_store: StoreMaker,
) -> None:
    stores = [new_store() for _ in range(4)]
    taken = await asyncio.gather(*(store.first_delivery("Ev07") for store in stores))
    assert sorted(taken) == [False, False, False, True]
    for store in stores:
        await store.close()


async def test_a_thread_posted_at_one_instance_is_found_and_updated_at_the_other(
    new_store: StoreMaker,
) -> None:
    one, other = new_store(), new_store()
    await one.posted("C0SUPPORT", "1700000000.000100", "web:abc", SUMMARY, "waiting")
    found = await other.find("C0SUPPORT", "1700000000.000100")
    assert found is not None
    assert (found.conversation_id, found.state, found.agent) == ("web:abc", "waiting", None)
    assert found.summary == SUMMARY  # the JSON round trip keeps Chinese text as it was
    assert await other.find("C0SUPPORT", "1700000000.000999") is None
    assert await other.find("C0OTHER", "1700000000.000100") is None

    claimed = await other.set_state(found, "with_agent", "Dana")
    assert (claimed.state, claimed.agent) == ("with_agent", "Dana")
    latest = await one.latest("web:abc")
    assert latest is not None and (latest.state, latest.agent) == ("with_agent", "Dana")
    assert await one.latest("web:nobody") is None
    await one.close()
    await other.close()


async def test_the_latest_escalation_is_the_conversations_thread(new_store: StoreMaker) -> None:
    store = new_store()
    await store.posted("C0SUPPORT", "1.1", "web:abc", SUMMARY, "waiting")
    await asyncio.sleep(0.01)
    await store.posted("C0SUPPORT", "2.2", "web:abc", SUMMARY, "waiting")
    latest = await store.latest("web:abc")
    assert latest is not None and latest.thread_ts == "2.2"
    # posting the same parent again replaces it (as SQLite's INSERT OR REPLACE did)
    await store.posted("C0SUPPORT", "2.2", "web:xyz", SUMMARY, "resolved")
    replaced = await store.find("C0SUPPORT", "2.2")
    assert replaced is not None and (replaced.conversation_id, replaced.state) == (
        "web:xyz",
        "resolved",
    )
    await store.close()


async def test_counts_since_count_parents_by_the_state_they_show(new_store: StoreMaker) -> None:
    store = new_store()
    for ts, conversation in (("1.1", "web:a"), ("2.2", "web:b"), ("3.3", "web:c")):
        await store.posted("C0SUPPORT", ts, conversation, SUMMARY, "waiting")
    thread = await store.find("C0SUPPORT", "2.2")
    assert thread is not None
    await store.set_state(thread, "resolved", "Dana")
    assert await store.counts_since(time.time() - 60) == {"waiting": 2, "resolved": 1}
    assert await store.counts_since(time.time() + 60) == {}
    await store.close()


async def test_the_migration_is_recorded_in_this_stores_range(pg_schema: str) -> None:
    stores = [PostgresSlackThreads(DATABASE_URL, pg_schema) for _ in range(2)]
    await asyncio.gather(*(store.first_delivery("Ev01") for store in stores))
    raw = await asyncpg.connect(DATABASE_URL)
    try:
        rows = await raw.fetch(f'SELECT version FROM "{pg_schema}".shopbot_migrations')
    finally:
        await raw.close()
    assert [row["version"] for row in rows] == [501]
    for store in stores:
        await store.close()


async def test_a_server_that_is_not_there_fails_every_call_fast() -> None:
    store = PostgresSlackThreads(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    thread = SlackThread("C0SUPPORT", "1.1", "web:abc", SUMMARY, "waiting", None, time.time())
    started = time.monotonic()
    calls: list[Any] = [
        store.first_delivery("Ev01"),
        store.posted("C0SUPPORT", "1.1", "web:abc", SUMMARY, "waiting"),
        store.set_state(thread, "resolved", "Dana"),
        store.latest("web:abc"),
        store.find("C0SUPPORT", "1.1"),
        store.counts_since(0.0),
    ]
    for call in calls:
        with pytest.raises(Unavailable, match=r"PostgreSQL at 127\.0\.0\.1:\d+ does not answer"):
            await call
    await store.close()
    assert time.monotonic() - started < 30  # only catches a hang
