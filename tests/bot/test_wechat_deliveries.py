"""WeChat deliveries on SQLite, the real PostgreSQL and the real Redis: the same behaviours on
each, two instances on one file, schema or prefix (a retry at the other is a duplicate and
gets the first's reply), the five-minute expiry, the migration's version, a server that is not
there."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as redis

from bot.locks_redis import open_redis
from bot.store import Unavailable
from bot.wechat_deliveries import (
    DELIVERY_MEMORY_S,
    RUNNING_LEASE_S,
    Deliveries,
    Delivery,
    SqliteDeliveries,
    digest,
)
from bot.wechat_deliveries_postgres import PostgresDeliveries
from bot.wechat_deliveries_redis import RedisDeliveries
from tests.bot.shared_servers import DATABASE_URL, REDIS_URL, closed_port, pg_schema, redis_prefix

__all__ = ["pg_schema", "redis_prefix"]  # the fixtures, used by name

StoreMaker = Callable[[], Deliveries]
MSG = "msg:6912345678901234567"
REPLY = "<xml><Content><![CDATA[有的，这几款蓝牙耳机]]></Content></xml>"


@pytest.fixture
async def redis_clients() -> AsyncIterator[list[redis.Redis]]:
    """Each instance's own Redis client (the app's, which the deliveries never close)."""
    clients: list[redis.Redis] = []
    yield clients
    for client in clients:
        await client.aclose()


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreMaker:
    """Opens the store anew each call (another instance, or a restart) on one file, schema or
    key prefix."""
    if request.param == "sqlite":
        return lambda: SqliteDeliveries(tmp_path / "wechat.db")
    if request.param == "postgresql":
        schema = request.getfixturevalue("pg_schema")
        return lambda: PostgresDeliveries(DATABASE_URL, schema)
    prefix = request.getfixturevalue("redis_prefix")
    clients = request.getfixturevalue("redis_clients")

    def redis_store() -> Deliveries:
        clients.append(open_redis(REDIS_URL))
        return RedisDeliveries(clients[-1], prefix)

    return redis_store


async def test_a_retry_at_the_other_instance_is_a_duplicate_with_the_first_reply(
    new_store: StoreMaker,
) -> None:
    one, other = new_store(), new_store()
    first = await one.claim(MSG)
    assert first == Delivery(first=True) and first.token
    assert await other.claim(MSG) == Delivery(first=False)  # the first turn still runs
    await one.answered(MSG, REPLY, first.token)
    assert await other.claim(MSG) == Delivery(first=False, reply=REPLY)
    assert await one.claim(MSG) == Delivery(first=False, reply=REPLY)
    await one.answered("msg:2", "", first.token)  # never claimed: nothing kept
    second = await other.claim("msg:2")
    assert second == Delivery(first=True)
    await other.answered("msg:2", "", second.token)  # answered `success`
    assert await one.claim("msg:2") == Delivery(first=False, reply="")
    await one.close()
    await other.close()


async def test_a_forgotten_delivery_runs_again_once(new_store: StoreMaker) -> None:
    one, other = new_store(), new_store()
    claim = await one.claim(MSG)
    assert claim.first
    await one.forget(MSG, claim.token)  # its turn failed
    taken = await asyncio.gather(one.claim(MSG), other.claim(MSG), other.claim(MSG))
    assert sorted(claim.first for claim in taken) == [False, False, True]
    await one.close()
    await other.close()


async def claimed_at(store: Deliveries, delivery: str, seconds_ago: float) -> None:
    """`delivery` claimed `seconds_ago` by an instance that never answered it."""
    if isinstance(store, RedisDeliveries):  # Redis's own clock stamps a claim
        client = store._client
        seconds, microseconds = await client.time()
        server_now = seconds + microseconds / 1e6
        running = f"-{server_now - seconds_ago:.6f}"
        await client.set(store._prefix + digest(delivery), running, ex=int(DELIVERY_MEMORY_S))
    else:
        assert isinstance(store, SqliteDeliveries | PostgresDeliveries)
        assert (await store.claim(delivery, now=time.time() - seconds_ago)).first


async def stalled_token(store: Deliveries, delivery: str) -> str:
    """The token of the claim `claimed_at` left: the stamp stored for it."""
    if isinstance(store, RedisDeliveries):
        value = await store._client.get(store._prefix + digest(delivery))
        return bytes(value).decode()
    if isinstance(store, SqliteDeliveries):
        row = store._db.execute(
            "SELECT received_at FROM wechat_deliveries WHERE delivery = ?", (digest(delivery),)
        ).fetchone()
        return repr(row[0])
    assert isinstance(store, PostgresDeliveries)
    async with store._database.connection() as connection:
        stamp = await connection.fetchval(
            f"SELECT received_at FROM {store._table} WHERE delivery = $1", digest(delivery)
        )
    return repr(stamp)


async def test_a_claim_its_instance_left_unanswered_is_taken_over_once(
    new_store: StoreMaker,
) -> None:
    died, retry, other = new_store(), new_store(), new_store()
    await claimed_at(died, MSG, seconds_ago=RUNNING_LEASE_S - 3)  # may still be running
    assert await retry.claim(MSG) == Delivery(first=False)
    await claimed_at(died, "msg:dead", seconds_ago=RUNNING_LEASE_S + 1)  # its instance died
    taken = await asyncio.gather(retry.claim("msg:dead"), other.claim("msg:dead"))
    assert sorted(claim.first for claim in taken) == [False, True]
    winner = next(claim for claim in taken if claim.first)
    await retry.answered("msg:dead", REPLY, winner.token)
    assert await other.claim("msg:dead") == Delivery(first=False, reply=REPLY)
    for store in (died, retry, other):
        await store.close()


async def test_an_attempt_stalled_past_its_lease_neither_answers_nor_frees_the_takeover(
    new_store: StoreMaker,
) -> None:
    """The first attempt's instance stalls (not dies) past the lease, a retry takes the claim
    over, then the stalled attempt fails or answers: the takeover's turn stays the only one,
    and its answer is the one retries get."""
    stalled, retry, later = new_store(), new_store(), new_store()
    await claimed_at(stalled, MSG, seconds_ago=RUNNING_LEASE_S + 1)
    stale = await stalled_token(stalled, MSG)
    takeover = await retry.claim(MSG)
    assert takeover.first and takeover.token != stale
    await stalled.forget(MSG, stale)  # the stalled turn fails at last
    assert await later.claim(MSG) == Delivery(first=False)  # the takeover's turn still runs
    await stalled.answered(MSG, "<xml>stale</xml>", stale)
    assert await later.claim(MSG) == Delivery(first=False)
    await retry.answered(MSG, REPLY, takeover.token)
    assert await later.claim(MSG) == Delivery(first=False, reply=REPLY)
    for store in (stalled, retry, later):
        await store.close()


async def test_of_many_instances_claiming_at_once_exactly_one_runs_the_turn(
    new_store: StoreMaker,
) -> None:
    stores = [new_store() for _ in range(4)]
    taken = await asyncio.gather(*(store.claim(MSG) for store in stores))
    assert sorted(claim.first for claim in taken) == [False, False, False, True]
    for store in stores:
        await store.close()


TimedStore = SqliteDeliveries | PostgresDeliveries


@pytest.fixture(params=["sqlite", "postgresql"])
def new_timed_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], TimedStore]:
    """A store that takes the time of a claim (Redis expires keys by itself)."""
    if request.param == "sqlite":
        return lambda: SqliteDeliveries(tmp_path / "wechat.db")
    schema = request.getfixturevalue("pg_schema")
    return lambda: PostgresDeliveries(DATABASE_URL, schema)


async def test_after_five_minutes_a_delivery_is_new(
    new_timed_store: Callable[[], TimedStore],
) -> None:
    one, other = new_timed_store(), new_timed_store()
    now = time.time()
    old = await one.claim(MSG, now=now - DELIVERY_MEMORY_S - 1)
    assert old.first
    await one.answered(MSG, REPLY, old.token)
    assert (await other.claim("msg:old", now=now - DELIVERY_MEMORY_S - 1)).first
    assert await other.claim(MSG, now=now) == Delivery(first=True)  # expired: a new delivery
    assert await one.claim(MSG, now=now) == Delivery(first=False)  # and it runs now
    assert await one.count() == 1  # the other expired row went as they claimed
    await one.close()
    await other.close()


async def test_keys_are_digests_and_the_migration_is_in_this_stores_range(
    pg_schema: str,
) -> None:
    stores = [PostgresDeliveries(DATABASE_URL, pg_schema) for _ in range(2)]
    await asyncio.gather(*(store.claim(MSG) for store in stores))
    raw = await asyncpg.connect(DATABASE_URL)
    try:
        keys = await raw.fetch(f'SELECT delivery FROM "{pg_schema}".wechat_deliveries')
        versions = await raw.fetch(f'SELECT version FROM "{pg_schema}".shopbot_migrations')
    finally:
        await raw.close()
    assert [row["delivery"] for row in keys] == [digest(MSG)]  # a SHA-256, never the MsgId
    assert len(keys[0]["delivery"]) == 64 and "6912345678901234567" not in keys[0]["delivery"]
    assert [row["version"] for row in versions] == [601]
    for store in stores:
        await store.close()


async def test_a_server_that_is_not_there_refuses_a_claim_fast() -> None:
    """A claim PostgreSQL does not answer is refused (503: WeChat retries), never a guess;
    `answered` and `forget` are logged only (the row expires by itself)."""
    deliveries = PostgresDeliveries(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    started = time.monotonic()
    with pytest.raises(Unavailable, match=r"PostgreSQL at 127\.0\.0\.1:\d+ does not answer"):
        await deliveries.claim(MSG)
    await deliveries.answered(MSG, REPLY, "1.0")
    await deliveries.forget(MSG, "1.0")
    with pytest.raises(Unavailable):
        await deliveries.count()
    await deliveries.close()
    assert time.monotonic() - started < 15  # connect timeouts of 3 s, no hang
