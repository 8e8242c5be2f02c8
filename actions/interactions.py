"""The interaction log the recommender learns from: views, add-to-carts and purchases."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from actions.database import open_database
from actions.orders import Order
from actions.recommender import Interaction

# How much each kind of interaction says about what a shopper wants.
WEIGHTS = {"view": 0.2, "cart": 0.5, "purchase": 1.0}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS interactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('view', 'cart', 'purchase')),
    timestamp REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS interactions_by_customer ON interactions (customer_id, timestamp);
"""


class InteractionLog:
    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA)

    def close(self) -> None:
        self._db.close()

    def log(self, customer_id: str, product_id: str, kind: str, at: float | None = None) -> None:
        if kind not in WEIGHTS:
            raise ValueError(f"unknown interaction kind {kind!r}")
        with self._db:
            self._db.execute(
                "INSERT INTO interactions (customer_id, product_id, kind, timestamp) "
                "VALUES (?, ?, ?, ?)",
                (customer_id, product_id, kind, at if at is not None else time.time()),
            )

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0])

    def history(self, customer_id: str) -> list[Interaction]:
        return self._rows("WHERE customer_id = ?", (customer_id,))

    def all(self) -> list[Interaction]:
        return self._rows("", ())

    def _rows(self, where: str, params: tuple[str, ...]) -> list[Interaction]:
        rows = self._db.execute(
            f"SELECT customer_id, product_id, kind, timestamp FROM interactions {where} "
            "ORDER BY timestamp",
            params,
        ).fetchall()
        return [Interaction(c, p, t, WEIGHTS[k]) for c, p, k, t in rows]


def log_demo_purchases(log: InteractionLog, orders: Iterable[Order]) -> int:
    """Purchases from the demo customers' `orders`, once, so the demo store has behaviour to
    learn from."""
    if log.count():
        return 0
    added = 0
    for order in orders:
        if order.status == "cancelled":
            continue
        for item in order.items:
            log.log(order.customer_id, str(item["product_id"]), "purchase", order.placed_at)
            added += 1
    return added
