"""The recommender's interaction log on PostgreSQL (asyncpg), so a view logged at one instance
counts for a shopper's recommendations at every other, and `shopbot recommend train` fits on
every instance's behaviour: `<schema>.interactions`, the SQLite table's columns.

Like the other PostgreSQL stores, the pool connects on first use and every call fails within
seconds with `Unavailable` while the server does not answer.
"""

from __future__ import annotations

from typing import Any

from actions.interactions import WEIGHTS, Logged, logged
from actions.recommender import Interaction
from bot.postgres import LazyDatabase, Migrations, quote

# versions 611-620 of `shopbot_migrations`. Append, never edit.
MIGRATIONS: Migrations = (
    (
        611,
        """
        CREATE TABLE {schema}.interactions (
            id BIGSERIAL PRIMARY KEY,
            customer_id TEXT NOT NULL,
            product_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('view', 'cart', 'purchase')),
            logged_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX interactions_by_customer ON {schema}.interactions (customer_id, logged_at);
        """,
    ),
)


class PostgresInteractionLog:
    """An `actions.interactions.InteractionLog` shared by every instance; a small pool of its
    own."""

    def __init__(self, url: str, schema: str = "public", max_connections: int = 2) -> None:
        self._table = f"{quote(schema)}.interactions"
        self._database = LazyDatabase(url, schema, MIGRATIONS, "interactions", max_connections)

    async def close(self) -> None:
        await self._database.close()

    async def log(
        self, customer_id: str, product_id: str, kind: str, at: float | None = None
    ) -> None:
        row = logged(customer_id, product_id, kind, at)
        async with self._database.connection() as connection:
            await self._insert(connection, [row])

    async def add_if_empty(self, rows: list[Logged]) -> int:
        async with self._database.connection() as connection, connection.transaction():
            # instances seeding at once take turns (a view logged meanwhile waits for it)
            await connection.execute(f"LOCK TABLE {self._table} IN SHARE ROW EXCLUSIVE MODE")
            if await connection.fetchval(f"SELECT EXISTS (SELECT 1 FROM {self._table})"):
                return 0
            await self._insert(connection, rows)
        return len(rows)

    async def count(self) -> int:
        async with self._database.connection() as connection:
            return int(await connection.fetchval(f"SELECT COUNT(*) FROM {self._table}"))

    async def history(self, customer_id: str) -> list[Interaction]:
        return await self._rows("WHERE customer_id = $1", customer_id)

    async def all(self) -> list[Interaction]:
        return await self._rows("")

    async def _insert(self, connection: Any, rows: list[Logged]) -> None:
        await connection.executemany(
            f"INSERT INTO {self._table} (customer_id, product_id, kind, logged_at) "
            "VALUES ($1, $2, $3, $4)",
            rows,
        )

    async def _rows(self, where: str, *params: str) -> list[Interaction]:
        async with self._database.connection() as connection:
            rows = await connection.fetch(
                f"SELECT customer_id, product_id, kind, logged_at FROM {self._table} {where} "
                "ORDER BY logged_at, id",
                *params,
            )
        return [
            Interaction(
                row["customer_id"], row["product_id"], row["logged_at"], WEIGHTS[row["kind"]]
            )
            for row in rows
        ]
