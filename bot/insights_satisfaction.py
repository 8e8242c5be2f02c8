"""Shoppers' 👍/👎 after a handoff is resolved or a conversation goes quiet: one vote per
conversation (a later tap replaces it), an optional comment. `SHOPBOT_HOME/satisfaction.db`,
or `<schema>.satisfaction` on PostgreSQL (every instance's votes in one place). Comments may
hold personal data: they are stored, never logged, and the dashboard shows counts only."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from actions.database import open_database
from bot.postgres import LazyDatabase, Migrations, quote

VOTES = ("up", "down")
ASKED_AFTER = ("handoff", "quiet")
MAX_COMMENT_CHARS = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS satisfaction (
    conversation_id TEXT PRIMARY KEY,
    vote TEXT NOT NULL,
    comment TEXT,
    asked_after TEXT NOT NULL,
    voted_at REAL NOT NULL
);
"""
# versions 441-459 of `shopbot_migrations`. Append, never edit.
MIGRATIONS: Migrations = (
    (
        441,
        """
        CREATE TABLE {schema}.satisfaction (
            conversation_id TEXT PRIMARY KEY,
            vote TEXT NOT NULL,
            comment TEXT,
            asked_after TEXT NOT NULL,
            voted_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX satisfaction_by_time ON {schema}.satisfaction (voted_at);
        """,
    ),
)
# the vote as both stores write it: a later tap replaces the vote, keeps an earlier comment
# unless it brings one
_UPSERT = (
    "INSERT INTO {table} AS s VALUES ({marks}) ON CONFLICT (conversation_id)"
    " DO UPDATE SET vote = excluded.vote, asked_after = excluded.asked_after,"
    " comment = coalesce(excluded.comment, s.comment), voted_at = excluded.voted_at"
)
_COUNTS = (
    "SELECT count(*) FILTER (WHERE vote = 'up') AS up,"
    " count(*) FILTER (WHERE vote = 'down') AS down,"
    " count(*) FILTER (WHERE comment IS NOT NULL) AS comments FROM {table} WHERE voted_at >= {mark}"
)


class SatisfactionStore(Protocol):
    async def vote(
        self, conversation_id: str, vote: str, asked_after: str, comment: str | None = None
    ) -> None:
        """The conversation's vote, replacing an earlier one; a comment is kept unless the
        new tap brings none."""
        ...

    async def counts(self, since: float) -> dict[str, int]:
        """Votes since `since`: up, down, and how many came with a comment."""
        ...

    async def close(self) -> None: ...


def _checked(vote: str, asked_after: str) -> None:
    if vote not in VOTES or asked_after not in ASKED_AFTER:
        raise ValueError("vote: up or down; asked_after: handoff or quiet")


def _counts(row: Any) -> dict[str, int]:
    return {key: int(row[key] or 0) for key in ("up", "down", "comments")}


class SqliteSatisfactionStore:
    """`satisfaction.db`; each call on a worker thread."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA, rows=True)
        self._lock = threading.Lock()

    async def close(self) -> None:
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        with self._lock:
            self._db.close()

    async def vote(
        self, conversation_id: str, vote: str, asked_after: str, comment: str | None = None
    ) -> None:
        _checked(vote, asked_after)
        await asyncio.to_thread(self._vote, (conversation_id, vote, comment, asked_after))

    def _vote(self, values: tuple[Any, ...]) -> None:
        statement = _UPSERT.format(table="satisfaction", marks="?, ?, ?, ?, ?")
        with self._lock, self._db:
            self._db.execute(statement, (*values, time.time()))

    async def counts(self, since: float) -> dict[str, int]:
        return await asyncio.to_thread(self._counts, since)

    def _counts(self, since: float) -> dict[str, int]:
        with self._lock:
            query = _COUNTS.format(table="satisfaction", mark="?")
            return _counts(self._db.execute(query, (since,)).fetchone())


class PostgresSatisfactionStore:
    """`<schema>.satisfaction`, shared by every instance; a small pool of its own."""

    def __init__(self, url: str, schema: str = "public", max_connections: int = 2) -> None:
        self._table = f"{quote(schema)}.satisfaction"
        self._database = LazyDatabase(url, schema, MIGRATIONS, "satisfaction", max_connections)

    async def close(self) -> None:
        await self._database.close()

    async def vote(
        self, conversation_id: str, vote: str, asked_after: str, comment: str | None = None
    ) -> None:
        _checked(vote, asked_after)
        statement = _UPSERT.format(table=self._table, marks="$1, $2, $3, $4, $5")
        async with self._database.connection() as connection:
            await connection.execute(
                statement, conversation_id, vote, comment, asked_after, time.time()
            )

    async def counts(self, since: float) -> dict[str, int]:
        async with self._database.connection() as connection:
            row = await connection.fetchrow(_COUNTS.format(table=self._table, mark="$1"), since)
        return _counts(row)
