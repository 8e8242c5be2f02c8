"""The order book on PostgreSQL (asyncpg), so a cancel or a refund at one instance is what
every instance reads: `<schema>.orders`, the SQLite table's columns.

Cancel and refund are one conditional UPDATE each (`... AND status = 'processing'`), so of two
instances asking at once exactly one changes the row and says so. The demo orders have fixed
ids and are added with `ON CONFLICT DO NOTHING`, so two instances seeding at once add each
once. Like the other PostgreSQL stores, the pool connects on first use and every call fails
within seconds with `Unavailable` while the server does not answer.
"""

from __future__ import annotations

import time
from typing import Any

from actions.orders import Order
from bot.postgres import LazyDatabase, Migrations, quote

# versions 201-299 of `shopbot_migrations`. Append, never edit.
MIGRATIONS: Migrations = (
    (
        201,
        """
        CREATE TABLE {schema}.orders (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL,
            email TEXT NOT NULL,
            status TEXT NOT NULL,
            placed_at DOUBLE PRECISION NOT NULL,
            shipped_at DOUBLE PRECISION,
            delivered_at DOUBLE PRECISION,
            carrier TEXT,
            tracking_number TEXT,
            shipping_address TEXT NOT NULL,
            items TEXT NOT NULL,
            total DOUBLE PRECISION NOT NULL,
            invoice_id TEXT NOT NULL,
            refund_status TEXT,
            refund_amount DOUBLE PRECISION
        );
        CREATE INDEX orders_by_customer ON {schema}.orders (customer_id, placed_at);
        """,
    ),
)


class PostgresOrderStore:
    """`<schema>.orders`, shared by every instance; a small pool of its own."""

    def __init__(self, url: str, schema: str = "public", max_connections: int = 4) -> None:
        self._table = f"{quote(schema)}.orders"
        self._database = LazyDatabase(url, schema, MIGRATIONS, "order book", max_connections)

    async def count(self) -> int:
        async with self._database.connection() as connection:
            return int(await connection.fetchval(f"SELECT COUNT(*) FROM {self._table}"))

    async def find(self, order_id: str, email: str) -> Order | None:
        """The order only if the email is the one on it (without case, as SQLite's NOCASE)."""
        async with self._database.connection() as connection:
            row = await connection.fetchrow(
                f"SELECT * FROM {self._table} WHERE id = $1 AND lower(email) = lower($2)",
                order_id,
                email.strip(),
            )
        return Order.from_row(row) if row else None

    async def orders_of(self, customer_id: str) -> list[Order]:
        async with self._database.connection() as connection:
            rows = await connection.fetch(
                f"SELECT * FROM {self._table} WHERE customer_id = $1 ORDER BY placed_at DESC",
                customer_id,
            )
        return [Order.from_row(row) for row in rows]

    async def cancel(self, order: Order) -> bool:
        return await self._changed(
            f"UPDATE {self._table} SET status = 'cancelled' "
            "WHERE id = $1 AND status = 'processing' RETURNING id",
            order.id,
        )

    async def request_refund(self, order: Order, now: float | None = None) -> bool:
        if not order.returnable(now or time.time()):
            return False
        return await self._changed(
            f"UPDATE {self._table} SET refund_status = 'return_requested', "
            "refund_amount = total WHERE id = $1 AND refund_status IS NULL RETURNING id",
            order.id,
        )

    async def add(self, order: Order) -> bool:
        values = order.columns()
        marks = ", ".join(f"${number}" for number in range(1, len(values) + 1))
        return await self._changed(
            f"INSERT INTO {self._table} ({', '.join(values)}) VALUES ({marks}) "
            "ON CONFLICT (id) DO NOTHING RETURNING id",
            *values.values(),
        )

    async def close(self) -> None:
        await self._database.close()

    async def _changed(self, statement: str, *args: Any) -> bool:
        """Whether `statement` (ending in RETURNING) changed a row."""
        async with self._database.connection() as connection:
            return await connection.fetchval(statement, *args) is not None
