"""Product descriptions on PostgreSQL (asyncpg), so a description written or regenerated at
one instance is the one every instance serves: `<schema>.product_descriptions`, the SQLite
table's columns.

A save is one upsert on (product_id, language): the later write replaces the earlier, and
`created_at` comes from the server's clock, taken again once the row lock is held, so two
instances whose clocks disagree still stamp their writes in the order they committed. Like
the other PostgreSQL stores, the pool connects on first use and every call fails within
seconds with `Unavailable` while the server does not answer.
"""

from __future__ import annotations

from typing import Any

from bot.postgres import LazyDatabase, Migrations, quote
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
        self._table = f"{quote(schema)}.product_descriptions"
        self._database = LazyDatabase(url, schema, MIGRATIONS, "descriptions", max_connections)

    async def save(self, description: Description) -> StoredDescription:
        async with self._database.connection() as connection:
            row = await connection.fetchrow(
                f"INSERT INTO {self._table} (product_id, language, text, path, backend, version,"
                " grounded, record, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, extract(epoch FROM clock_timestamp()))"
                " ON CONFLICT (product_id, language) DO UPDATE SET text = EXCLUDED.text,"
                " path = EXCLUDED.path, backend = EXCLUDED.backend, version = EXCLUDED.version,"
                " grounded = EXCLUDED.grounded, record = EXCLUDED.record,"
                # stamped again once the row lock is held: a save that waited on another's
                # lock commits after it, so it must also be the newer of the two
                f" created_at = GREATEST(extract(epoch FROM clock_timestamp()),"
                f" {self._table}.created_at) RETURNING {COLUMNS}",
                *columns(description),
            )
        return StoredDescription.from_row(row)

    async def get(self, product_id: str, language: str = "en") -> StoredDescription | None:
        rows = await self._select("product_id = $1 AND language = $2", product_id, language)
        return rows[0] if rows else None

    async def done(self, version: int, language: str = "en") -> set[str]:
        async with self._database.connection() as connection:
            rows = await connection.fetch(
                f"SELECT product_id FROM {self._table} WHERE version = $1 AND language = $2",
                version,
                language,
            )
        return {row["product_id"] for row in rows}

    async def all(self, language: str = "en") -> list[StoredDescription]:
        return await self._select("language = $1 ORDER BY product_id", language)

    async def close(self) -> None:
        await self._database.close()

    async def _select(self, where: str, *args: Any) -> list[StoredDescription]:
        async with self._database.connection() as connection:
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM {self._table} WHERE {where}", *args
            )
        return [StoredDescription.from_row(row) for row in rows]
