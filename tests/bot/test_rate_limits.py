"""Keyed token buckets: a burst, then a steady rate; in process (memory bounded by the key
count) or on the real Redis, where every instance spends from one bucket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as redis
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from bot.app import create_app
from bot.locks_redis import open_redis
from bot.rate_limits import RateLimiter, retry_after
from bot.rate_limits_redis import RedisRateLimiter
from bot.settings import LimitSettings, Settings
from bot.store import Unavailable
from connectors.access import address_key
from connectors.agent_inbox import LOGIN_BURST
from tests.bot.shared_servers import (
    REDIS_URL,
    closed_port,
    on_shared_servers,
    pg_schema,
    redis_prefix,
)
from tests.connectors.test_socketio import connected, served

__all__ = ["pg_schema", "redis_prefix"]  # the fixtures, used by name

URL = "/webhooks/rest/webhook"


@pytest.fixture
async def clients() -> AsyncIterator[tuple[redis.Redis, redis.Redis]]:
    """Two instances' clients: two connection pools to the one Redis."""
    first, second = open_redis(REDIS_URL), open_redis(REDIS_URL)
    yield first, second
    await first.aclose()
    await second.aclose()


async def test_a_burst_then_one_per_interval() -> None:
    limiter = RateLimiter(burst=3, refill_s=2.0)
    assert [await limiter.take("a", now=0.0) for _ in range(3)] == [None, None, None]
    wait = await limiter.take("a", now=0.0)
    assert wait is not None and 0 < wait <= 2.0 and retry_after(wait) == "2"
    assert await limiter.take("b", now=0.0) is None  # others are not held up
    assert await limiter.take("a", now=2.1) is None


async def test_forgets_the_least_recently_used_past_max_keys() -> None:
    limiter = RateLimiter(burst=1, refill_s=60, max_keys=100)
    for index in range(1000):
        await limiter.take(f"k{index}", now=0.0)
    assert len(limiter._buckets) == 100
    assert await limiter.take("k999", now=0.0) is not None  # the recent ones are still limited


def test_clients_behind_a_trusted_proxy_and_ipv6_blocks() -> None:
    forwarded = "203.0.113.9, 198.51.100.7"
    assert address_key("127.0.0.1", forwarded, trusted_proxies=[]) == "127.0.0.1"
    assert address_key("127.0.0.1", forwarded, ["127.0.0.1"]) == "198.51.100.7"
    assert address_key("127.0.0.1", "", ["127.0.0.1"]) == "127.0.0.1"
    first = address_key("2001:db8:1:2::1", "", [])
    assert first == address_key("2001:db8:1:2:ffff::9", "", []) == "2001:db8:1:2::/64"
    assert address_key("::ffff:192.0.2.1", "", []) == "192.0.2.1"


async def test_two_instances_spend_from_one_bucket_on_redis(
    clients: tuple[redis.Redis, redis.Redis], redis_prefix: str
) -> None:
    here = RedisRateLimiter(clients[0], redis_prefix, burst=3, refill_s=600)
    there = RedisRateLimiter(clients[1], redis_prefix, burst=3, refill_s=600)
    assert [await here.take("addr:a"), await there.take("addr:a"), await here.take("addr:a")] == [
        None,
        None,
        None,
    ]
    wait = await there.take("addr:a")
    # one token is 600 s away, less the moments the test took: as the in-process bucket says
    assert wait is not None and 590 < wait <= 600 and int(retry_after(wait)) > 590
    assert await here.take("addr:a") is not None
    assert await there.take("addr:b") is None  # another key has its own bucket
    # the key goes once the bucket would be full again: 3 tokens of 600 s, and a second
    ttl_ms = await clients[0].pttl(f"{redis_prefix}addr:a")
    assert 3 * 600_000 - 60_000 < ttl_ms <= 3 * 600_000 + 1000


async def test_a_bucket_refills_at_its_rate(
    clients: tuple[redis.Redis, redis.Redis], redis_prefix: str
) -> None:
    limiter = RedisRateLimiter(clients[0], redis_prefix, burst=1, refill_s=0.2)
    assert await limiter.take("conv:x") is None
    wait = await limiter.take("conv:x")
    assert wait is not None and 0 < wait <= 0.2 and retry_after(wait) == "1"
    await asyncio.sleep(0.25)
    assert await limiter.take("conv:x") is None


