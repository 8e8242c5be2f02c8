"""Conversation locks on the real Redis, as two instances see them: one holder at a time, a
dead holder's lock frees itself, a Redis that is not there fails fast."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from bot.locks_redis import RedisConversationLocks, open_redis
from bot.store import Unavailable
from tests.bot.shared_servers import REDIS_URL, closed_port, redis_prefix

__all__ = ["redis_prefix"]  # the fixture, used by name


@pytest.fixture
async def clients() -> AsyncIterator[tuple[redis.Redis, redis.Redis]]:
    """Two instances' clients: two connection pools to the one Redis."""
    first, second = open_redis(REDIS_URL), open_redis(REDIS_URL)
    yield first, second
    await first.aclose()
    await second.aclose()


async def test_a_lock_held_by_one_instance_blocks_the_other(
    clients: tuple[redis.Redis, redis.Redis], redis_prefix: str
) -> None:
    here = RedisConversationLocks(clients[0], prefix=redis_prefix)
    there = RedisConversationLocks(clients[1], prefix=redis_prefix)
    order: list[str] = []

    async def turn(locks: RedisConversationLocks, name: str, key: str) -> None:
        async with locks.hold(key):
            order.append(f"{name} in")
            await asyncio.sleep(0.2)
            order.append(f"{name} out")

    first = asyncio.create_task(turn(here, "a", "web:1"))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await asyncio.gather(turn(there, "b", "web:1"), turn(there, "c", "web:2"))
    await first
    assert order.index("b in") > order.index("a out")  # same conversation: after it
    assert order.index("c in") < order.index("a out")  # another conversation: alongside
    assert time.monotonic() - started < 1.0
    assert await clients[0].keys(f"{redis_prefix}*") == []  # released


async def test_a_turn_longer_than_the_expiry_keeps_its_lock(
    clients: tuple[redis.Redis, redis.Redis], redis_prefix: str
) -> None:
    here = RedisConversationLocks(clients[0], prefix=redis_prefix, ttl_s=0.3)
    there = RedisConversationLocks(clients[1], prefix=redis_prefix, ttl_s=0.3, wait_s=0.5)
    async with here.hold("web:1"):
        await asyncio.sleep(0.5)  # past the expiry: extended meanwhile
        with pytest.raises(Unavailable, match="not free within"):
            async with there.hold("web:1"):
                pass


HOLDER = """
import asyncio, sys
from bot.locks_redis import RedisConversationLocks, open_redis
async def main():
    locks = RedisConversationLocks(open_redis(sys.argv[1]), prefix=sys.argv[2], ttl_s=1.0)
    async with locks.hold("web:1"):
        print("held", flush=True)
        await asyncio.sleep(60)
asyncio.run(main())
"""


async def test_the_lock_of_an_instance_killed_mid_turn_frees_itself(
    clients: tuple[redis.Redis, redis.Redis], redis_prefix: str
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, REDIS_URL, redis_prefix],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        there = RedisConversationLocks(clients[1], prefix=redis_prefix, wait_s=5.0)
        with pytest.raises(Unavailable):  # alive: it keeps the lock
            async with RedisConversationLocks(clients[1], prefix=redis_prefix, wait_s=1.5).hold(
                "web:1"
            ):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        killed = time.monotonic()
        async with there.hold("web:1"):
            freed_after = time.monotonic() - killed
        assert freed_after < 1.5  # within its expiry (1 s)
    finally:
        holder.kill()
        holder.wait()


async def test_a_redis_that_is_not_there_fails_fast() -> None:
    client = open_redis(f"redis://127.0.0.1:{closed_port()}/0")
    started = time.monotonic()
    with pytest.raises(Unavailable, match=r"Redis at 127\.0\.0\.1:\d+ does not answer"):
        async with RedisConversationLocks(client).hold("web:1"):
            pass
    assert time.monotonic() - started < 3
    await client.aclose()
