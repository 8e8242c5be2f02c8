"""What the WeChat connector remembers per shopper (OpenID): when they last wrote (the
customer-service API may reach them for 48 hours after that) and the options their last
reply numbered. Rows older than the 48 hours are deleted as shoppers write, and an
unsubscribe deletes the shopper's row.

`WechatShoppers` is what the connector calls; `SqliteWechatShoppers` keeps it in
`SHOPBOT_HOME/wechat.db` (the default), `bot.wechat_shoppers_postgres` in PostgreSQL for
several instances. The app's `wechat_shoppers(settings)` picks one.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from actions.database import open_database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wechat_shoppers (
    openid TEXT PRIMARY KEY,
    last_inbound REAL NOT NULL,
    options TEXT NOT NULL DEFAULT '[]'  -- JSON list: the payload each number selects
);
CREATE INDEX IF NOT EXISTS wechat_shoppers_age ON wechat_shoppers (last_inbound);
"""
SERVICE_WINDOW_S = 48 * 3600.0  # the customer-service API's window after a shopper writes
MAX_OPTIONS = 20


class WechatShoppers(Protocol):
    """Per-OpenID window and options; every call may raise `bot.store.Unavailable`."""

    async def wrote(self, openid: str, now: float | None = None) -> None:
        """The shopper just wrote: the 48-hour window starts again."""
        ...

    async def within_window(self, openid: str, now: float | None = None) -> bool:
        """Whether the customer-service API may still message this shopper."""
        ...

    async def options(self, openid: str) -> list[str]: ...

    async def set_options(self, openid: str, payloads: list[str]) -> None:
        """The payloads the numbers 1, 2, … of the latest reply select (for a known shopper)."""
        ...

    async def left(self, openid: str) -> None:
        """The shopper unsubscribed: nothing about them is kept."""
        ...

    async def count(self) -> int:
        """Shoppers remembered."""
        ...

    async def close(self) -> None: ...


class SqliteWechatShoppers:
    """Small indexed reads and writes (WAL), run inline on the event loop."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA)
        self._lock = threading.Lock()

    async def close(self) -> None:
        self._db.close()

    async def wrote(self, openid: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock, self._db:
            self._db.execute(
                "DELETE FROM wechat_shoppers WHERE last_inbound < ?", (now - SERVICE_WINDOW_S,)
            )
            self._db.execute(
                "INSERT INTO wechat_shoppers (openid, last_inbound) VALUES (?, ?) "
                "ON CONFLICT (openid) DO UPDATE SET last_inbound = excluded.last_inbound",
                (openid, now),
            )

    async def within_window(self, openid: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self._lock:
            row = self._db.execute(
                "SELECT last_inbound FROM wechat_shoppers WHERE openid = ?", (openid,)
            ).fetchone()
        return row is not None and now - float(row[0]) < SERVICE_WINDOW_S

    async def options(self, openid: str) -> list[str]:
        with self._lock:
            row = self._db.execute(
                "SELECT options FROM wechat_shoppers WHERE openid = ?", (openid,)
            ).fetchone()
        return options_of(row[0]) if row else []

    async def set_options(self, openid: str, payloads: list[str]) -> None:
        with self._lock, self._db:
            self._db.execute(
                "UPDATE wechat_shoppers SET options = ? WHERE openid = ?",
                (options_json(payloads), openid),
            )

    async def left(self, openid: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM wechat_shoppers WHERE openid = ?", (openid,))

    async def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM wechat_shoppers").fetchone()[0])


def options_json(payloads: list[str]) -> str:
    return json.dumps(payloads[:MAX_OPTIONS], ensure_ascii=False)


def options_of(stored: Any) -> list[str]:
    return [str(payload) for payload in json.loads(stored)]
