import asyncio
import sqlite3
from pathlib import Path

from bot.store import DecodedEvents, SqliteConversationStore
from bot.tracker import SNAPSHOT, slot_event


async def test_events_come_back_in_append_order_and_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "conversations.db"
    store = SqliteConversationStore(path)
    await store.append("a", [slot_event("n", 1), slot_event("n", 2)])
    await store.append("b", [slot_event("n", 99)])
    await store.append("a", [slot_event("n", 3)])
    await store.close()

    reopened = SqliteConversationStore(path)
    assert [e["value"] for e in await reopened.load("a")] == [1, 2, 3]
    assert [e["value"] for e in await reopened.load("b")] == [99]
    assert await reopened.load("nobody") == []
    await reopened.close()


async def test_store_uses_wal_and_never_rewrites_rows(tmp_path: Path) -> None:
    path = tmp_path / "conversations.db"
    store = SqliteConversationStore(path)
    await store.append("a", [slot_event("n", 1)])
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        first_id = raw.execute("SELECT id FROM events").fetchone()[0]
    await store.append("a", [slot_event("n", 2)])
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT id, type FROM events ORDER BY id").fetchall()
    assert rows[0][0] == first_id and [t for _, t in rows] == ["slot", "slot"]
    await store.close()


async def test_concurrent_appends_all_land(tmp_path: Path) -> None:
    store = SqliteConversationStore(tmp_path / "c.db")
    await asyncio.gather(*(store.append(f"s{i % 5}", [slot_event("i", i)]) for i in range(100)))
    loaded = [len(await store.load(f"s{k}")) for k in range(5)]
    assert loaded == [20] * 5
    await store.close()


async def test_a_second_read_decodes_only_the_new_events(tmp_path: Path) -> None:
    store = SqliteConversationStore(tmp_path / "c.db")
    await store.append("a", [slot_event("n", 1), slot_event("n", 2)])
    first = await store.load("a")
    await store.append("a", [slot_event("n", 3)])
    second = await store.load("a")
    assert [e["value"] for e in second] == [1, 2, 3]
    assert second[0] is first[0] and second[1] is first[1]  # kept, not decoded again
    second.append(slot_event("n", "mine"))  # the caller's list is the caller's
    assert [e["value"] for e in await store.load("a")] == [1, 2, 3]
    await store.close()


async def test_another_instances_appends_and_compaction_are_read(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    here, there = SqliteConversationStore(path), SqliteConversationStore(path)
    await here.append("a", [slot_event("n", n) for n in range(5)])
    assert len(await here.load("a")) == 5
    await there.append("a", [slot_event("n", 5)])
    assert [e["value"] for e in await here.load("a")] == [0, 1, 2, 3, 4, 5]
    snapshot = {"event": SNAPSHOT, "timestamp": 1.0, "slots": {"n": 0}}
    await there.compact("a", 1, snapshot)  # the snapshot takes row 1's id: only its type differs
    after = await here.load("a")
    assert [e["event"] for e in after] == [SNAPSHOT, *["slot"] * 5]
    assert [e.get("value") for e in after[1:]] == [1, 2, 3, 4, 5]
    assert after == await SqliteConversationStore(path).load("a")
    await here.close()
    await there.close()


def test_decoded_events_are_held_for_the_latest_conversations_only() -> None:
    decoded = DecodedEvents(conversations=2)
    for name in ("a", "b", "c"):
        assert decoded.merge(name, [(1, "slot", '{"event": "slot"}')]) == [{"event": "slot"}]
    assert [decoded.last_id(name) for name in ("a", "b", "c")] == [-1, 1, 1]
    # a row past what is held without its data cannot be merged: read again in full
    assert decoded.merge("b", [(1, "slot", None), (2, "slot", None)]) is None
    assert decoded.last_id("b") == -1


async def test_the_dashboards_reading_by_time_uses_an_index(tmp_path: Path) -> None:
    store = SqliteConversationStore(tmp_path / "c.db")
    await store.append("a", [slot_event("n", 1)])
    await store.close()
    with sqlite3.connect(tmp_path / "c.db") as db:
        plan = db.execute("EXPLAIN QUERY PLAN SELECT id FROM events WHERE timestamp >= 0")
        assert "events_by_time" in " ".join(str(row) for row in plan.fetchall())
