"""WeChat deliveries on Redis (`SET NX EX`), shared by every instance that shares Redis."""

from __future__ import annotations

import logging
import time

import redis.asyncio as redis
from redis.exceptions import RedisError

from bot.locks_redis import where
from bot.store import Unavailable
from bot.wechat_deliveries import DELIVERY_MEMORY_S, RUNNING_LEASE_S, Delivery, digest

logger = logging.getLogger(__name__)


class RedisDeliveries:
    """`bot.wechat_deliveries.Deliveries` on Redis: `<prefix><digest>` is set with NX for
    `DELIVERY_MEMORY_S` (only one instance ever gets `first`), to `-` + the time it was taken
    while the turn runs (a retry takes over one older than `RUNNING_LEASE_S`, in one script)
    and to `=` + the reply once it is answered. Redis not answering a claim is `Unavailable`
    (503: WeChat retries later) rather than a turn that a retry elsewhere might repeat."""

    RUNNING, ANSWERED = b"-", b"="
    # ARGV: the new running value, the oldest claim time still alive
    TAKE_OVER = """
    local value = redis.call('GET', KEYS[1])
    if not value or string.sub(value, 1, 1) ~= '-' then
        return 0
    end
    if (tonumber(string.sub(value, 2)) or math.huge) < tonumber(ARGV[2]) then
        redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
        return 1
    end
    return 0
    """

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client  # the app's: it closes it
        self._prefix = prefix
        self._take_over = client.register_script(self.TAKE_OVER)

    async def close(self) -> None:
        """Nothing of its own to close."""

    async def claim(self, delivery: str) -> Delivery:
        key, now = self._prefix + digest(delivery), time.time()
        running = self.RUNNING + f"{now:.3f}".encode()
        try:
            if await self._client.set(key, running, nx=True, ex=int(DELIVERY_MEMORY_S)):
                return Delivery(first=True)
            if await self._take_over(keys=[key], args=[running, now - RUNNING_LEASE_S]):
                return Delivery(first=True)  # its instance died mid-turn
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
