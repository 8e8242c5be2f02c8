"""The handoff queue: every escalated conversation, its state and summary, so the agent inbox
lists it after a restart and every instance sees the same queue. In SQLite
(`SHOPBOT_HOME/handoffs.db`) by default; in PostgreSQL when `database_url` is set, so
instances on different machines share it. It is a `Desk`: the engine and `HandoffService`
keep it current.

The design keeps `Desk` as it is (plain calls on the event loop that must not block), and
makes only the readers wait: each change is handed to the queue's own ordered worker (one
thread for SQLite, a chain of tasks for PostgreSQL) and returns at once, while `get` and
`open` are coroutines that first wait for every change this instance handed over before
them, so an instance always reads its own writes. That leaves the engine, `HandoffService`
and the other desks (the live inbox, Slack) untouched; only the readers of the queue await.
A change that cannot be written (PostgreSQL away) is logged; reading raises `Unavailable`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from actions.database import open_database
from bot.handoff import WAITING, WITH_AGENT, Desk, HandoffService, Summary, mask
from bot.logs import in_context
from bot.postgres import LazyDatabase, Migrations, quote
from bot.store import Unavailable

logger = logging.getLogger(__name__)
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS handoffs (
    conversation_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,            -- waiting, with_agent, resolved
    agent TEXT,
    reason TEXT NOT NULL,
    summary TEXT NOT NULL,          -- JSON of bot.handoff.Summary, messages masked
    escalated_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS handoffs_open ON handoffs (state, escalated_at);
"""
# the same table in PostgreSQL; versions 101-199 of `shopbot_migrations`. Append, never edit.
MIGRATIONS: Migrations = (
    (
        101,
        """
        CREATE TABLE {schema}.handoffs (
            conversation_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            agent TEXT,
            reason TEXT NOT NULL,
            summary TEXT NOT NULL,
            escalated_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX handoffs_open ON {schema}.handoffs (state, escalated_at);
        """,
    ),
)
RESOLVED = "resolved"
KEPT_LINES = 50


@dataclass(frozen=True)
class QueuedConversation:
    conversation_id: str
    state: str
    agent: str | None
    reason: str
    summary: dict[str, Any]
    escalated_at: float
    updated_at: float


class HandoffQueue(Desk, Protocol):
    """The conversations handed to people; changes through `Desk`, read by agents' desks."""

    async def get(self, conversation_id: str) -> QueuedConversation | None: ...

    async def open(self) -> list[QueuedConversation]:
        """Waiting first, oldest first; then those with an agent."""
        ...

    async def close(self) -> None:
        """After every change handed over is written."""
        ...


def _summary_json(summary: Summary) -> str:
    return json.dumps(summary.to_dict(), ensure_ascii=False)


def _with_line(summary: str, line: dict[str, str]) -> str:
    """The summary (JSON) with `line` as its newest message, the oldest dropped past 50."""
    values = json.loads(summary)
    values["messages"] = [*values.get("messages", []), line][-KEPT_LINES:]
    return json.dumps(values, ensure_ascii=False)


def _entry(row: Any) -> QueuedConversation:
    values = dict(row)
    values["summary"] = json.loads(values["summary"])
    return QueuedConversation(**values)


