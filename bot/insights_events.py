"""Where the conversation figures read events from: `conversations.db`, or PostgreSQL's
`<schema>.conversation_events` when conversations live there (`bot.app.conversation_events`
chooses). Each reader streams the rows since a time in pages, in the order they were
appended, so a big table is never held at once; the figures decode and count each page in a
thread (`bot.insights.conversation_stats`).

Only the events the figures count are read: a compaction's snapshot is not, so a folded
conversation counts from its kept events, as on either store.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Protocol

from bot.postgres import LazyDatabase, quote
from bot.store_postgres import MIGRATIONS

# (conversation id, timestamp, the event as JSON text)
EventRow = tuple[str, float, str]
PAGE = 1000
KINDS = "type IN ('user', 'action', 'slot', 'bot')"


class ConversationEvents(Protocol):
    """The counted events of every conversation, since a time."""

    def since(self, since: float) -> AsyncGenerator[list[EventRow], None]:
        """Pages of rows with a timestamp from `since` on, oldest row first; `Unavailable`
        when a shared store does not answer."""
        ...

    async def close(self) -> None: ...


class SqliteConversationEvents:
    """`conversations.db`, opened read-only for each reading, each page fetched in a thread;
    no file yet means no conversations."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def since(self, since: float) -> AsyncGenerator[list[EventRow], None]:
        if not await asyncio.to_thread(self._path.exists):
            return
        connection = await asyncio.to_thread(self._open)
        try:
            cursor = await asyncio.to_thread(
                connection.execute,
                f"SELECT conversation_id, timestamp, data FROM events WHERE timestamp >= ? "
                f"AND {KINDS} ORDER BY id",
                (since,),
            )
            while rows := await asyncio.to_thread(cursor.fetchmany, PAGE):
                yield [(row[0], float(row[1]), row[2]) for row in rows]
        finally:
            await asyncio.to_thread(connection.close)

    def _open(self) -> sqlite3.Connection:
        # one page at a time, each on whichever thread is free: never two at once
        return sqlite3.connect(
            f"file:{self._path}?mode=ro", uri=True, timeout=10.0, check_same_thread=False
        )

    async def close(self) -> None:
        return None


class PostgresConversationEvents:
    """`<schema>.conversation_events` through a small pool of its own, read with a cursor in
    one read-only transaction (one snapshot of the table, as SQLite's reading has)."""

    def __init__(self, url: str, schema: str = "public", max_connections: int = 2) -> None:
        # the conversation store's migrations: a schema no conversation reached yet reads empty
        self._database = LazyDatabase(
            url, schema, MIGRATIONS, "conversation figures", max_connections
        )
        self._table = f"{quote(schema)}.conversation_events"

    async def since(self, since: float) -> AsyncGenerator[list[EventRow], None]:
        async with (
            self._database.connection() as connection,
            connection.transaction(readonly=True),
        ):
            cursor = await connection.cursor(
                f"SELECT conversation_id, timestamp, data FROM {self._table} "
                f"WHERE timestamp >= $1 AND {KINDS} ORDER BY id",
                since,
            )
            while rows := await cursor.fetch(PAGE):
                yield [(row[0], float(row[1]), row[2]) for row in rows]

    async def close(self) -> None:
        await self._database.close()
