"""WeChat deliveries on PostgreSQL (asyncpg), so a retry that lands on another instance, with
another home and no Redis, is still the same delivery: `<schema>.wechat_deliveries`, the
SQLite table's columns. A claim is one `INSERT … ON CONFLICT` (a row past its five minutes
is taken over), so of two instances claiming at once exactly one gets `first`.

Like the other PostgreSQL stores, the pool connects on first use and a claim fails within
seconds with `Unavailable` while the server does not answer (503: WeChat retries later).
"""

from __future__ import annotations

import logging

from bot.postgres import LazyDatabase, Migrations, quote
from bot.store import Unavailable
from bot.wechat_deliveries import DELIVERY_MEMORY_S, RUNNING_LEASE_S, Delivery, digest, stamp_of

logger = logging.getLogger(__name__)

# versions 601-610 of `shopbot_migrations`. Append, never edit.
MIGRATIONS: Migrations = (
    (
        601,
        """
        CREATE TABLE {schema}.wechat_deliveries (
            delivery TEXT PRIMARY KEY,
            received_at DOUBLE PRECISION NOT NULL,
            reply TEXT
        );
        CREATE INDEX wechat_deliveries_age ON {schema}.wechat_deliveries (received_at);
        """,
    ),
)


SERVER_NOW = "SELECT extract(epoch FROM clock_timestamp())::float8"


class PostgresDeliveries:
    """A `bot.wechat_deliveries.Deliveries` shared by every instance; a small pool of its own.
    `answered` and `forget` with the server away are logged only: the row expires anyway."""

    def __init__(self, url: str, schema: str = "public", max_connections: int = 2) -> None:
        self._table = f"{quote(schema)}.wechat_deliveries"
        self._database = LazyDatabase(url, schema, MIGRATIONS, "wechat deliveries", max_connections)

    async def close(self) -> None:
        await self._database.close()

    async def claim(self, delivery: str, now: float | None = None) -> Delivery:
        """`now` (for tests) or the server's clock, which every instance shares."""
        key = digest(delivery)
        async with self._database.connection() as connection:
            if now is None:
                now = float(await connection.fetchval(SERVER_NOW))
            expired = now - DELIVERY_MEMORY_S
            await connection.execute(
                f"DELETE FROM {self._table} WHERE received_at < $1 AND delivery <> $2",
                expired,
                key,
            )
            taken = await connection.fetchval(
                f"INSERT INTO {self._table} AS kept (delivery, received_at) VALUES ($1, $2) "
                "ON CONFLICT (delivery) DO UPDATE "
                "SET received_at = excluded.received_at, reply = NULL "
                # expired, or left unanswered by an instance that died mid-turn
                "WHERE kept.received_at < $3 OR (kept.reply IS NULL AND kept.received_at < $4)"
                " RETURNING true",
                key,
                now,
                expired,
                now - RUNNING_LEASE_S,
            )
            if taken:
                return Delivery(first=True, token=repr(now))
            reply = await connection.fetchval(
                f"SELECT reply FROM {self._table} WHERE delivery = $1", key
            )
        return Delivery(first=False, reply=reply)

    async def answered(self, delivery: str, reply: str, token: str) -> None:
        try:
            async with self._database.connection() as connection:
                await connection.execute(
                    f"UPDATE {self._table} SET reply = $1 WHERE delivery = $2"
                    " AND reply IS NULL AND received_at = $3",
                    reply,
                    digest(delivery),
                    stamp_of(token),
                )
        except Unavailable as error:
            logger.warning("wechat: could not keep a reply for retries: %s", error)

    async def forget(self, delivery: str, token: str) -> None:
        try:
            async with self._database.connection() as connection:
                await connection.execute(
                    f"DELETE FROM {self._table} WHERE delivery = $1"
                    " AND reply IS NULL AND received_at = $2",
                    digest(delivery),
                    stamp_of(token),
                )
        except Unavailable as error:
            logger.warning("wechat: could not forget a failed delivery: %s", error)

    async def count(self) -> int:
        """Deliveries remembered."""
        async with self._database.connection() as connection:
            return int(await connection.fetchval(f"SELECT COUNT(*) FROM {self._table}"))
