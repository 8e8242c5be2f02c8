"""The WeChat deliveries already taken: each delivery (by MsgId, or sender + CreateTime for
events) for five minutes, with the passive reply it got; WeChat retries a delivery three
times, 5 s apart, and a retry must never start a second turn. Keys are stored as SHA-256
digests. `SqliteDeliveries` keeps them in `SHOPBOT_HOME/wechat.db` (`wechat_deliveries`),
so a second instance on the same home sees them too. (Shoppers' 48-hour windows and options
are `bot.wechat_shoppers`, chosen by the app.)

With Redis configured (`redis_url`), deliveries are remembered there instead
(`RedisDeliveries`: `SET NX EX`), so a retry that lands on another instance, with another
home, is still the same delivery. `Deliveries` is what the channel calls, either way.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError

from actions.database import open_database
from bot.locks_redis import where
from bot.store import Unavailable

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wechat_deliveries (
    delivery TEXT PRIMARY KEY,      -- SHA-256 of the MsgId (events: sender + CreateTime)
    received_at REAL NOT NULL,
    reply TEXT                      -- NULL while its turn runs; '' = answered `success`
);
CREATE INDEX IF NOT EXISTS wechat_deliveries_age ON wechat_deliveries (received_at);
"""
DELIVERY_MEMORY_S = 300.0  # WeChat's three retries come within 15 s


@dataclass(frozen=True)
class Delivery:
    """What `Deliveries.claim` found: the first delivery runs the turn; a retry gets the
    reply already given (`reply`), or None while the first is still running."""

    first: bool
    reply: str | None = None


class SqliteDeliveries:
    """`Deliveries` in `SHOPBOT_HOME/wechat.db`: shared by the instances on one home. Small
    indexed reads and writes (WAL), run inline on the event loop."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA)
        self._lock = threading.Lock()

    async def close(self) -> None:
        self._db.close()

    async def claim(self, delivery: str, now: float | None = None) -> Delivery:
        """Take `delivery` for this request, atomically: only one caller ever gets `first`."""
        now = time.time() if now is None else now
        key = _digest(delivery)
        with self._lock, self._db:
            self._db.execute(
                "DELETE FROM wechat_deliveries WHERE received_at < ?", (now - DELIVERY_MEMORY_S,)
            )
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO wechat_deliveries VALUES (?, ?, NULL)", (key, now)
            )
            if cursor.rowcount == 1:
                return Delivery(first=True)
            row = self._db.execute(
                "SELECT reply FROM wechat_deliveries WHERE delivery = ?", (key,)
            ).fetchone()
        return Delivery(first=False, reply=row[0] if row else None)

    async def answered(self, delivery: str, reply: str) -> None:
        """The reply a retry of `delivery` gets ('' for `success`)."""
        with self._lock, self._db:
            self._db.execute(
                "UPDATE wechat_deliveries SET reply = ? WHERE delivery = ?",
                (reply, _digest(delivery)),
            )

    async def forget(self, delivery: str) -> None:
        """Let a retry run again (the first attempt failed)."""
        with self._lock, self._db:
            self._db.execute(
                "DELETE FROM wechat_deliveries WHERE delivery = ?", (_digest(delivery),)
            )

    async def count(self) -> int:
        """Deliveries remembered."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM wechat_deliveries").fetchone()[0])


class Deliveries(Protocol):
    """Each delivery taken once: SQLite's under one home, or Redis's."""

    async def claim(self, delivery: str) -> Delivery: ...

    async def answered(self, delivery: str, reply: str) -> None: ...

    async def forget(self, delivery: str) -> None: ...


class RedisDeliveries:
    """`Deliveries` on Redis, shared by every instance: `<prefix><digest>` is set with NX for
    `DELIVERY_MEMORY_S` (only one instance ever gets `first`), to `-` while the turn runs and
    to `=` + the reply once it is answered. Redis not answering a claim is `Unavailable`
    (503: WeChat retries later) rather than a turn that a retry elsewhere might repeat."""

    RUNNING, ANSWERED = b"-", b"="

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    async def claim(self, delivery: str) -> Delivery:
        key = self._prefix + _digest(delivery)
        try:
            if await self._client.set(key, self.RUNNING, nx=True, ex=int(DELIVERY_MEMORY_S)):
                return Delivery(first=True)
            value = await self._client.get(key)
        except RedisError as error:
            raise Unavailable(f"Redis at {where(self._client)} does not answer") from error
        if value is None or not value.startswith(self.ANSWERED):
            return Delivery(first=False)  # still running (or just forgotten)
        return Delivery(first=False, reply=value[1:].decode("utf-8"))

    async def answered(self, delivery: str, reply: str) -> None:
        """The reply a retry gets; if Redis is away, a retry answers `success` instead."""
        value = self.ANSWERED + reply.encode("utf-8")
        try:
            await self._client.set(self._prefix + _digest(delivery), value, xx=True, keepttl=True)
        except RedisError:
            logger.warning("wechat: could not keep a reply for retries: Redis does not answer")

    async def forget(self, delivery: str) -> None:
        """Let a retry run again; if Redis is away, the key expires by itself."""
        try:
            await self._client.delete(self._prefix + _digest(delivery))
        except RedisError:
            logger.warning("wechat: could not forget a failed delivery: Redis does not answer")


def _digest(delivery: str) -> str:
    return hashlib.sha256(delivery.encode("utf-8", "surrogatepass")).hexdigest()
