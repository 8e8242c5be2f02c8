"""Product descriptions on PostgreSQL (asyncpg), so a description written or regenerated at
one instance is the one every instance serves: `<schema>.product_descriptions`, the SQLite
table's columns.

A save is one upsert on (product_id, language): the later write replaces the earlier, and
`created_at` comes from the server's clock, so two instances whose clocks disagree still
stamp their writes in the order the server took them. Like the other PostgreSQL stores, the
pool connects on first use and every call fails within seconds with `Unavailable` while the
server does not answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.postgres import CONNECT_TIMEOUT_S, UNREACHABLE, Migrations, migrate, open_pool, quote
from bot.postgres import where as where_of
from bot.store import Unavailable
from writer.describe import Description
from writer.store import COLUMNS, StoredDescription, columns

# versions 301-399 of `shopbot_migrations`. Append, never edit.
MIGRATIONS: Migrations = (
    (
        301,
        """
        CREATE TABLE {schema}.product_descriptions (
            product_id TEXT NOT NULL,
            language TEXT NOT NULL,
            text TEXT NOT NULL,
            path TEXT NOT NULL,
            backend TEXT NOT NULL,
            version INTEGER NOT NULL,
            grounded BOOLEAN NOT NULL,
            record TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (product_id, language)
        );
        """,
    ),
)


class PostgresDescriptionStore:
    """`<schema>.product_descriptions`, shared by every instance; a small pool of its own."""

    def __init__(self, url: str, schema: str = "public", max_connections: int = 4) -> None:
        self._url = url
        self._schema = schema
        self._table = f"{quote(schema)}.product_descriptions"
        self._where = where_of(url)  # host:port, for messages (never the password)
        self._max_connections = max_connections
        self._pool: asyncpg.Pool | None = None
        self._migrated = False
        self._starting = asyncio.Lock()

    async def save(self, description: Description) -> StoredDescription:
        async with self._connection() as connection:
            row = await connection.fetchrow(
                f"INSERT INTO {self._table} (product_id, language, text, path, backend, version,"
                " grounded, record, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, extract(epoch FROM clock_timestamp()))"
                " ON CONFLICT (product_id, language) DO UPDATE SET text = EXCLUDED.text,"
                " path = EXCLUDED.path, backend = EXCLUDED.backend, version = EXCLUDED.version,"
                " grounded = EXCLUDED.grounded, record = EXCLUDED.record,"
                f" created_at = EXCLUDED.created_at RETURNING {COLUMNS}",
                *columns(description),
            )
        return StoredDescription.from_row(row)

    async def get(self, product_id: str, language: str = "en") -> StoredDescription | None:
        rows = await self._select("product_id = $1 AND language = $2", product_id, language)
        return rows[0] if rows else None

    async def done(self, version: int, language: str = "en") -> set[str]:
        async with self._connection() as connection:
            rows = await connection.fetch(
                f"SELECT product_id FROM {self._table} WHERE version = $1 AND language = $2",
                version,
                language,
            )
        return {row["product_id"] for row in rows}

    async def all(self, language: str = "en") -> list[StoredDescription]:
        return await self._select("language = $1 ORDER BY product_id", language)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def _select(self, where: str, *args: Any) -> list[StoredDescription]:
        async with self._connection() as connection:
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM {self._table} WHERE {where}", *args
            )
        return [StoredDescription.from_row(row) for row in rows]

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        """A pooled connection on a migrated schema; `Unavailable` when the server is not
        there (within the connect timeout), whatever the driver raised."""
        try:
            pool = await self._opened()
            async with pool.acquire(timeout=CONNECT_TIMEOUT_S) as connection:
                if not self._migrated:
                    await self._migrate(connection)
                yield connection
        except UNREACHABLE as error:
            raise Unavailable(f"PostgreSQL at {self._where} does not answer") from error

    async def _opened(self) -> asyncpg.Pool:
        async with self._starting:
            if self._pool is None:
                self._pool = await open_pool(self._url, self._max_connections)
            return self._pool

    async def _migrate(self, connection: Any) -> None:
        async with self._starting:
            if not self._migrated:
                await migrate(connection, self._schema, MIGRATIONS, "descriptions")
                self._migrated = True
