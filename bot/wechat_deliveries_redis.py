"""WeChat deliveries on Redis (`SET NX EX`), shared by every instance that shares Redis."""

from __future__ import annotations

import logging

import redis.asyncio as redis
from redis.exceptions import RedisError

from bot.locks_redis import where
from bot.store import Unavailable
from bot.wechat_deliveries import DELIVERY_MEMORY_S, Delivery, digest

logger = logging.getLogger(__name__)


class RedisDeliveries:
    """`bot.wechat_deliveries.Deliveries` on Redis: `<prefix><digest>` is set with NX for
    `DELIVERY_MEMORY_S` (only one instance ever gets `first`), to `-` while the turn runs and
    to `=` + the reply once it is answered. Redis not answering a claim is `Unavailable`
    (503: WeChat retries later) rather than a turn that a retry elsewhere might repeat."""

    RUNNING, ANSWERED = b"-", b"="

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client  # the app's: it closes it
        self._prefix = prefix

    async def close(self) -> None:
        """Nothing of its own to close."""

    async def claim(self, delivery: str) -> Delivery:
        key = self._prefix + digest(delivery)
        try:
            if await self._client.set(key, self.RUNNING, nx=True, ex=int(DELIVERY_MEMORY_S)):
                return Delivery(first=True)
            stored: bytes | str | None = await self._client.get(key)
        except RedisError as error:
            raise Unavailable(f"Redis at {where(self._client)} does not answer") from error
        value = stored.encode("utf-8") if isinstance(stored, str) else stored
        if value is None or not value.startswith(self.ANSWERED):
            return Delivery(first=False)  # still running (or just forgotten)
        return Delivery(first=False, reply=value[1:].decode("utf-8"))

    async def answered(self, delivery: str, reply: str) -> None:
        """The reply a retry gets; if Redis is away, a retry answers `success` instead."""
        value = self.ANSWERED + reply.encode("utf-8")
        try:
            await self._client.set(self._prefix + digest(delivery), value, xx=True, keepttl=True)
        except RedisError:
            logger.warning("wechat: could not keep a reply for retries: Redis does not answer")

    async def forget(self, delivery: str) -> None:
        """Let a retry run again; if Redis is away, the key expires by itself."""
        try:
            await self._client.delete(self._prefix + digest(delivery))
        except RedisError:
            logger.warning("wechat: could not forget a failed delivery: Redis does not answer")