async def test_concurrent_takes_at_two_instances_never_overspend(
    clients: tuple[redis.Redis, redis.Redis], redis_prefix: str
) -> None:
    limiters = [RedisRateLimiter(c, redis_prefix, burst=10, refill_s=600) for c in clients]
    answers = await asyncio.gather(*(limiters[i % 2].take("addr:flood") for i in range(60)))
    assert sum(answer is None for answer in answers) == 10


async def test_a_redis_that_does_not_answer_refuses_at_once() -> None:
    client = open_redis(f"redis://127.0.0.1:{closed_port()}/0")
    limiter = RedisRateLimiter(client, "test:", burst=5, refill_s=1.0)
    try:
        with pytest.raises(Unavailable, match="does not answer"):
            await asyncio.wait_for(limiter.take("addr:a"), timeout=20)  # catches a hang only
    finally:
        await client.aclose()


async def test_two_apps_on_shared_redis_limit_the_combined_traffic(
    aiohttp_client: Any, settings: Settings, pg_schema: str, redis_prefix: str
) -> None:
    shared = on_shared_servers(settings, pg_schema, redis_prefix)
    limits = LimitSettings(burst=3, refill_s=600)
    shared = shared.model_copy(update={"limits": limits})
    a: TestClient = await aiohttp_client(create_app(shared))
    b: TestClient = await aiohttp_client(create_app(shared))

    statuses = []
    for client in (a, b, a):  # the whole burst, spent at two instances
        response = await client.post(URL, json={"sender": "ann", "message": "hello"})
        statuses.append(response.status)
    assert statuses == [200, 200, 200]
    for client in (b, a):
        refused = await client.post(URL, json={"sender": "ann", "message": "hello"})
        assert refused.status == 429
        assert 500 < int(refused.headers["Retry-After"]) <= 600
    # another shopper behind the same address still has a bucket of their own
    assert (await b.post(URL, json={"sender": "bob", "message": "hello"})).status == 200


async def test_limits_on_a_redis_that_does_not_answer_refuse_at_once(settings: Settings) -> None:
    """Fail closed: REST answers 503 with Retry-After, a socket gets the `busy` notice; the
    app starts anyway, its session secret still to be agreed on."""
    away = settings.model_copy(
        update={"redis_url": SecretStr(f"redis://127.0.0.1:{closed_port()}/0")}
    )
    async with served(away) as server:
        async with aiohttp.ClientSession() as http:
            message = {"sender": "ann", "message": "hello"}
            async with http.post(server.make_url(URL), json=message) as refused:
                assert refused.status == 503 and refused.headers["Retry-After"] == "5"
                assert "unavailable" in (await refused.json())["error"]
            history = server.make_url("/api/conversations/abc/messages")
            # a transcript: its limit, then its token's secret, are on Redis too
            async with http.get(history, headers={"Authorization": "Bearer 1.2.ab"}) as page:
                assert page.status == 503
        async with connected(server) as shopper:
            await shopper.client.connect(
                shopper.url, socketio_path="socket.io", transports=["websocket"]
            )
            await shopper.client.emit("session_request", {})
            name, notice = await shopper.next()
    assert name == "bot_uttered" and notice["metadata"]["notice"] == "busy"


async def test_agent_logins_from_one_address_count_at_every_instance(
    settings: Settings, pg_schema: str, redis_prefix: str, tmp_path: Path
) -> None:
    shared = on_shared_servers(settings, pg_schema, redis_prefix)
    elsewhere = shared.model_copy(update={"home": tmp_path / "home-b"})
    login = {"name": "Dana", "password": "not the password"}
    async with served(shared) as a, served(elsewhere) as b, aiohttp.ClientSession() as http:
        statuses = []
        for index in range(LOGIN_BURST + 1):
            server = (a, b)[index % 2]
            async with http.post(server.make_url("/agent/login"), json=login) as response:
                statuses.append(response.status)
                retry = response.headers.get("Retry-After")
    assert statuses == [401] * LOGIN_BURST + [429] and retry is not None and int(retry) >= 1
