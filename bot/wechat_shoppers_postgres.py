"""WeChat shoppers' 48-hour windows and numbered options on PostgreSQL (asyncpg), so a shopper
who wrote to one instance can be reached from another, and "2" picks the second option of
the reply whichever instance gave it: `<schema>.wechat_shoppers`, the SQLite table's columns.

Like the other PostgreSQL stores, the pool connects on first use and every call fails within
seconds with `Unavailable` while the server does not answer.
"""

from __future__ import annotations

import time

from bot.postgres import LazyDatabase, Migrations, quote
from bot.wechat_shoppers import SERVICE_WINDOW_S, options_json, options_of

# versions 511-520 of `shopbot_migrations`. Append, never edit.
MIGRATIONS: Migrations = (
    (
        511,
        """
        CREATE TABLE {schema}.wechat_shoppers (
            openid TEXT PRIMARY KEY,
            last_inbound DOUBLE PRECISION NOT NULL,
            options TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX wechat_shoppers_age ON {schema}.wechat_shoppers (last_inbound);
        """,
    ),
)


class PostgresWechatShoppers:
    """A `bot.wechat_shoppers.WechatShoppers` shared by every instance; a small pool of its
    own."""

    def __init__(self, url: str, schema: str = "public", max_connections: int = 2) -> None:
        self._table = f"{quote(schema)}.wechat_shoppers"
        self._database = LazyDatabase(url, schema, MIGRATIONS, "wechat shoppers", max_connections)

    async def close(self) -> None:
        await self._database.close()

    async def wrote(self, openid: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        async with self._database.connection() as connection:
            await connection.execute(
                f"DELETE FROM {self._table} WHERE last_inbound < $1", now - SERVICE_WINDOW_S
            )
            await connection.execute(
                f"INSERT INTO {self._table} (openid, last_inbound) VALUES ($1, $2) "
                "ON CONFLICT (openid) DO UPDATE SET last_inbound = excluded.last_inbound",
                openid,
                now,
            )

    async def within_window(self, openid: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        async with self._database.connection() as connection:
            last = await connection.fetchval(
                f"SELECT last_inbound FROM {self._table} WHERE openid = $1", openid
            )
        return last is not None and now - float(last) < SERVICE_WINDOW_S

    async def options(self, openid: str) -> list[str]:
        async with self._database.connection() as connection:
            stored = await connection.fetchval(
                f"SELECT options FROM {self._table} WHERE openid = $1", openid
            )
        return options_of(stored) if stored is not None else []

    async def set_options(self, openid: str, payloads: list[str]) -> None:
        async with self._database.connection() as connection:
            await connection.execute(
                f"UPDATE {self._table} SET options = $1 WHERE openid = $2",
                options_json(payloads),
                openid,
            )

    async def left(self, openid: str) -> None:
        async with self._database.connection() as connection:
            await connection.execute(f"DELETE FROM {self._table} WHERE openid = $1", openid)

    async def count(self) -> int:
        async with self._database.connection() as connection:
            return int(await connection.fetchval(f"SELECT COUNT(*) FROM {self._table}"))
