"""Per-conversation locks on Redis, so a conversation has one turn at a time across instances.

A lock is a key set with a token and an expiry (redis-py's `Lock`: `SET NX PX`, released and
extended by Lua scripts that check the token, so nobody frees a lock they do not hold). The
holder extends it every third of its expiry while the turn runs; an instance that dies stops
extending, and its locks free themselves within `ttl_s`. Waiters of one instance queue on a
local lock first, so only one of them at a time asks Redis.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as redis
from redis.asyncio.lock import Lock
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import LockError, LockNotOwnedError, RedisError

from bot.locks import ConversationLocks
from bot.store import Unavailable

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 2.0
COMMAND_TIMEOUT_S = 5.0


def open_redis(url: str) -> redis.Redis:
    """A client that fails within seconds when Redis is not there (one quick retry, for a
    pooled connection that went stale across a restart); connects on first use."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=COMMAND_TIMEOUT_S,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=1),
        health_check_interval=30,
    )


def where(client: redis.Redis) -> str:
    """host:port of a client, for messages (never the password)."""
    kwargs = client.connection_pool.connection_kwargs
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"


class RedisConversationLocks:
    """`hold(key)` as `ConversationLocks.hold`, across every instance sharing the Redis."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "shopbot:lock:",
        ttl_s: float = 15.0,
        wait_s: float = 30.0,
        poll_s: float = 0.01,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self.ttl_s = ttl_s
        self.wait_s = wait_s
        self._poll_s = poll_s
        self._here = ConversationLocks()

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Raises `Unavailable` when Redis does not answer or the lock is not free within
        `wait_s` (its holder is alive and busy: a dead one's lock expires sooner)."""
        async with self._here.hold(key):
            lock = await self._acquire(key)
            keeper = asyncio.create_task(self._keep(lock))
            try:
                yield
            finally:
                keeper.cancel()
                await self._release(lock)

    async def _acquire(self, key: str) -> Lock:
        lock = self._client.lock(
            self._prefix + key,
            timeout=self.ttl_s,
            sleep=self._poll_s,
            blocking_timeout=self.wait_s,
            thread_local=False,
        )
        try:
            acquired = await lock.acquire()
        except RedisError as error:
            raise Unavailable(f"Redis at {where(self._client)} does not answer") from error
        if not acquired:
            raise Unavailable(f"the conversation's lock was not free within {self.wait_s:g} s")
        return lock

    async def _keep(self, lock: Lock) -> None:
        """Extend the lock while the turn runs; a turn that outlives it is told in the log."""
        while True:
            await asyncio.sleep(self.ttl_s / 3)
            try:
                await lock.reacquire()
            except LockNotOwnedError:
                logger.error("a conversation lock expired while held (prefix %s)", self._prefix)
                return
            except RedisError:
                logger.warning("could not extend a conversation lock: Redis does not answer")

    async def _release(self, lock: Lock) -> None:
        try:
            await lock.release()
        except LockError:
            logger.error("a conversation lock had expired before its turn ended")
        except RedisError:
            logger.warning("could not release a conversation lock; it expires by itself")
