"""The recommender's interaction log on SQLite and on the real PostgreSQL: the same behaviours
on both, two instances on one file or schema (a view logged at one is in the history read at
the other; the demo purchases are added once), the migration's version, a server that is not
there, and two whole apps on one schema."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from actions.interactions import (
    WEIGHTS,
    InteractionLog,
    Logged,
    SqliteInteractionLog,
    log_demo_purchases,
)
from actions.orders import DEMO_CUSTOMERS, Order
from actions.recommender import Interaction
from bot.app import SHOP, create_app
from bot.interactions_postgres import PostgresInteractionLog
from bot.settings import Settings
from bot.store import Unavailable
from tests.bot.shared_servers import DATABASE_URL, closed_port, pg_schema

__all__ = ["pg_schema"]  # the fixture, used by name

LogMaker = Callable[[], InteractionLog]
T0 = 1_767_000_000.0


@pytest.fixture(params=["sqlite", "postgresql"])
def new_log(request: pytest.FixtureRequest, tmp_path: Path) -> LogMaker:
    """Opens the log anew each call (another instance, or a restart) on one file or schema."""
    if request.param == "sqlite":
        return lambda: SqliteInteractionLog(tmp_path / "interactions.db")
    schema = request.getfixturevalue("pg_schema")
    return lambda: PostgresInteractionLog(DATABASE_URL, schema)


async def test_a_view_logged_at_one_instance_is_in_the_history_at_the_other(
    new_log: LogMaker,
) -> None:
    one, other = new_log(), new_log()
    await one.log("C1001", "P2", "cart", at=T0 + 60)
    await one.log("C1001", "P1", "view", at=T0)
    await other.log("visitor:web:abc", "P1", "view")
    assert await other.history("C1001") == [
        Interaction("C1001", "P1", T0, WEIGHTS["view"]),
        Interaction("C1001", "P2", T0 + 60, WEIGHTS["cart"]),
    ]
    seen = await one.history("visitor:web:abc")
    assert [(i.item, i.weight) for i in seen] == [("P1", 0.2)]
    assert abs(seen[0].timestamp - time.time()) < 60
    assert await one.history("C1002") == []
    assert await one.count() == 3 and len(await other.all()) == 3
    with pytest.raises(ValueError, match="unknown interaction kind"):
        await one.log("C1001", "P1", "wishlist")
    assert await other.count() == 3
    await one.close()
    await other.close()


async def test_instances_seeding_at_once_add_the_rows_once(new_log: LogMaker) -> None:
    logs = [new_log() for _ in range(4)]
    rows = [Logged("C1001", f"P{n}", "purchase", T0 + n) for n in range(5)]
    added = await asyncio.gather(*(log.add_if_empty(rows) for log in logs))
    assert sorted(added) == [0, 0, 0, 5]
    assert await logs[0].add_if_empty(rows) == 0
    assert await logs[1].count() == 5
    for log in logs:
        await log.close()


async def test_the_demo_purchases_are_logged_once_and_cancelled_orders_are_not(
    new_log: LogMaker,
) -> None:
    def order(number: str, status: str, items: list[str]) -> Order:
        lines = [{"product_id": item, "quantity": 1} for item in items]
        return Order(
            number, "C1001", "a@example.com", status, T0, None, None, None, None, "", lines,
            0.0, "INV", None, None,
        )  # fmt: skip

    orders = [order("1", "delivered", ["P1", "P2"]), order("2", "cancelled", ["P3"])]
    one, other = new_log(), new_log()
    assert await log_demo_purchases(one, orders) == 2
    assert await log_demo_purchases(other, orders) == 0  # another instance, or a restart
    assert [i.item for i in await other.history("C1001")] == ["P1", "P2"]
    await one.close()
    await other.close()


async def test_the_migration_is_recorded_in_this_stores_range(pg_schema: str) -> None:
    logs = [PostgresInteractionLog(DATABASE_URL, pg_schema) for _ in range(2)]
    await asyncio.gather(*(log.count() for log in logs))
    raw = await asyncpg.connect(DATABASE_URL)
    try:
        rows = await raw.fetch(f'SELECT version FROM "{pg_schema}".shopbot_migrations')
    finally:
        await raw.close()
    assert [row["version"] for row in rows] == [611]
    for log in logs:
        await log.close()


async def test_a_server_that_is_not_there_fails_every_call_fast() -> None:
    log = PostgresInteractionLog(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    started = time.monotonic()
    calls: list[Any] = [
        log.log("C1001", "P1", "view"),
        log.add_if_empty([Logged("C1001", "P1", "purchase", T0)]),
        log.count(),
        log.history("C1001"),
        log.all(),
    ]
    for call in calls:
        with pytest.raises(Unavailable, match=r"PostgreSQL at 127\.0\.0\.1:\d+ does not answer"):
            await call
    await log.close()
    assert time.monotonic() - started < 30  # only catches a hang


async def _say(client: TestClient, sender: str, text: str) -> None:
    response = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status == 200, await response.text()


async def test_a_view_through_one_apps_turn_is_in_the_history_at_the_other(
    aiohttp_client: Any, settings: Settings, pg_schema: str, tmp_path: Path
) -> None:
    """Two apps, each with a home of its own, on one schema (no Redis): the demo purchases are
    logged once, and a product a shopper opened at A is in their history at B and for a
    second store on the schema (what `shopbot recommend train` reads)."""
    shared = settings.model_copy(
        update={"database_url": SecretStr(DATABASE_URL), "database_schema": pg_schema}
    )
    a: TestClient = await aiohttp_client(create_app(shared))
    b: TestClient = await aiohttp_client(
        create_app(shared.model_copy(update={"home": tmp_path / "home-b"}))
    )
    orders = a.app[SHOP].orders
    bought = [
        item
        for customer, _, _ in DEMO_CUSTOMERS
        for order in await orders.orders_of(customer)
        if order.status != "cancelled"
        for item in order.items
    ]
    assert bought and await b.app[SHOP].interactions.count() == len(bought)  # once, not twice
    assert not (tmp_path / "home-b" / "interactions.db").exists()

    await _say(a, "ann", "show me laptops")
    await _say(a, "ann", "the first one")
    at_b = await b.app[SHOP].interactions.history("visitor:rest:ann")
    elsewhere = PostgresInteractionLog(DATABASE_URL, pg_schema)
    try:
        assert await elsewhere.history("visitor:rest:ann") == at_b
        assert [i.weight for i in at_b] == [WEIGHTS["view"]]
        assert len(await elsewhere.all()) == len(bought) + 1
    finally:
        await elsewhere.close()
