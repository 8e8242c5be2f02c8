"""Token buckets keyed by who is asking (an address, a conversation), shared by all channels.

`RateLimiter` keeps its buckets in this process; `bot.rate_limits_redis.RedisRateLimiter`
keeps them on Redis, so every instance sharing it spends from one bucket. Both are `Limiter`s:
`await take(key)` is None when the request may go ahead, else the seconds until it may.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol


class Limiter(Protocol):
    """A burst of `burst` requests per key, then one every `refill_s` seconds."""

    burst: int
    refill_s: float

    async def take(self, key: str) -> float | None:
        """None if `key` may go ahead (one token spent); else the seconds until it may."""
        ...


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A burst of `burst` requests per key, then one every `refill_s` seconds.

    Buckets outlive connections (a reconnect does not refill one); the least recently used
    are forgotten past `max_keys`, so memory stays bounded whatever the number of keys.
    """

    def __init__(self, burst: int, refill_s: float, max_keys: int = 100_000) -> None:
        self.burst = burst
        self.refill_s = refill_s
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    async def take(self, key: str, now: float | None = None) -> float | None:
        """None if `key` may go ahead (one token spent); else the seconds until it may."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(key, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) / self.refill_s)
        bucket.updated = now
        self._buckets[key] = bucket
        if len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return (1 - bucket.tokens) * self.refill_s


def retry_after(wait_s: float) -> str:
    """The Retry-After header value: whole seconds, at least one."""
    return str(max(1, math.ceil(wait_s)))


class ClientLimits:
    """The limits every channel applies: per client address, per conversation, and on new
    web sessions per address (so fresh sessions cannot be minted to dodge the second)."""

    def __init__(self, per_address: Limiter, per_sender: Limiter, new_sessions: Limiter) -> None:
        self.per_address = per_address
        self.per_sender = per_sender
        self.new_sessions = new_sessions

    async def check(self, address: str, conversation_id: str) -> float | None:
        """None if a message may go ahead; else the seconds to wait. The address is checked
        first, so a flood from elsewhere cannot drain a conversation's own allowance.
        Raises `bot.store.Unavailable` when the limits live on a Redis that does not answer."""
        wait = await self.per_address.take(f"addr:{address}")
        if wait is not None:
            return wait
        return await self.per_sender.take(f"conv:{conversation_id}")

    async def check_address(self, address: str) -> float | None:
        """For requests that are not messages (a transcript, a session)."""
        return await self.per_address.take(f"addr:{address}")

    async def check_new_session(self, address: str) -> float | None:
        return await self.new_sessions.take(f"session:{address}")
