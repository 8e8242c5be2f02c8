"""WeChat deliveries on Redis (`SET NX EX`), shared by every instance that shares Redis."""

from __future__ import annotations

import logging

import redis.asyncio as redis
from redis.exceptions import RedisError

from bot.locks_redis import where
from bot.store import Unavailable
from bot.wechat_deliveries import DELIVERY_MEMORY_S, RUNNING_LEASE_S, Delivery, digest

logger = logging.getLogger(__name__)


class RedisDeliveries:
    """`bot.wechat_deliveries.Deliveries` on Redis: `<prefix><digest>` is set with NX for
    `DELIVERY_MEMORY_S` (only one instance ever gets `first`), to `-` + Redis's time when it
    was taken while the turn runs (a retry takes over one older than `RUNNING_LEASE_S`, in the
    same script; that stamp is the claim's token) and to `=` + the reply once it is answered,
    by the claim that still holds it. Redis not answering a claim is
    `Unavailable` (503: WeChat retries later) rather than a turn a retry elsewhere might
    repeat."""

    RUNNING, ANSWERED = b"-", b"="
    # one script, on Redis's clock (every instance's): {1, the running stamp} for a delivery
    # taken now (new, or running unanswered for longer than ARGV[2] seconds), else what is
    # stored
    CLAIM = """
    local clock = redis.call('TIME')
    local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
    local running = '-' .. string.format('%.6f', now)
    if redis.call('SET', KEYS[1], running, 'NX', 'EX', ARGV[1]) then
        return {1, running}
    end
    local value = redis.call('GET', KEYS[1])
    if value and string.sub(value, 1, 1) == '-'
        and (tonumber(string.sub(value, 2)) or math.huge) < now - tonumber(ARGV[2]) then
        redis.call('SET', KEYS[1], running, 'KEEPTTL')
        return {1, running}
    end
    return value or ''
    """
    # set (ARGV[2]) or delete (no ARGV[2]) the key only while the claim ARGV[1] holds it
    IF_HELD = """
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then
        return 0
    end
    if ARGV[2] then
        return redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') and 1
    end
    return redis.call('DEL', KEYS[1])
    """

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client  # the app's: it closes it
        self._prefix = prefix
        self._claim = client.register_script(self.CLAIM)
        self._if_held = client.register_script(self.IF_HELD)

    async def close(self) -> None:
        """Nothing of its own to close."""

    async def claim(self, delivery: str) -> Delivery:
        key = self._prefix + digest(delivery)
        try:
            stored = await self._claim(keys=[key], args=[int(DELIVERY_MEMORY_S), RUNNING_LEASE_S])
        except RedisError as error:
            raise Unavailable(f"Redis at {where(self._client)} does not answer") from error
        if isinstance(stored, list):
            token = stored[1]
            return Delivery(first=True, token=token.decode() if isinstance(token, bytes) else token)
        value = stored.encode("utf-8") if isinstance(stored, str) else bytes(stored or b"")
        if not value.startswith(self.ANSWERED):
            return Delivery(first=False)  # still running (or just forgotten)
        return Delivery(first=False, reply=value[1:].decode("utf-8"))

    async def answered(self, delivery: str, reply: str, token: str) -> None:
        """The reply a retry gets; if Redis is away, a retry answers `success` instead."""
        value = self.ANSWERED + reply.encode("utf-8")
        try:
            await self._if_held(keys=[self._prefix + digest(delivery)], args=[token, value])
        except RedisError:
            logger.warning("wechat: could not keep a reply for retries: Redis does not answer")

    async def forget(self, delivery: str, token: str) -> None:
        """Let a retry run again; if Redis is away, the key expires by itself."""
        try:
            await self._if_held(keys=[self._prefix + digest(delivery)], args=[token])
        except RedisError:
            logger.warning("wechat: could not forget a failed delivery: Redis does not answer")
