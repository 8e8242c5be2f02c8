"""WeChat shoppers' 48-hour windows and numbered options on SQLite and on the real
PostgreSQL: the same behaviours on both, two instances on one file or schema (options set at
one are read at the other), the migration's version, a server that is not there."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.store import Unavailable
from bot.wechat_shoppers import (
    MAX_OPTIONS,
    SERVICE_WINDOW_S,
    SqliteWechatShoppers,
    WechatShoppers,
)
from bot.wechat_shoppers_postgres import PostgresWechatShoppers
from tests.bot.shared_servers import DATABASE_URL, closed_port, pg_schema

__all__ = ["pg_schema"]  # the fixture, used by name

StoreMaker = Callable[[], WechatShoppers]
OPENID, OTHER = "oABCDEFGHIJKLMNOPQRSTUVWXYZ0", "oZYXWVUTSRQPONMLKJIHGFEDCBA9"
CHOICES = ["我想买笔记本电脑", "我想查一下我的订单", "退货政策是什么", "转人工"]


@pytest.fixture(params=["sqlite", "postgresql"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreMaker:
    """Opens the store anew each call (another instance, or a restart) on one file or schema."""
    if request.param == "sqlite":
        return lambda: SqliteWechatShoppers(tmp_path / "wechat.db")
    schema = request.getfixturevalue("pg_schema")
    return lambda: PostgresWechatShoppers(DATABASE_URL, schema)


async def test_options_set_at_one_instance_are_read_at_the_other(new_store: StoreMaker) -> None:
    one, other = new_store(), new_store()
    await one.wrote(OPENID)
    await one.set_options(OPENID, CHOICES)
    assert await other.options(OPENID) == CHOICES  # "2" picks the same option there
    await other.set_options(OPENID, CHOICES[:1])
    assert await one.options(OPENID) == CHOICES[:1]
    assert await one.options(OTHER) == []
    await one.set_options(OTHER, CHOICES)  # a shopper never seen gets no row
    assert await other.options(OTHER) == [] and await other.count() == 1
    await one.set_options(OPENID, [str(n) for n in range(MAX_OPTIONS + 5)])
    assert len(await other.options(OPENID)) == MAX_OPTIONS
    await one.close()
    await other.close()


async def test_the_48_hour_window_is_the_same_at_every_instance(new_store: StoreMaker) -> None:
    one, other = new_store(), new_store()
    now = time.time()
    assert not await other.within_window(OPENID, now)
    await one.wrote(OPENID, now=now - SERVICE_WINDOW_S + 60)  # nearly two days ago
    assert await other.within_window(OPENID, now)
    assert not await other.within_window(OPENID, now + 120)
    await other.wrote(OPENID, now=now)  # wrote again: the window starts again
    assert await one.within_window(OPENID, now + 120)
    await one.close()
    await other.close()


async def test_old_rows_go_as_shoppers_write_and_one_who_left_is_forgotten(
    new_store: StoreMaker,
) -> None:
    store = new_store()
    now = time.time()
    await store.wrote(OTHER, now=now - SERVICE_WINDOW_S - 60)
    await store.set_options(OTHER, CHOICES)
    assert await store.count() == 1
    await store.wrote(OPENID, now=now)  # deletes the row past its window
    assert await store.count() == 1 and await store.options(OTHER) == []
    await store.set_options(OPENID, CHOICES)
    await store.left(OPENID)
    assert await store.count() == 0 and await store.options(OPENID) == []
    assert not await store.within_window(OPENID, now)
    await store.close()


async def test_the_migration_is_recorded_in_this_stores_range(pg_schema: str) -> None:
    stores = [PostgresWechatShoppers(DATABASE_URL, pg_schema) for _ in range(2)]
    await asyncio.gather(*(store.wrote(OPENID) for store in stores))
    raw = await asyncpg.connect(DATABASE_URL)
    try:
        rows = await raw.fetch(f'SELECT version FROM "{pg_schema}".shopbot_migrations')
    finally:
        await raw.close()
    assert [row["version"] for row in rows] == [511]
    for store in stores:
        await store.close()


async def test_a_server_that_is_not_there_fails_every_call_fast() -> None:
    store = PostgresWechatShoppers(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    started = time.monotonic()
    calls: list[Any] = [
        store.wrote(OPENID),
        store.within_window(OPENID),
        store.options(OPENID),
        store.set_options(OPENID, CHOICES),
        store.left(OPENID),
        store.count(),
    ]
    for call in calls:
        with pytest.raises(Unavailable, match=r"PostgreSQL at 127\.0\.0\.1:\d+ does not answer"):
            await call
    await store.close()
    assert time.monotonic() - started < 30  # only catches a hang
