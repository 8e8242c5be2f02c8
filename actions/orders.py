"""The demo order book: SQLite by default, seeded once with orders of demo customers.

Orders are only ever read by order number *and* the email on the order, so a shopper who
knows someone else's order number learns nothing about it. `OrderBook` is what the actions
use; with `database_url` set the app passes `bot.orders_postgres.PostgresOrderStore`
instead, so a cancel or refund at one instance is what every instance reads. Cancel and
refund are conditional updates, so of two asking at once exactly one wins.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from actions.catalog import Catalog
from actions.database import open_database

DAY = 86_400.0
ORDER_ID_DIGITS = 15

_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    email TEXT NOT NULL COLLATE NOCASE,
    status TEXT NOT NULL,
    placed_at REAL NOT NULL,
    shipped_at REAL,
    delivered_at REAL,
    carrier TEXT,
    tracking_number TEXT,
    shipping_address TEXT NOT NULL,
    items TEXT NOT NULL,
    total REAL NOT NULL,
    invoice_id TEXT NOT NULL,
    refund_status TEXT,
    refund_amount REAL
);
"""

DEMO_CUSTOMERS = [
    ("C1001", "ana.silva@example.com", "12 Harbour St, Boston, MA 02110"),
    ("C1002", "li.wei@example.com", "88 Market St, San Francisco, CA 94105"),
    ("C1003", "sam.okafor@example.com", "5 Pine Ave, Austin, TX 78701"),
]
# status, days since placed, days to ship, days to deliver
DEMO_LIFECYCLES = [
    ("processing", 0.5, None, None),
    ("shipped", 3, 1, None),
    ("delivered", 12, 1, 4),
    ("delivered", 60, 1, 3),
    ("cancelled", 20, None, None),
]


@dataclass(frozen=True)
class Order:
    id: str
    customer_id: str
    email: str
    status: str
    placed_at: float
    shipped_at: float | None
    delivered_at: float | None
    carrier: str | None
    tracking_number: str | None
    shipping_address: str
    items: list[dict[str, Any]]
    total: float
    invoice_id: str
    refund_status: str | None
    refund_amount: float | None

    @classmethod
    def from_row(cls, row: Any) -> Order:
        """From a row of either backend (`sqlite3.Row`, `asyncpg.Record`): items as JSON."""
        values = dict(row)
        values["items"] = json.loads(values["items"])
        return cls(**values)

    def columns(self) -> dict[str, Any]:
        """The order as the table's columns, in their order: items as JSON."""
        return {**self.__dict__, "items": json.dumps(self.items)}

    def returnable(self, now: float, window_days: float = 30) -> bool:
        return (
            self.status == "delivered"
            and self.delivered_at is not None
            and now - self.delivered_at <= window_days * DAY
            and self.refund_status is None
        )


class OrderBook(Protocol):
    """Where orders live; every call may raise what its backend raises when away."""

    async def count(self) -> int: ...

    async def find(self, order_id: str, email: str) -> Order | None:
        """The order only if the email is the one on it (compared without case)."""
        ...

    async def orders_of(self, customer_id: str) -> list[Order]:
        """Newest first."""
        ...

    async def cancel(self, order: Order) -> bool:
        """Cancel an order that has not shipped; whether this call cancelled it."""
        ...

    async def request_refund(self, order: Order, now: float | None = None) -> bool:
        """Open a return for a returnable order; whether this call opened it."""
        ...

    async def add(self, order: Order) -> bool:
        """Whether it was added (an order with its id already there is left as it is)."""
        ...

    async def close(self) -> None: ...


class SqliteOrderStore:
    """`SHOPBOT_HOME/orders.db`; each call is one quick statement, run inline."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA, rows=True)

    async def close(self) -> None:
        self._db.close()

    async def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM orders").fetchone()[0])

    async def find(self, order_id: str, email: str) -> Order | None:
        row = self._db.execute(
            "SELECT * FROM orders WHERE id = ? AND email = ?", (order_id, email.strip())
        ).fetchone()
        return Order.from_row(row) if row else None

    async def orders_of(self, customer_id: str) -> list[Order]:
        rows = self._db.execute(
            "SELECT * FROM orders WHERE customer_id = ? ORDER BY placed_at DESC", (customer_id,)
        ).fetchall()
        return [Order.from_row(row) for row in rows]

    async def cancel(self, order: Order) -> bool:
        with self._db:
            cursor = self._db.execute(
                "UPDATE orders SET status = 'cancelled' WHERE id = ? AND status = 'processing'",
                (order.id,),
            )
        return cursor.rowcount == 1

    async def request_refund(self, order: Order, now: float | None = None) -> bool:
        if not order.returnable(now or time.time()):
            return False
        with self._db:
            cursor = self._db.execute(
                "UPDATE orders SET refund_status = 'return_requested', refund_amount = total "
                "WHERE id = ? AND refund_status IS NULL",
                (order.id,),
            )
        return cursor.rowcount == 1

    async def add(self, order: Order) -> bool:
        values = order.columns()
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._db:
            cursor = self._db.execute(
                f"INSERT OR IGNORE INTO orders ({columns}) VALUES ({marks})", tuple(values.values())
            )
        return cursor.rowcount == 1


async def seed_demo_orders(book: OrderBook, catalog: Catalog, now: float | None = None) -> int:
    """Seed an empty book with the demo orders; how many this call added (two instances
    seeding at once add each order once: the ids are fixed and an existing id is kept)."""
    if await book.count():
        return 0
    added = 0
    for order in demo_orders(catalog, now or time.time()):
        added += int(await book.add(order))
    return added


def demo_orders(catalog: Catalog, now: float) -> list[Order]:
    """Orders for the demo customers, deterministic apart from dates (relative to now)."""
    rng = random.Random(7)
    products = [p for p in catalog.popular(limit=60) if p.price]
    orders = []
    for number, (customer, email, address) in enumerate(DEMO_CUSTOMERS):
        for step, (status, age, ship_after, deliver_after) in enumerate(DEMO_LIFECYCLES):
            picked = rng.sample(products, rng.randint(1, 3))
            items = [
                {"product_id": p.id, "title": p.title, "price": p.price, "quantity": 1}
                for p in picked
            ]
            placed = now - age * DAY
            order_id = f"{384920174650000 + number * 100 + step:015d}"
            orders.append(
                Order(
                    id=order_id,
                    customer_id=customer,
                    email=email,
                    status=status,
                    placed_at=placed,
                    shipped_at=placed + ship_after * DAY if ship_after else None,
                    delivered_at=placed + deliver_after * DAY if deliver_after else None,
                    carrier="UPS" if ship_after else None,
                    tracking_number=f"1Z999AA1{order_id[-8:]}" if ship_after else None,
                    shipping_address=address,
                    items=items,
                    total=round(sum(float(p.price or 0) for p in picked), 2),
                    invoice_id=f"INV-2024-{order_id[-6:]}",
                    refund_status=None,
                    refund_amount=None,
                )
            )
    return orders
