"""The outbox over the real Redis, with two instances: a line published at one reaches the
other's socket subscribers in order, once; outside-API subscribers hear their own instance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.locks_redis import open_redis
from bot.outbox_redis import RedisOutbox
from tests.bot.shared_servers import REDIS_URL, closed_port, redis_prefix

__all__ = ["redis_prefix"]  # the fixture, used by name

Line = tuple[str, str, dict[str, Any]]


@pytest.fixture
async def instances(redis_prefix: str) -> AsyncIterator[tuple[RedisOutbox, RedisOutbox]]:
    """Two instances' outboxes, each with its own Redis client, on one channel."""
    clients = [open_redis(REDIS_URL), open_redis(REDIS_URL)]
    outboxes = [RedisOutbox(client, channel=f"{redis_prefix}outbox") for client in clients]
    for outbox in outboxes:
        await outbox.start()
    yield outboxes[0], outboxes[1]
    for outbox in outboxes:
        await outbox.close()
    for client in clients:
        await client.aclose()


async def _until(condition: Any, timeout: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)


async def test_a_line_published_at_one_instance_reaches_a_socket_at_the_other(
    instances: tuple[RedisOutbox, RedisOutbox],
) -> None:
    a, b = instances
    sockets_a: list[Line] = []
    sockets_b: list[Line] = []
    callbacks_b: list[Line] = []
    a.subscribe(lambda *line: sockets_a.append(line), from_every_instance=True)
    b.subscribe(lambda *line: sockets_b.append(line), from_every_instance=True)
    b.subscribe(lambda *line: callbacks_b.append(line))  # an outside API: sent once, by A
    for index in range(20):
        a.publish("web:ann", {"text": f"line {index}"}, event="bot_uttered")
    await _until(lambda: len(sockets_b) == 20)
    expected = [("web:ann", "bot_uttered", {"text": f"line {i}"}) for i in range(20)]
    assert sockets_b == expected  # in order
    assert sockets_a == expected  # at once, here, and not a second time from Redis
    assert callbacks_b == []


async def test_unsubscribed_hears_nothing_more(
    instances: tuple[RedisOutbox, RedisOutbox],
) -> None:
    a, b = instances
    got: list[Line] = []
    stop = b.subscribe(lambda *line: got.append(line), from_every_instance=True)
    a.publish("web:1", {"text": "one"}, event="bot_uttered")
    await _until(lambda: len(got) == 1)
    stop()
    a.publish("web:1", {"text": "two"}, event="bot_uttered")
    marker: list[Line] = []
    b.subscribe(lambda *line: marker.append(line), from_every_instance=True)
    a.publish("web:1", {"text": "three"}, event="bot_uttered")
    await _until(lambda: any(line[2]["text"] == "three" for line in marker))
    assert [line[2]["text"] for line in got] == ["one"]


async def test_publishing_without_redis_still_reaches_this_instance() -> None:
    client = open_redis(f"redis://127.0.0.1:{closed_port()}/0")
    outbox = RedisOutbox(client)
    await outbox.start()
    got: list[Line] = []
    outbox.subscribe(lambda *line: got.append(line), from_every_instance=True)
    outbox.publish("web:1", {"text": "hi"}, event="bot_uttered")
    assert got == [("web:1", "bot_uttered", {"text": "hi"})]
    await asyncio.wait_for(outbox.close(), 5)
    await client.aclose()
