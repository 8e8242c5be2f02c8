"""Conversation stores: events appended per conversation, never rewritten."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import orjson

from actions.database import open_database
from bot.logs import in_context
from bot.tracker import Event

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    type TEXT NOT NULL,
    timestamp REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_conversation ON events (conversation_id, id);
-- the dashboard reads a week or a month of events by time, never the whole table
CREATE INDEX IF NOT EXISTS events_by_time ON events (timestamp);
"""


def dumps_event(event: Event) -> str:
    """An event as JSON text (keys that are not strings written as strings, as json does)."""
    return orjson.dumps(event, option=orjson.OPT_NON_STR_KEYS).decode()


# (row id, type, data): data only for rows past what `DecodedEvents` holds
EventRow = tuple[int, str, "str | None"]


class DecodedEvents:
    """The events of the conversations read lately, decoded, so that a turn decodes only the
    events added since the last one instead of the whole conversation again.

    Each read still lists every event's row id and type, so a change made elsewhere, such as
    another instance's compaction, shows as a prefix that no longer matches, and the
    conversation is read again in full. A compaction puts its snapshot in the last folded
    event's row, so the row ids alone cannot tell; the type does.
    Callers must treat the events as read-only: they are shared between reads.
    """

    def __init__(self, conversations: int = 1024) -> None:
        self._conversations = conversations
        self._held: OrderedDict[str, tuple[list[tuple[int, str]], list[Event]]] = OrderedDict()

    def last_id(self, conversation_id: str) -> int:
        """The newest row id held for the conversation; rows after it need their data."""
        held = self._held.get(conversation_id)
        return held[0][-1][0] if held and held[0] else -1

    def merge(self, conversation_id: str, rows: list[EventRow]) -> list[Event] | None:
        """The conversation's events from `rows` (every row, data past `last_id`), or None
        when what is held no longer matches and the data of every row is needed."""
        keys, events = self._held.pop(conversation_id, ([], []))
        if [(row_id, kind) for row_id, kind, _ in rows[: len(keys)]] != keys:
            return None
        added = rows[len(keys) :]
        if any(data is None for _, _, data in added):
            return None
        merged = events + [orjson.loads(data) for _, _, data in added if data is not None]
        self._hold(conversation_id, [*keys, *((row_id, kind) for row_id, kind, _ in added)], merged)
        return list(merged)

    def forget(self, conversation_id: str) -> None:
        self._held.pop(conversation_id, None)

    def _hold(self, conversation_id: str, keys: list[tuple[int, str]], events: list[Event]) -> None:
        self._held[conversation_id] = (keys, events)
        while len(self._held) > self._conversations:
            self._held.popitem(last=False)


class Unavailable(Exception):
    """A shared store (PostgreSQL, Redis) does not answer: the turn fails at once with this
    instead of waiting, `/health` says degraded, and the app answers 503 until it is back."""


class ConversationStore(Protocol):
    """Where conversations live between turns (and restarts)."""

    async def load(self, conversation_id: str) -> list[Event]:
        """All events of a conversation in the order they were appended."""
        ...

    async def append(self, conversation_id: str, events: list[Event]) -> None:
        """Append events atomically; earlier events are never changed."""
        ...

    async def compact(self, conversation_id: str, folded: int, snapshot: Event) -> None:
        """Replace the conversation's first `folded` events by `snapshot`, atomically."""
        ...

    async def close(self) -> None: ...


class SqliteConversationStore:
    """SQLite in WAL mode; one worker thread owns the connection (and the decoded events),
    so writes never contend."""

    def __init__(self, path: Path, decoded: DecodedEvents | None = None) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="conversation-store")
        opening = self._worker.submit(open_database, path, _SCHEMA, any_thread=False)
        self._connection: sqlite3.Connection = opening.result()
        self._decoded = decoded or DecodedEvents()

    async def load(self, conversation_id: str) -> list[Event]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, in_context(self._load, conversation_id))

    def _load(self, conversation_id: str) -> list[Event]:
        events = self._decoded.merge(
            conversation_id, self._rows(conversation_id, self._decoded.last_id(conversation_id))
        )
        if events is None:  # changed elsewhere since the last read
            events = self._decoded.merge(conversation_id, self._rows(conversation_id, -1))
        assert events is not None  # nothing held after the failed merge, so all rows fit
        return events

    def _rows(self, conversation_id: str, known: int) -> list[EventRow]:
        """Every event's id and type, with data past `known`: one statement, so one snapshot
        of the table."""
        return self._connection.execute(
            "SELECT id, type, CASE WHEN id > ? THEN data END FROM events "
            "WHERE conversation_id = ? ORDER BY id",
            (known, conversation_id),
        ).fetchall()

    async def append(self, conversation_id: str, events: list[Event]) -> None:
        if not events:
            return
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._worker, in_context(self._append, conversation_id, events))

    def _append(self, conversation_id: str, events: list[Event]) -> None:
        rows = [
            (conversation_id, str(e.get("event")), float(e.get("timestamp") or 0), dumps_event(e))
            for e in events
        ]
        with self._connection:
            self._connection.executemany(
                "INSERT INTO events (conversation_id, type, timestamp, data) VALUES (?, ?, ?, ?)",
                rows,
            )

    async def compact(self, conversation_id: str, folded: int, snapshot: Event) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            self._worker, in_context(self._compact, conversation_id, folded, snapshot)
        )

    def _compact(self, conversation_id: str, folded: int, snapshot: Event) -> None:
        ids = [
            row_id
            for (row_id,) in self._connection.execute(
                "SELECT id FROM events WHERE conversation_id = ? ORDER BY id LIMIT ?",
                (conversation_id, folded),
            )
        ]
        if len(ids) < folded:
            return  # fewer events than expected: something else compacted already
        with self._connection:
            self._connection.execute(
                "DELETE FROM events WHERE conversation_id = ? AND id <= ?",
                (conversation_id, ids[-1]),
            )
            # the snapshot takes the last folded event's place, before every kept event
            self._connection.execute(
                "INSERT INTO events (id, conversation_id, type, timestamp, data) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    ids[-1],
                    conversation_id,
                    str(snapshot["event"]),
                    float(snapshot.get("timestamp") or 0),
                    dumps_event(snapshot),
                ),
            )

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._worker, self._connection.close)
        self._worker.shutdown(wait=True)
