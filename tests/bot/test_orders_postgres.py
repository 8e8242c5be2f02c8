"""The order book on SQLite and on the real PostgreSQL: the same behaviours on both, two
instances on one file or schema (a cancel at one is read at the other; of two asking at once
exactly one cancels or refunds), its migration beside the other stores', a server that is not
there, and two whole apps on one schema."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog
from actions.orders import DAY, Order, OrderBook, SqliteOrderStore, seed_demo_orders
from bot.app import SHOP, create_app
from bot.orders_postgres import PostgresOrderStore
from bot.settings import Settings
from bot.store import Unavailable
from tests.bot.shared_servers import (
    DATABASE_URL,
    closed_port,
    on_shared_servers,
    pg_schema,
    redis_prefix,
)

__all__ = ["pg_schema", "redis_prefix"]  # the fixtures, used by name

# the demo orders (actions/orders.py): Ana's 384920174650000 (processing) .. 004 (cancelled)
ANA = "ana.silva@example.com"
ANA_PROCESSING, ANA_SHIPPED, ANA_DELIVERED = "384920174650000", "384920174650001", "384920174650002"
ANA_DELIVERED_LONG_AGO = "384920174650003"
LI, LI_DELIVERED = "li.wei@example.com", "384920174650102"
DEMO_ORDERS = 15

BookMaker = Callable[[], OrderBook]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    catalog = Catalog(tmp_path_factory.mktemp("orders") / "catalog.db")
    ensure_demo_catalog(catalog, show_progress=False)
    yield catalog
    catalog.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def new_book(request: pytest.FixtureRequest, tmp_path: Path) -> BookMaker:
    """Opens the book anew each call (another instance, or a restart) on one file or schema."""
    if request.param == "sqlite":
        return lambda: SqliteOrderStore(tmp_path / "orders.db")
    schema = request.getfixturevalue("pg_schema")
    return lambda: PostgresOrderStore(DATABASE_URL, schema)


async def _seeded(new_book: BookMaker, catalog: Catalog) -> OrderBook:
    book = new_book()
    assert await seed_demo_orders(book, catalog) == DEMO_ORDERS
    return book


async def _find(book: OrderBook, order_id: str) -> Order:
    order = await book.find(order_id, ANA)
    assert order is not None
    return order


async def test_an_order_is_found_only_with_the_email_on_it(
    new_book: BookMaker, catalog: Catalog
) -> None:
    book = await _seeded(new_book, catalog)
    order = await book.find(ANA_SHIPPED, "  Ana.Silva@Example.com ")
    assert order is not None and order.status == "shipped" and order.carrier == "UPS"
    assert order.items and all(item["quantity"] == 1 for item in order.items)
    assert await book.find(ANA_SHIPPED, "li.wei@example.com") is None
    assert await book.find("384920174659999", ANA) is None
    mine = await book.orders_of("C1001")
    assert len(mine) == 5 and {o.email for o in mine} == {ANA}
    assert [o.placed_at for o in mine] == sorted((o.placed_at for o in mine), reverse=True)
    await book.close()


async def test_only_an_unshipped_order_cancels_and_only_once(
    new_book: BookMaker, catalog: Catalog
) -> None:
    book = await _seeded(new_book, catalog)
    processing = await _find(book, ANA_PROCESSING)
    assert await book.cancel(processing)
    assert (await _find(book, ANA_PROCESSING)).status == "cancelled"
    assert not await book.cancel(processing)  # already cancelled
    assert not await book.cancel(await _find(book, ANA_SHIPPED))
    assert (await _find(book, ANA_SHIPPED)).status == "shipped"
    await book.close()


async def test_a_return_opens_once_within_the_window_for_the_whole_total(
    new_book: BookMaker, catalog: Catalog
) -> None:
    book = await _seeded(new_book, catalog)
    delivered = await _find(book, ANA_DELIVERED)
    assert await book.request_refund(delivered)
    refunded = await _find(book, ANA_DELIVERED)
    assert refunded.refund_status == "return_requested"
    assert refunded.refund_amount == pytest.approx(delivered.total)
    assert not await book.request_refund(delivered)  # the stale copy: the row says no
    assert not await book.request_refund(refunded)
    assert not await book.request_refund(await _find(book, ANA_DELIVERED_LONG_AGO))
    lis = await book.find(LI_DELIVERED, LI)
    assert lis is not None and lis.delivered_at is not None
    assert not await book.request_refund(lis, now=lis.delivered_at + 31 * DAY)
    assert await book.request_refund(lis, now=lis.delivered_at + 29 * DAY)
    await book.close()


async def test_changes_are_read_by_another_instance_and_after_a_restart(
    new_book: BookMaker, catalog: Catalog
) -> None:
    a = await _seeded(new_book, catalog)
    b = new_book()
    assert await seed_demo_orders(b, catalog) == 0  # seeded already
    assert await a.cancel(await _find(a, ANA_PROCESSING))
    assert await b.request_refund(await _find(b, ANA_DELIVERED))
    assert (await _find(b, ANA_PROCESSING)).status == "cancelled"
    assert (await _find(a, ANA_DELIVERED)).refund_status == "return_requested"
    await a.close()
    await b.close()
    again = new_book()
    assert await again.count() == DEMO_ORDERS
    assert (await _find(again, ANA_PROCESSING)).status == "cancelled"
    await again.close()


async def test_of_two_instances_asking_at_once_exactly_one_cancels_or_refunds(
    new_book: BookMaker, catalog: Catalog
) -> None:
    a = await _seeded(new_book, catalog)
    b = new_book()
    # both hold the order as it was before either changed it
    processing, delivered = await _find(a, ANA_PROCESSING), await _find(b, ANA_DELIVERED)
    cancels = await asyncio.gather(a.cancel(processing), b.cancel(processing))
    refunds = await asyncio.gather(a.request_refund(delivered), b.request_refund(delivered))
    assert sorted(cancels) == [False, True] and sorted(refunds) == [False, True]
    assert (await _find(b, ANA_PROCESSING)).status == "cancelled"
    assert (await _find(a, ANA_DELIVERED)).refund_status == "return_requested"
    await a.close()
    await b.close()


async def test_two_instances_seeding_at_once_add_each_order_once(
    new_book: BookMaker, catalog: Catalog
) -> None:
    books = [new_book() for _ in range(3)]
    added = await asyncio.gather(*(seed_demo_orders(book, catalog) for book in books))
    assert sum(added) == DEMO_ORDERS
    assert [await book.count() for book in books] == [DEMO_ORDERS] * 3
    assert len(await books[0].orders_of("C1002")) == 5
    for book in books:
        await book.close()


async def test_its_migration_joins_the_other_stores_under_one_table(pg_schema: str) -> None:
    books = [PostgresOrderStore(DATABASE_URL, pg_schema) for _ in range(2)]
    assert await asyncio.gather(*(book.count() for book in books)) == [0, 0]
    raw = await asyncpg.connect(DATABASE_URL)
    try:
        rows = await raw.fetch(f'SELECT version FROM "{pg_schema}".shopbot_migrations')
    finally:
        await raw.close()
    assert [r["version"] for r in rows] == [201]
    for book in books:
        await book.close()


async def test_a_server_that_is_not_there_fails_every_call_fast() -> None:
    book = PostgresOrderStore(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    order = Order(ANA_PROCESSING, "C1001", ANA, "processing", time.time(), None, None, None,
                  None, "12 Harbour St", [], 10.0, "INV-1", None, None)  # fmt: skip
    started = time.monotonic()
    calls: list[Any] = [
        book.count(),
        book.find(ANA_PROCESSING, ANA),
        book.orders_of("C1001"),
        book.cancel(order),
        book.add(order),
    ]
    for call in calls:
        with pytest.raises(Unavailable, match=r"PostgreSQL at 127\.0\.0\.1:\d+ does not answer"):
            await call
    await book.close()
    assert time.monotonic() - started < 30  # only catches a hang


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@127.0.0.1:5432/shopbot_no_such_database",
        "postgresql://shopbot_no_such_role@127.0.0.1:5432/test",
    ],
)
async def test_a_server_that_refuses_this_instance_is_unavailable_not_an_error(url: str) -> None:
    """Missing database or role (and, the same way, a full server or a standby): a 503 and a
    degraded /health, as when it does not answer."""
    book = PostgresOrderStore(url)
    with pytest.raises(Unavailable, match=r"PostgreSQL at 127\.0\.0\.1:5432 refuses this"):
        await book.count()
    await book.close()


async def _say(client: TestClient, sender: str, text: str) -> Any:
    return await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})


async def _text(client: TestClient, sender: str, text: str) -> str:
    response = await _say(client, sender, text)
    assert response.status == 200, await response.text()
    return "\n".join(str(m.get("text") or "") for m in await response.json())


async def test_two_apps_on_one_schema_share_the_orders(
    aiohttp_client: Any, settings: Settings, pg_schema: str, redis_prefix: str, tmp_path: Path
) -> None:
    shared = on_shared_servers(settings, pg_schema, redis_prefix)
    a: TestClient = await aiohttp_client(create_app(shared))
    b: TestClient = await aiohttp_client(
        create_app(shared.model_copy(update={"home": tmp_path / "home-b"}))
    )
    assert await a.app[SHOP].orders.count() == DEMO_ORDERS  # seeded once by both
    asked = await _text(a, "ann", f"i want to cancel order {ANA_PROCESSING} email {ANA}")
    assert "cancelling is free" in asked
    assert "is cancelled" in await _text(a, "ann", "yes")

    at_b = await _text(b, "bea", f"where is my order {ANA_PROCESSING}? my email is {ANA}")
    assert "cancelled" in at_b
    again = await _text(b, "bea", f"i want to cancel order {ANA_PROCESSING} email {ANA}")
    assert "cancelling is free" not in again  # B knows it is cancelled: nothing to confirm

    refund = await _text(b, "bea", f"i want a refund for order {ANA_DELIVERED} email {ANA}")
    assert "opened a return" in refund
    order = await a.app[SHOP].orders.find(ANA_DELIVERED, ANA)
    assert order is not None and order.refund_status == "return_requested"


async def test_orders_away_is_a_503_not_a_500(aiohttp_client: Any, settings: Settings) -> None:
    """Conversations on SQLite, orders on a PostgreSQL that does not answer: a turn that
    needs an order fails with 503 and Retry-After; a turn that does not is answered."""
    client: TestClient = await aiohttp_client(create_app(settings))
    shop = client.app[SHOP]
    await shop.orders.close()
    shop.orders = PostgresOrderStore(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    response = await _say(client, "ann", f"where is my order {ANA_SHIPPED}? my email is {ANA}")
    assert response.status == 503, await response.text()
    assert "Retry-After" in response.headers
    assert (await response.json())["error"]
    assert (await _say(client, "cat", "hi")).status == 200
