"""The demo order store: SQLite, seeded once with orders of demo customers.

Orders are only ever read by order number *and* the email on the order, so a shopper who
knows someone else's order number learns nothing about it.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    def from_row(cls, row: sqlite3.Row) -> Order:
        values = dict(row)
        values["items"] = json.loads(values["items"])
        return cls(**values)

    def returnable(self, now: float, window_days: float = 30) -> bool:
        return (
            self.status == "delivered"
            and self.delivered_at is not None
            and now - self.delivered_at <= window_days * DAY
            and self.refund_status is None
        )


class OrderStore:
    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA, rows=True)

    def close(self) -> None:
        self._db.close()

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM orders").fetchone()[0])

    def find(self, order_id: str, email: str) -> Order | None:
        """The order only if the email is the one on it."""
        row = self._db.execute(
            "SELECT * FROM orders WHERE id = ? AND email = ?", (order_id, email.strip())
        ).fetchone()
        return Order.from_row(row) if row else None

    def orders_of(self, customer_id: str) -> list[Order]:
        rows = self._db.execute(
            "SELECT * FROM orders WHERE customer_id = ? ORDER BY placed_at DESC", (customer_id,)
        ).fetchall()
        return [Order.from_row(row) for row in rows]

    def cancel(self, order: Order) -> bool:
        """Cancel an order that has not shipped; returns whether it was cancelled."""
        with self._db:
            cursor = self._db.execute(
                "UPDATE orders SET status = 'cancelled' WHERE id = ? AND status = 'processing'",
                (order.id,),
            )
        return cursor.rowcount == 1

    def request_refund(self, order: Order, now: float | None = None) -> bool:
        if not order.returnable(now or time.time()):
            return False
        with self._db:
            cursor = self._db.execute(
                "UPDATE orders SET refund_status = 'return_requested', refund_amount = total "
                "WHERE id = ? AND refund_status IS NULL",
                (order.id,),
            )
        return cursor.rowcount == 1

    def add(self, order: Order) -> None:
        values = {**order.__dict__, "items": json.dumps(order.items)}
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._db:
            self._db.execute(
                f"INSERT OR IGNORE INTO orders ({columns}) VALUES ({marks})", tuple(values.values())
            )


def seed_demo_orders(store: OrderStore, catalog: Catalog, now: float | None = None) -> int:
    """Orders for the demo customers, deterministic apart from dates (relative to now)."""
    if store.count():
        return 0
    now = now or time.time()
    rng = random.Random(7)
    products = [p for p in catalog.popular(limit=60) if p.price]
    added = 0
    for number, (customer, email, address) in enumerate(DEMO_CUSTOMERS):
        for step, (status, age, ship_after, deliver_after) in enumerate(DEMO_LIFECYCLES):
            picked = rng.sample(products, rng.randint(1, 3))
            items = [
                {"product_id": p.id, "title": p.title, "price": p.price, "quantity": 1}
                for p in picked
            ]
            placed = now - age * DAY
            order_id = f"{384920174650000 + number * 100 + step:015d}"
            store.add(
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
            added += 1
    return added