class SqliteHandoffQueue:
    """SQLite in WAL mode; one worker thread owns the connection and takes changes and reads
    in the order they were asked for."""

    def __init__(self, path: Path, mask_lines: bool = True) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="handoff-queue")
        opening = self._worker.submit(open_database, path, _SCHEMA, rows=True, any_thread=False)
        self._db: sqlite3.Connection = opening.result()
        self._mask = mask_lines

    def escalated(self, summary: Summary) -> None:
        self._change(self._escalated, summary, time.time())

    def shopper_wrote(self, conversation_id: str, text: str) -> None:
        """The line joins the summary's recent messages (masked as the summary is)."""
        line = {"from": "shopper", "text": mask(text) if self._mask else text}
        self._change(self._add_line, conversation_id, line, time.time())

    def claimed(self, conversation_id: str, agent: str) -> None:
        self._change(self._set, conversation_id, WITH_AGENT, agent, time.time())

    def resolved(self, conversation_id: str, agent: str) -> None:
        self._change(self._set, conversation_id, RESOLVED, agent, time.time())

    async def get(self, conversation_id: str) -> QueuedConversation | None:
        return await self._read(self._get, conversation_id)

    async def open(self) -> list[QueuedConversation]:
        return await self._read(self._open)

    async def close(self) -> None:
        await self._read(self._db.close)
        self._worker.shutdown(wait=True)

    def _change(self, work: Callable[..., None], *args: Any) -> None:
        self._worker.submit(in_context(_logging_failure, work, *args))

    async def _read(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._worker, in_context(work, *args)
        )

    def _escalated(self, summary: Summary, now: float) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO handoffs VALUES (?, ?, NULL, ?, ?, ?, ?) "
                "ON CONFLICT(conversation_id) DO UPDATE SET state = excluded.state, "
                "agent = NULL, reason = excluded.reason, summary = excluded.summary, "
                "escalated_at = excluded.escalated_at, updated_at = excluded.updated_at",
                (
                    summary.conversation_id,
                    WAITING,
                    summary.reason,
                    _summary_json(summary),
                    now,
                    now,
                ),
            )

    def _add_line(self, conversation_id: str, line: dict[str, str], now: float) -> None:
        row = self._db.execute(
            "SELECT summary FROM handoffs WHERE conversation_id = ? AND state != ?",
            (conversation_id, RESOLVED),
        ).fetchone()
        if row is None:
            return
        with self._db:
            self._db.execute(
                "UPDATE handoffs SET summary = ?, updated_at = ? WHERE conversation_id = ?",
                (_with_line(row["summary"], line), now, conversation_id),
            )

    def _set(self, conversation_id: str, state: str, agent: str, now: float) -> None:
        with self._db:
            self._db.execute(
                "UPDATE handoffs SET state = ?, agent = ?, updated_at = ? "
                "WHERE conversation_id = ?",
                (state, agent, now, conversation_id),
            )

    def _get(self, conversation_id: str) -> QueuedConversation | None:
        row = self._db.execute(
            "SELECT * FROM handoffs WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()
        return _entry(row) if row else None

    def _open(self) -> list[QueuedConversation]:
        rows = self._db.execute(
            "SELECT * FROM handoffs WHERE state != ? ORDER BY state = ? DESC, escalated_at",
            (RESOLVED, WAITING),
        ).fetchall()
        return [_entry(row) for row in rows]


def _logging_failure(work: Callable[..., None], *args: Any) -> None:
    """Runs a change nobody awaits; a failure is logged, on the queue's thread, in the
    request's context."""
    try:
        work(*args)
    except Exception:
        logger.exception("handoff queue: a change was not written")


Change = Callable[[Any], Awaitable[None]]  # given a connection


class PostgresHandoffQueue:
    """`<schema>.handoffs` on PostgreSQL (asyncpg), shared by every instance; a small pool of
    its own, opened on first use. Changes are written one after another, in order."""

    def __init__(
        self, url: str, schema: str = "public", mask_lines: bool = True, max_connections: int = 4
    ) -> None:
        self._table = f"{quote(schema)}.handoffs"
        self._mask = mask_lines
        self._database = LazyDatabase(url, schema, MIGRATIONS, "handoff queue", max_connections)
        self._last_change: asyncio.Task[None] | None = None

    def escalated(self, summary: Summary) -> None:
        now = time.time()

        async def write(connection: Any) -> None:
            await connection.execute(
                f"INSERT INTO {self._table} VALUES ($1, $2, NULL, $3, $4, $5, $5) "
                "ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state, "
                "agent = NULL, reason = excluded.reason, summary = excluded.summary, "
                "escalated_at = excluded.escalated_at, updated_at = excluded.updated_at",
                summary.conversation_id,
                WAITING,
                summary.reason,
                _summary_json(summary),
                now,
            )

        self._change(write)

    def shopper_wrote(self, conversation_id: str, text: str) -> None:
        """The line joins the summary's recent messages (masked as the summary is)."""
        line = {"from": "shopper", "text": mask(text) if self._mask else text}
        now = time.time()

        async def write(connection: Any) -> None:
            async with connection.transaction():  # another instance's line waits its turn
                summary = await connection.fetchval(
                    f"SELECT summary FROM {self._table} "
                    "WHERE conversation_id = $1 AND state != $2 FOR UPDATE",
                    conversation_id,
                    RESOLVED,
                )
                if summary is None:
                    return
                await connection.execute(
                    f"UPDATE {self._table} SET summary = $1, updated_at = $2 "
                    "WHERE conversation_id = $3",
                    _with_line(summary, line),
                    now,
                    conversation_id,
                )

        self._change(write)

    def claimed(self, conversation_id: str, agent: str) -> None:
        self._set(conversation_id, WITH_AGENT, agent)

    def resolved(self, conversation_id: str, agent: str) -> None:
        self._set(conversation_id, RESOLVED, agent)

    def _set(self, conversation_id: str, state: str, agent: str) -> None:
        now = time.time()

        async def write(connection: Any) -> None:
            await connection.execute(
                f"UPDATE {self._table} SET state = $1, agent = $2, updated_at = $3 "
                "WHERE conversation_id = $4",
                state,
                agent,
                now,
                conversation_id,
            )

        self._change(write)

    async def get(self, conversation_id: str) -> QueuedConversation | None:
        await self._settled()
        async with self._database.connection() as connection:
            row = await connection.fetchrow(
                f"SELECT * FROM {self._table} WHERE conversation_id = $1", conversation_id
            )
        return _entry(row) if row else None

    async def open(self) -> list[QueuedConversation]:
        await self._settled()
        async with self._database.connection() as connection:
            rows = await connection.fetch(
                f"SELECT * FROM {self._table} WHERE state != $1 "
                "ORDER BY state = $2 DESC, escalated_at",
                RESOLVED,
                WAITING,
            )
        return [_entry(row) for row in rows]

    async def close(self) -> None:
        await self._settled()
        await self._database.close()

    def _change(self, write: Change) -> None:
        """`write` runs after every change handed over before it (called on the loop)."""
        after = self._last_change
        self._last_change = asyncio.get_running_loop().create_task(self._written(after, write))

    async def _written(self, after: asyncio.Task[None] | None, write: Change) -> None:
        if after is not None:
            await asyncio.wait([after])
        try:
            async with self._database.connection() as connection:
                await write(connection)
        except Unavailable as error:
            logger.warning("handoff queue: a change was not written: %s", error)
        except Exception:
            logger.exception("handoff queue: a change was not written")

    async def _settled(self) -> None:
        """Every change handed over so far is written (or given up on)."""
        if self._last_change is not None:
            await asyncio.wait([self._last_change])


async def tell_the_unclaimed(
    queue: HandoffQueue, service: HandoffService, after_s: float, every_s: float = 5.0
) -> None:
    """Forever (until cancelled): a shopper waiting longer than `after_s` is told, once, that
    nobody is free yet and that they may leave an email; the conversation stays queued."""
    told: set[tuple[str, float]] = set()
    while True:
        await asyncio.sleep(min(every_s, after_s / 4))
        try:
            entries = await queue.open()
        except Unavailable as error:
            logger.warning("unclaimed shoppers not checked: %s", error)
            continue
        now = time.time()
        for entry in entries:
            key = (entry.conversation_id, entry.escalated_at)
            if entry.state == WAITING and now - entry.escalated_at >= after_s and key not in told:
                told.add(key)
                try:
                    await service.tell_unclaimed(entry.conversation_id)
                except Exception:
                    logger.exception("telling an unclaimed shopper failed")
