"""The interaction log the recommender learns from: views, add-to-carts and purchases.

`InteractionLog` is what the actions, the shop and `shopbot recommend train` call;
`SqliteInteractionLog` keeps it in `SHOPBOT_HOME/interactions.db` (the default, each call on
a worker thread), `bot.interactions_postgres` in PostgreSQL with `database_url`, so a view
logged at one instance counts for recommendations at every other. The app's
`interaction_log(settings)` picks one; the shop owns it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, Protocol

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


class Logged(NamedTuple):
    """One row as it is written."""

    customer_id: str
    product_id: str
    kind: str
    at: float


class InteractionLog(Protocol):
    """Views, carts and purchases per customer; on a shared store every call may raise
    `bot.store.Unavailable`."""

    async def log(
        self, customer_id: str, product_id: str, kind: str, at: float | None = None
    ) -> None:
        """One interaction (`kind` one of `WEIGHTS`, else `ValueError`), now unless `at`."""
        ...

    async def add_if_empty(self, rows: list[Logged]) -> int:
        """`rows` if the log is empty, else nothing, atomically (two instances seeding at
        once add them once); how many were added."""
        ...

    async def count(self) -> int: ...

    async def history(self, customer_id: str) -> list[Interaction]:
        """A customer's interactions, oldest first."""
        ...

    async def all(self) -> list[Interaction]:
        """Every interaction, oldest first (what the recommender is fit on)."""
        ...

    async def close(self) -> None: ...


class SqliteInteractionLog:
    """`InteractionLog` in one SQLite file (WAL: instances on one home share it); each call on
    a worker thread, one at a time."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA)
        self._lock = threading.Lock()

    async def close(self) -> None:
        await asyncio.to_thread(self._db.close)

    async def log(
        self, customer_id: str, product_id: str, kind: str, at: float | None = None
    ) -> None:
        row = logged(customer_id, product_id, kind, at)
        await asyncio.to_thread(self._insert, [row])

    async def add_if_empty(self, rows: list[Logged]) -> int:
        return await asyncio.to_thread(self._add_if_empty, rows)

    async def count(self) -> int:
        return await asyncio.to_thread(self._count)

    async def history(self, customer_id: str) -> list[Interaction]:
        return await asyncio.to_thread(self._rows, "WHERE customer_id = ?", (customer_id,))

    async def all(self) -> list[Interaction]:
        return await asyncio.to_thread(self._rows, "", ())

    def _insert(self, rows: list[Logged]) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO interactions (customer_id, product_id, kind, timestamp) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )

    def _add_if_empty(self, rows: list[Logged]) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # another process on this home waits
            try:
                empty = self._db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0
                if empty:
                    self._db.executemany(
                        "INSERT INTO interactions (customer_id, product_id, kind, timestamp) "
                        "VALUES (?, ?, ?, ?)",
                        rows,
                    )
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise
        return len(rows) if empty else 0

    def _count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0])

    def _rows(self, where: str, params: tuple[str, ...]) -> list[Interaction]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT customer_id, product_id, kind, timestamp FROM interactions {where} "
                "ORDER BY timestamp, id",
                params,
            ).fetchall()
        return [Interaction(c, p, t, WEIGHTS[k]) for c, p, k, t in rows]


def logged(customer_id: str, product_id: str, kind: str, at: float | None = None) -> Logged:
    """A row to write, checked: an unknown `kind` is a `ValueError`."""
    if kind not in WEIGHTS:
        raise ValueError(f"unknown interaction kind {kind!r}")
    return Logged(customer_id, product_id, kind, time.time() if at is None else at)


async def log_demo_purchases(log: InteractionLog, orders: Iterable[Order]) -> int:
    """Purchases from the demo customers' `orders`, once, so the demo store has behaviour to
    learn from."""
    rows = [
        logged(order.customer_id, str(item["product_id"]), "purchase", order.placed_at)
        for order in orders
        if order.status != "cancelled"
        for item in order.items
    ]
    return await log.add_if_empty(rows)
