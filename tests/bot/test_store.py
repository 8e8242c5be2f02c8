import asyncio
import sqlite3
from pathlib import Path

from bot.store import SqliteConversationStore
from bot.tracker import slot_event


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
