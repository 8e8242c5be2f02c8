"""Token buckets on Redis, so every instance sharing it spends from one bucket per key.

A bucket is a hash (`tokens`, `updated`) refilled and spent by one Lua script, so a take is
atomic across instances: two instances taking the last token at once cannot both get it. The
key expires once the bucket would be full again (`burst * refill_s`): a missing key *is* a
full bucket, so idle keys cost Redis nothing and no size bound is needed.

The script reads the clock with Redis's own `TIME` rather than taking the caller's: one clock
for every instance, so a machine whose clock runs ahead cannot refill buckets early for all
(and one behind cannot make `updated` lie in the future). Redis 7 replicates a script's
effects, not the script, so reading `TIME` before writing is allowed. `TIME` is wall-clock
time and may step back; a bucket then simply does not refill until it catches up.

When Redis does not answer, `take` raises `Unavailable` (the app's 503 with Retry-After):
fail closed. Failing open would let any client send unlimited traffic exactly while the shared
stores are in trouble, and a turn needs Redis anyway (its conversation lock), so nothing that
could have succeeded is refused; the client is told within the client's timeouts, not held.
"""

from __future__ import annotations

import math

import redis.asyncio as redis
from redis.exceptions import RedisError

from bot.locks_redis import where
from bot.metrics import Metrics
from bot.store import Unavailable

# KEYS[1] the bucket; ARGV[1] burst, ARGV[2] refill_s. Returns the wait in seconds ("0": go),
# as a string: Redis truncates a Lua number to an integer on the way out.
TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local burst = tonumber(ARGV[1])
local refill_s = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) / refill_s)
local wait = 0
if tokens >= 1 then
    tokens = tokens - 1
else
    wait = (1 - tokens) * refill_s
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
    'updated', string.format('%.17g', math.max(now, updated)))
local full_in_ms = math.ceil((burst - tokens) * refill_s * 1000) + 1000
redis.call('PEXPIRE', KEYS[1], string.format('%d', full_in_ms))
return string.format('%.17g', wait)
"""


class RedisRateLimiter:
    """`RateLimiter`'s buckets (same burst, refill and answers) kept on Redis under `prefix`."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        burst: int,
        refill_s: float,
        metrics: Metrics | None = None,
    ) -> None:
        self.burst = burst
        self.refill_s = refill_s
        self._client = client
        self._prefix = prefix
        self._take = client.register_script(TAKE)
        self._metrics = metrics  # a refusal for Redis's sake counts as `unavailable`

    async def take(self, key: str) -> float | None:
        """None if `key` may go ahead (one token spent); else the seconds until it may.
        Raises `Unavailable` when Redis does not answer."""
        try:
            answer = await self._take(keys=[self._prefix + key], args=[self.burst, self.refill_s])
        except RedisError as error:
            if self._metrics is not None:
                self._metrics.error("unavailable")
            raise Unavailable(f"Redis at {where(self._client)} does not answer") from error
        wait = float(answer)
        return wait if wait > 0 and math.isfinite(wait) else None
