"""Conversation stores: events appended per conversation, never rewritten."""

from __future__ import annotations

import asyncio
import sqlite3
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
"""


def _dumps(event: Event) -> str:
    """An event as JSON text (keys that are not strings written as strings, as json does)."""
    return orjson.dumps(event, option=orjson.OPT_NON_STR_KEYS).decode()


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
    """SQLite in WAL mode; one worker thread owns the connection, so writes never contend."""

    def __init__(self, path: Path) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="conversation-store")
        opening = self._worker.submit(open_database, path, _SCHEMA, any_thread=False)
        self._connection: sqlite3.Connection = opening.result()

    async def load(self, conversation_id: str) -> list[Event]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, in_context(self._load, conversation_id))

    def _load(self, conversation_id: str) -> list[Event]:
        rows = self._connection.execute(
            "SELECT data FROM events WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        ).fetchall()
        return [orjson.loads(data) for (data,) in rows]

    async def append(self, conversation_id: str, events: list[Event]) -> None:
        if not events:
            return
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._worker, in_context(self._append, conversation_id, events))

    def _append(self, conversation_id: str, events: list[Event]) -> None:
        rows = [
            (conversation_id, str(e.get("event")), float(e.get("timestamp") or 0), _dumps(e))
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
                    _dumps(snapshot),
                ),
            )

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._worker, self._connection.close)
        self._worker.shutdown(wait=True)
