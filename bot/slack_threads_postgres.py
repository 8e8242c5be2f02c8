"""Slack's threads and seen events on PostgreSQL (asyncpg), so every instance knows every
handoff thread and an Events API retry that lands on another instance is still a retry:
`<schema>.slack_threads` and `<schema>.slack_events`, the SQLite tables' columns.

A delivery is taken with `INSERT ... ON CONFLICT DO NOTHING RETURNING`: of two instances
handed the same `event_id` at once, exactly one gets True. Like the other PostgreSQL stores,
the pool connects on first use and every call fails within seconds with `Unavailable` while
the server does not answer.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from bot.postgres import LazyDatabase, Migrations, quote
from bot.slack_threads import EVENT_MEMORY_S, SlackThread, summary_json, thread_of

# versions 501-510 of `shopbot_migrations`. Append, never edit.
MIGRATIONS: Migrations = (
    (
        501,
        """
        CREATE TABLE {schema}.slack_threads (
            channel TEXT NOT NULL,
            thread_ts TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            summary TEXT NOT NULL,
            state TEXT NOT NULL,
            agent TEXT,
            posted_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (channel, thread_ts)
        );
        CREATE INDEX slack_threads_conversation
            ON {schema}.slack_threads (conversation_id, posted_at);
        CREATE TABLE {schema}.slack_events (
            event_id TEXT PRIMARY KEY,
            received_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX slack_events_age ON {schema}.slack_events (received_at);
        """,
    ),
)


class PostgresSlackThreads:
    """A `bot.slack_threads.SlackThreadStore` shared by every instance; a small pool of its
    own."""

    def __init__(self, url: str, schema: str = "public", max_connections: int = 2) -> None:
        self._threads = f"{quote(schema)}.slack_threads"
        self._events = f"{quote(schema)}.slack_events"
        self._database = LazyDatabase(url, schema, MIGRATIONS, "slack threads", max_connections)

    async def close(self) -> None:
        await self._database.close()

    async def first_delivery(self, event_id: str) -> bool:
        now = time.time()
        async with self._database.connection() as connection:
            await connection.execute(
                f"DELETE FROM {self._events} WHERE received_at < $1", now - EVENT_MEMORY_S
            )
            taken = await connection.fetchval(
                f"INSERT INTO {self._events} VALUES ($1, $2) "
                "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
                event_id,
                now,
            )
        return taken is not None

    async def posted(
        self,
        channel: str,
        thread_ts: str,
        conversation_id: str,
        summary: dict[str, Any],
        state: str,
    ) -> None:
        now = time.time()
        async with self._database.connection() as connection:
            await connection.execute(
                f"INSERT INTO {self._threads} VALUES ($1, $2, $3, $4, $5, NULL, $6, $6) "
                "ON CONFLICT (channel, thread_ts) DO UPDATE SET "
                "conversation_id = excluded.conversation_id, summary = excluded.summary, "
                "state = excluded.state, agent = NULL, posted_at = excluded.posted_at, "
                "updated_at = excluded.updated_at",
                channel,
                thread_ts,
                conversation_id,
                summary_json(summary),
                state,
                now,
            )

    async def set_state(self, thread: SlackThread, state: str, agent: str | None) -> SlackThread:
        async with self._database.connection() as connection:
            await connection.execute(
                f"UPDATE {self._threads} SET state = $1, agent = $2, updated_at = $3 "
                "WHERE channel = $4 AND thread_ts = $5",
                state,
                agent,
                time.time(),
                thread.channel,
                thread.thread_ts,
            )
        return replace(thread, state=state, agent=agent)

    async def latest(self, conversation_id: str) -> SlackThread | None:
        async with self._database.connection() as connection:
            row = await connection.fetchrow(
                f"SELECT * FROM {self._threads} WHERE conversation_id = $1 "
                "ORDER BY posted_at DESC LIMIT 1",
                conversation_id,
            )
        return thread_of(row) if row else None

    async def find(self, channel: str, thread_ts: str) -> SlackThread | None:
        async with self._database.connection() as connection:
            row = await connection.fetchrow(
                f"SELECT * FROM {self._threads} WHERE channel = $1 AND thread_ts = $2",
                channel,
                thread_ts,
            )
        return thread_of(row) if row else None

    async def counts_since(self, since: float) -> dict[str, int]:
        async with self._database.connection() as connection:
            rows = await connection.fetch(
                f"SELECT state, COUNT(*) AS count FROM {self._threads} "
                "WHERE posted_at >= $1 GROUP BY state",
                since,
            )
        return {str(row["state"]): int(row["count"]) for row in rows}
