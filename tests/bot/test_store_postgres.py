"""The PostgreSQL conversation store, against the real server: what the SQLite store's tests
ask, compaction, two instances on one database, and a server that is not there."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from bot.postgres import LazyDatabase
from bot.store import Unavailable
from bot.store_postgres import PostgresConversationStore
from bot.tracker import SNAPSHOT, slot_event
from tests.bot.shared_servers import DATABASE_URL, closed_port, pg_schema

__all__ = ["pg_schema"]  # the fixture, used by name


async def test_events_come_back_in_append_order_and_survive_reopening(pg_schema: str) -> None:
    store = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    await store.append("a", [slot_event("n", 1), slot_event("n", 2)])
    await store.append("b", [slot_event("n", 99)])
    await store.append("a", [slot_event("n", 3)])
    await store.append("a", [])
    await store.close()

    reopened = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    assert [e["value"] for e in await reopened.load("a")] == [1, 2, 3]
    assert [e["value"] for e in await reopened.load("b")] == [99]
    assert await reopened.load("nobody") == []
    await reopened.close()


async def test_rows_are_never_rewritten_and_migrations_run_once(pg_schema: str) -> None:
    store = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    await store.append("a", [slot_event("n", 1)])
    raw = await asyncpg.connect(DATABASE_URL)
    table = f'"{pg_schema}".conversation_events'
    first_id = await raw.fetchval(f"SELECT id FROM {table}")
    await store.append("a", [slot_event("n", 2)])
    rows = await raw.fetch(f"SELECT id, type FROM {table} ORDER BY id")
    assert rows[0]["id"] == first_id and [r["type"] for r in rows] == ["slot", "slot"]
    again = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    await again.ping()
    versions = await raw.fetch(f'SELECT version FROM "{pg_schema}".shopbot_migrations')
    assert [r["version"] for r in versions] == [1, 2]
    # the dashboard's reading by time has its index
    await raw.execute("SET enable_seqscan = off")
    plan = await raw.fetch(f"EXPLAIN SELECT id FROM {table} WHERE timestamp >= 0")
    assert "conversation_events_by_time" in " ".join(row[0] for row in plan)
    await raw.close()
    await again.close()
    await store.close()


async def test_concurrent_appends_all_land(pg_schema: str) -> None:
    store = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    await asyncio.gather(*(store.append(f"s{i % 5}", [slot_event("i", i)]) for i in range(100)))
    loaded = [len(await store.load(f"s{k}")) for k in range(5)]
    assert loaded == [20] * 5
    await store.close()


async def test_one_append_of_many_events_keeps_their_order(pg_schema: str) -> None:
    store = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    values = list(range(300))
    await store.append("a", [slot_event("n", v) for v in values[:7]])
    await store.append("a", [slot_event("n", v) for v in values[7:]])
    assert [e["value"] for e in await store.load("a")] == values
    raw = await asyncpg.connect(DATABASE_URL)
    ids = [r["id"] for r in await raw.fetch(f'SELECT id FROM "{pg_schema}".conversation_events')]
    await raw.close()
    assert len(ids) == 300 and ids == sorted(ids)
    await store.close()


async def test_a_session_lock_left_on_a_connection_is_undone_only_where_a_store_keeps_them(
    pg_schema: str,
) -> None:
    """Pools skip asyncpg's reset round trip unless their store holds session state (the
    alert store's check lock); there, a lock its holder failed to release is still let go."""
    key = 424242
    for session_state, freed in ((True, True), (False, False)):
        database = LazyDatabase(DATABASE_URL, pg_schema, (), "test", 1, session_state)
        async with database.connection() as connection:
            await connection.execute("SELECT pg_advisory_lock($1)", key)
        raw = await asyncpg.connect(DATABASE_URL)
        taken = await raw.fetchval("SELECT pg_try_advisory_lock($1)", key)
        await raw.close()
        await database.close()  # closing the connection frees whatever it held
        assert taken is freed


async def test_an_append_is_all_or_nothing(pg_schema: str) -> None:
    store = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    await store.append("a", [slot_event("n", 1)])
    # the second event cannot be stored (a NUL in TEXT): the first of the call is not either
    with pytest.raises(asyncpg.PostgresError):
        await store.append("a", [slot_event("n", 2), {"event": "bad\x00type"}])
    assert [e["value"] for e in await store.load("a")] == [1]
    await store.close()


async def test_compaction_puts_the_snapshot_first_and_keeps_the_rest(pg_schema: str) -> None:
    store = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    await store.append("a", [slot_event("n", i) for i in range(10)])
    await store.append("b", [slot_event("n", 100)])
    snapshot = {"event": "snapshot", "timestamp": time.time(), "slots": {"n": 6}}
    await store.compact("a", 7, snapshot)
    events = await store.load("a")
    assert events[0]["event"] == "snapshot" and events[0]["slots"] == {"n": 6}
    assert [e["value"] for e in events[1:]] == [7, 8, 9]
    await store.compact("a", 7, snapshot)  # fewer events than that now: nothing changes
    assert len(await store.load("a")) == 4
    await store.append("a", [slot_event("n", 10)])
    assert [e.get("value") for e in await store.load("a")][-2:] == [9, 10]
    assert [e["value"] for e in await store.load("b")] == [100]
    await store.close()


async def test_two_instances_on_one_database_see_each_others_appends(pg_schema: str) -> None:
    first, second = await asyncio.gather(
        PostgresConversationStore.open(DATABASE_URL, pg_schema),
        PostgresConversationStore.open(DATABASE_URL, pg_schema),
    )
    await first.append("rest:ann", [slot_event("n", 1)])
    await second.append("rest:ann", [slot_event("n", 2)])
    await first.append("rest:ann", [slot_event("n", 3)])
    assert [e["value"] for e in await second.load("rest:ann")] == [1, 2, 3]
    assert await first.load("rest:ann") == await second.load("rest:ann")
    await first.close()
    await second.close()


async def test_a_server_that_is_not_there_fails_fast(pg_schema: str) -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/test"
    started = time.monotonic()
    store = await PostgresConversationStore.open(url, pg_schema)  # starts; waits for it
    with pytest.raises(Unavailable, match=r"PostgreSQL at 127\.0\.0\.1:"):
        await store.load("a")
    with pytest.raises(Unavailable):
        await store.append("a", [slot_event("n", 1)])
    assert time.monotonic() - started < 5
    await store.close()


async def test_another_instances_appends_and_compaction_are_read(pg_schema: str) -> None:
    here = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    there = await PostgresConversationStore.open(DATABASE_URL, pg_schema)
    await here.append("a", [slot_event("n", n) for n in range(5)])
    first = await here.load("a")
    await there.append("a", [slot_event("n", 5)])
    again = await here.load("a")
    assert [e["value"] for e in again] == [0, 1, 2, 3, 4, 5]
    assert again[0] is first[0]  # what was read before is not decoded again
    snapshot = {"event": SNAPSHOT, "timestamp": 1.0, "slots": {"n": 0}}
    await there.compact("a", 1, snapshot)  # the snapshot takes row 1's id: only its type differs
    after = await here.load("a")
    assert [e["event"] for e in after] == [SNAPSHOT, *["slot"] * 5]
    assert [e.get("value") for e in after[1:]] == [1, 2, 3, 4, 5]
    await here.close()
    await there.close()
