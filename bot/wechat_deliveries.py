"""The WeChat deliveries already taken: each delivery (by MsgId, or sender + CreateTime for
events) for five minutes, with the passive reply it got; WeChat retries a delivery three
times, 5 s apart, and a retry must never start a second turn. Keys are stored as SHA-256
digests. A delivery still unanswered `RUNNING_LEASE_S` after it was taken lost its instance
(a live first attempt starts its turn within WeChat's 5 s or not at all, and answers, `success`
at worst, by the end of its reply budget), so WeChat's second retry takes it over and the shopper
still gets an answer. The shared stores take the time from their server, so instances whose
clocks disagree agree on a claim's age.

`Deliveries` is what the channel calls; `SqliteDeliveries` keeps them in
`SHOPBOT_HOME/wechat.db` (`wechat_deliveries`: instances on one home share it),
`bot.wechat_deliveries_redis` on Redis and `bot.wechat_deliveries_postgres` on PostgreSQL,
so a retry that lands on another instance, with another home, is still the same delivery.
The app's `wechat_deliveries(settings, redis)` picks one.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from actions.database import open_database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wechat_deliveries (
    delivery TEXT PRIMARY KEY,      -- SHA-256 of the MsgId (events: sender + CreateTime)
    received_at REAL NOT NULL,
    reply TEXT                      -- NULL while its turn runs; '' = answered `success`
);
CREATE INDEX IF NOT EXISTS wechat_deliveries_age ON wechat_deliveries (received_at);
"""
DELIVERY_MEMORY_S = 300.0  # WeChat's three retries come within 15 s
# WeChat retries at about 5, 10 and 15 s: the first retry waits for a live first attempt's
# answer (due by 4.5 s), the second takes over one that never came, 5 s past any budget
RUNNING_LEASE_S = 9.5


@dataclass(frozen=True)
class Delivery:
    """What `Deliveries.claim` found: the first delivery runs the turn; a retry gets the
    reply already given (`reply`), or None while the first is still running. `token` names the
    claim a first attempt holds: its answer or its failure counts only while it still holds it
    (an attempt stalled past the lease must not answer, or free, the retry that took over)."""

    first: bool
    reply: str | None = None
    token: str = field(default="", compare=False)


class Deliveries(Protocol):
    """Each delivery taken once, for `DELIVERY_MEMORY_S`. A claim on a shared store that does
    not answer raises `bot.store.Unavailable` (503: WeChat retries later)."""

    async def claim(self, delivery: str) -> Delivery:
        """Take `delivery` for this request, atomically: only one caller ever gets `first`,
        or takes over a claim left unanswered for `RUNNING_LEASE_S`."""
        ...

    async def answered(self, delivery: str, reply: str, token: str) -> None:
        """The reply a retry of `delivery` gets ('' for `success`), if the claim `token`
        still holds it."""
        ...

    async def forget(self, delivery: str, token: str) -> None:
        """Let a retry run again (the first attempt failed), if the claim `token` still
        holds it."""
        ...

    async def close(self) -> None: ...


class SqliteDeliveries:
    """`Deliveries` in `SHOPBOT_HOME/wechat.db`: shared by the instances on one home. Small
    indexed reads and writes (WAL), run inline on the event loop."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA)
        self._lock = threading.Lock()

    async def close(self) -> None:
        self._db.close()

    async def claim(self, delivery: str, now: float | None = None) -> Delivery:
        now = time.time() if now is None else now
        key = digest(delivery)
        with self._lock, self._db:
            self._db.execute(
                "DELETE FROM wechat_deliveries WHERE received_at < ?", (now - DELIVERY_MEMORY_S,)
            )
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO wechat_deliveries VALUES (?, ?, NULL)", (key, now)
            )
            if cursor.rowcount == 1:
                return Delivery(first=True, token=repr(now))
            taken_over = self._db.execute(
                "UPDATE wechat_deliveries SET received_at = ? WHERE delivery = ?"
                " AND reply IS NULL AND received_at < ?",
                (now, key, now - RUNNING_LEASE_S),
            )
            if taken_over.rowcount == 1:
                return Delivery(first=True, token=repr(now))  # its instance died mid-turn
            row = self._db.execute(
                "SELECT reply FROM wechat_deliveries WHERE delivery = ?", (key,)
            ).fetchone()
        return Delivery(first=False, reply=row[0] if row else None)

    async def answered(self, delivery: str, reply: str, token: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "UPDATE wechat_deliveries SET reply = ? WHERE delivery = ?"
                " AND reply IS NULL AND received_at = ?",
                (reply, digest(delivery), stamp_of(token)),
            )

    async def forget(self, delivery: str, token: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "DELETE FROM wechat_deliveries WHERE delivery = ?"
                " AND reply IS NULL AND received_at = ?",
                (digest(delivery), stamp_of(token)),
            )

    async def count(self) -> int:
        """Deliveries remembered."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM wechat_deliveries").fetchone()[0])


def stamp_of(token: str) -> float:
    """The time a claim was taken, from its token; NaN for a token of no claim (no stored
    stamp is NaN, so it matches none)."""
    try:
        return float(token)
    except ValueError:
        return float("nan")


def digest(delivery: str) -> str:
    """What is stored for a delivery key: never the MsgId or OpenID itself."""
    return hashlib.sha256(delivery.encode("utf-8", "surrogatepass")).hexdigest()
