"""Opinion monitoring: the spike rule over the daily opinion buckets, and its alerts.

For each product and aspect (a review's aspect `*` is the whole review; product `*` is the
whole store) the rule compares the negative share of the last `window_days` with the
key's own baseline, the `baseline_days` before the window. The baseline is smoothed
towards the store's share over the same days (`prior_weight` reviews' worth), so a product
with three earlier reviews does not have a baseline of 0 or 1. A key spikes when its window
holds at least `min_items` reviews, its share is over the baseline by `margin`, and that
many negatives are unlikely by chance (`min_z` binomial standard deviations).

One alert per spike: while a key's alert is open it is not raised again; it closes once the
key's share is back under baseline + margin / 2 (or its window holds too few reviews).
A product's own spike stands for its aspects' spikes of the same day. `SpikeTracker` is
that rule as a pure state machine, so `bench/spikes.py` replays a stream
through exactly what the service runs; `OpinionMonitor` adds the stores: the reviews' buckets
and an `AlertStore` (`opinion_alerts` in reviews.db here, PostgreSQL in `bot.reviews_postgres`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, Field

from actions.database import open_database
from actions.reviews import ALL, ReviewStore, SentimentReading

Key = tuple[str, str]  # (product_id, aspect)
Counts = dict[Key, tuple[int, int]]  # key -> (total, negative) of one day
T = TypeVar("T")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS opinion_alerts (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL,
    aspect TEXT NOT NULL,
    day TEXT NOT NULL,
    window_total INTEGER NOT NULL,
    window_share REAL NOT NULL,
    baseline_share REAL NOT NULL,
    examples TEXT NOT NULL,
    raised_at REAL NOT NULL,
    closed_day TEXT
);
CREATE TABLE IF NOT EXISTS opinion_checks (name TEXT PRIMARY KEY, day TEXT NOT NULL);
"""


class SpikeRule(BaseModel):
    """When a key's negative share is a spike (see the module's docstring)."""

    window_days: int = Field(3, ge=1, le=30)
    baseline_days: int = Field(28, ge=3, le=365)
    margin: float = Field(0.15, gt=0, lt=1, description="over the baseline share, absolute")
    min_items: int = Field(8, ge=1, description="reviews in the window, at least")
    prior_weight: float = Field(10.0, ge=0, description="the store's share, in reviews")
    # and unlikely by chance: the window's negatives this many standard deviations over
    # what the baseline share predicts for its size (binomial), so small keys need more
    min_z: float = Field(2.5, ge=0)


@dataclass(frozen=True)
class Spike:
    product_id: str
    aspect: str
    day: str
    window_total: int
    window_share: float
    baseline_share: float


def _days_back(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=days)).isoformat()


@dataclass
class SpikeTracker:
    """The rule over a stream of days: `step(day, counts)` with each day's buckets, in
    order, returns the spikes that open that day (keys whose alert is open are skipped)."""

    rule: SpikeRule
    history: dict[str, Counts] = field(default_factory=dict)
    open_keys: set[Key] = field(default_factory=set)

    def step(self, day: str, counts: Counts) -> tuple[list[Spike], list[Key]]:
        self.history[day] = counts
        oldest = _days_back(day, self.rule.window_days + self.rule.baseline_days)
        for old in [d for d in self.history if d <= oldest]:
            del self.history[old]
        window, baseline = self._sums(day)
        opened: list[Spike] = []
        closed: list[Key] = []
        for key in sorted(set(window) | self.open_keys):
            total, negative = window.get(key, (0, 0))
            base_total, base_negative = baseline.get(key, (0, 0))
            prior = _store_share(baseline, key[1])
            weight = self.rule.prior_weight
            base_share = (
                (base_negative + prior * weight) / (base_total + weight)
                if (base_total + weight)
                else prior
            )
            share = negative / total if total else 0.0
            if key in self.open_keys:
                if total < self.rule.min_items or share < base_share + self.rule.margin / 2:
                    self.open_keys.discard(key)
                    closed.append(key)
            elif (
                total >= self.rule.min_items
                and share >= base_share + self.rule.margin
                and _z(negative, total, base_share) >= self.rule.min_z
            ):
                self.open_keys.add(key)
                opened.append(
                    Spike(key[0], key[1], day, total, round(share, 4), round(base_share, 4))
                )
        # a product's own spike stands for its aspects' spikes of the same day: one alert
        # (their keys stay open, so they do not raise one tomorrow either)
        whole = {s.product_id for s in opened if s.aspect == ALL and s.product_id != ALL}
        return [s for s in opened if s.aspect == ALL or s.product_id not in whole], closed

    def _sums(self, day: str) -> tuple[dict[Key, tuple[int, int]], dict[Key, tuple[int, int]]]:
        window_start = _days_back(day, self.rule.window_days)
        window: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
        baseline: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
        for past, counts in self.history.items():
            target = window if past > window_start else baseline
            for key, (total, negative) in counts.items():
                target[key][0] += total
                target[key][1] += negative
        return (
            {k: (v[0], v[1]) for k, v in window.items()},
            {k: (v[0], v[1]) for k, v in baseline.items()},
        )


def _store_share(baseline: dict[Key, tuple[int, int]], aspect: str) -> float:
    """The whole store's negative share for `aspect` over the baseline days (or for every
    review, or 0.2 before there are any): what a key with few reviews of its own leans to."""
    for key in ((ALL, aspect), (ALL, ALL)):
        total, negative = baseline.get(key, (0, 0))
        if total:
            return negative / total
    return 0.2


def _z(negative: int, total: int, share: float) -> float:
    """How unusual `negative` of `total` is for a binomial with `share`."""
    spread = math.sqrt(total * share * (1 - share)) or 1e-9
    return (negative - total * share) / spread


def days_between(first: str, last: str) -> list[str]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


@dataclass(frozen=True)
class Alert:
    id: int
    product_id: str
    aspect: str
    day: str
    window_total: int
    window_share: float
    baseline_share: float
    examples: list[dict[str, Any]]
    raised_at: float
    closed_day: str | None

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


class AlertStore(Protocol):
    """The alerts and the last day checked; every call may raise what its backend raises
    when away."""

    def checking(self) -> AbstractAsyncContextManager[None]:
        """Held around a whole check, so two checks at once (two instances, the CLI) do
        not both raise the same spike."""
        ...

    async def last_checked(self, name: str) -> str | None: ...

    async def set_checked(self, name: str, day: str) -> None: ...

    async def open_keys(self) -> set[Key]: ...

    async def close_alert(self, key: Key, day: str) -> None:
        """The key's open alert closed on `day`."""
        ...

    async def add(self, spike: Spike, examples: list[dict[str, Any]]) -> Alert | None:
        """The alert, or None when the key's alert is open already."""
        ...

    async def alerts(self, limit: int = 20) -> list[Alert]:
        """The newest alerts first (open and closed)."""
        ...

    async def close(self) -> None: ...


class SqliteAlertStore:
    """`opinion_alerts` and `opinion_checks` (in reviews.db); each call on a worker thread."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA, rows=True)
        self._lock = threading.Lock()
        self._checking = asyncio.Lock()

    async def close(self) -> None:
        # under the lock: a worker thread still inside a query (its task was cancelled, the
        # thread was not) finishes first; a later call gets an error, never a freed handle
        await asyncio.to_thread(self._run, lambda: self._db.close())

    @asynccontextmanager
    async def checking(self) -> AsyncIterator[None]:
        async with self._checking:
            yield

    async def last_checked(self, name: str) -> str | None:
        rows = await self._rows("SELECT day FROM opinion_checks WHERE name = ?", (name,))
        return str(rows[0]["day"]) if rows else None

    async def set_checked(self, name: str, day: str) -> None:
        await self._write("INSERT OR REPLACE INTO opinion_checks VALUES (?, ?)", (name, day))

    async def open_keys(self) -> set[Key]:
        rows = await self._rows(
            "SELECT product_id, aspect FROM opinion_alerts WHERE closed_day IS NULL", ()
        )
        return {(row["product_id"], row["aspect"]) for row in rows}

    async def close_alert(self, key: Key, day: str) -> None:
        await self._write(
            "UPDATE opinion_alerts SET closed_day = ? WHERE product_id = ? AND aspect = ?"
            " AND closed_day IS NULL",
            (day, *key),
        )

    async def add(self, spike: Spike, examples: list[dict[str, Any]]) -> Alert | None:
        if spike_key(spike) in await self.open_keys():
            return None
        alert_id = await self._write(
            "INSERT INTO opinion_alerts (product_id, aspect, day, window_total, window_share,"
            " baseline_share, examples, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            alert_row(spike, examples),
        )
        [row] = await self._rows("SELECT * FROM opinion_alerts WHERE id = ?", (alert_id,))
        return alert_of(row)

    async def alerts(self, limit: int = 20) -> list[Alert]:
        rows = await self._rows(
            "SELECT * FROM opinion_alerts ORDER BY day DESC, id DESC LIMIT ?", (limit,)
        )
        return [alert_of(row) for row in rows]

    async def _rows(self, query: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        def fetch() -> list[dict[str, Any]]:
            return [dict(row) for row in self._db.execute(query, params).fetchall()]

        return await asyncio.to_thread(self._run, fetch)

    async def _write(self, statement: str, params: tuple[Any, ...]) -> int:
        """The new row's id (of an INSERT)."""

        def write() -> int:
            with self._db:
                return int(self._db.execute(statement, params).lastrowid or 0)

        return await asyncio.to_thread(self._run, write)

    def _run(self, call: Callable[[], T]) -> T:
        with self._lock:
            return call()


def spike_key(spike: Spike) -> Key:
    return (spike.product_id, spike.aspect)


def alert_row(spike: Spike, examples: list[dict[str, Any]]) -> tuple[Any, ...]:
    """An alert's columns from product_id to raised_at, as both stores insert them."""
    return (
        spike.product_id,
        spike.aspect,
        spike.day,
        spike.window_total,
        spike.window_share,
        spike.baseline_share,
        json.dumps(examples, ensure_ascii=False),
        time.time(),
    )


class OpinionMonitor:
    """Reads new reviews, steps the spike rule over the days not checked yet, and keeps the
    alerts in `alerts`."""

    CHECK = "spikes"
    MAX_CATCH_UP_DAYS = 120

    def __init__(self, reviews: ReviewStore, alerts: AlertStore, rule: SpikeRule) -> None:
        self.reviews = reviews
        self.alerts = alerts
        self.rule = rule

    async def run(self, reader: SentimentReading, today: str | None = None) -> list[Alert]:
        """Read the reviews not read yet, then check every day up to `today`; the alerts
        raised now are returned (to be posted). While another instance still reads some,
        it checks once they are read: a check now would decide their days without them."""
        await self.reviews.analyse_pending(reader)
        if await self.reviews.has_unread():
            return []
        return await self.check(today or dt.datetime.now(dt.UTC).date().isoformat())

    async def check(self, today: str) -> list[Alert]:
        """Replays the rule from the baseline before the last checked day up to `today`,
        so open alerts and the window are those the rule had; raises what is new. One
        check at a time, whichever instance runs it."""
        async with self.alerts.checking():
            return await self._check(today)

    async def _check(self, today: str) -> list[Alert]:
        last = await self.alerts.last_checked(self.CHECK)
        span = self.rule.window_days + self.rule.baseline_days
        first = _days_back(last or today, span if last else self.MAX_CATCH_UP_DAYS)
        first = max(first, _days_back(today, self.MAX_CATCH_UP_DAYS + span))
        by_day: dict[str, Counts] = defaultdict(dict)
        for row in await self.reviews.buckets(first):
            by_day[row["day"]][(row["product_id"], row["aspect"])] = (row["total"], row["negative"])
        tracker = SpikeTracker(self.rule, open_keys=await self.alerts.open_keys())
        raised: list[Alert] = []
        for day in days_between(first, today):
            opened, closed = tracker.step(day, by_day.get(day, {}))
            if last is not None and day <= last:
                continue  # already decided on an earlier check; only the window is rebuilt
            for key in closed:
                await self.alerts.close_alert(key, day)
            for spike in opened:
                alert = await self._raise(spike)
                raised += [alert] if alert is not None else []
        # today is not over: it is stepped again on every check, so reviews arriving later
        # today can still raise its alert (an open alert is never raised twice)
        await self.alerts.set_checked(self.CHECK, _days_back(today, 1))
        return raised

    async def _raise(self, spike: Spike) -> Alert | None:
        until = dt.datetime.fromisoformat(spike.day).replace(tzinfo=dt.UTC).timestamp() + 86_400
        since = until - self.rule.window_days * 86_400
        examples = await self.reviews.examples(spike.product_id, spike.aspect, since, until)
        return await self.alerts.add(spike, examples)


def alert_of(row: Any) -> Alert:
    return Alert(
        id=row["id"],
        product_id=row["product_id"],
        aspect=row["aspect"],
        day=row["day"],
        window_total=row["window_total"],
        window_share=row["window_share"],
        baseline_share=row["baseline_share"],
        examples=json.loads(row["examples"]),
        raised_at=row["raised_at"],
        closed_day=row["closed_day"],
    )


def alert_text(alert: Alert, product_title: str | None = None) -> str:
    """One alert as a few lines of plain text (Slack, the report); quotes cut to 160 chars."""
    product = "the whole store" if alert.product_id == ALL else (product_title or alert.product_id)
    aspect = "" if alert.aspect == ALL else f" about {alert.aspect}"
    lines = [
        f"Negative opinion spike{aspect} for {product} on {alert.day}: "
        f"{alert.window_share:.0%} negative of {alert.window_total} reviews "
        f"(usually {alert.baseline_share:.0%})."
    ]
    lines += [f"> {str(example['text'])[:160]}" for example in alert.examples]
    return "\n".join(lines)


async def prepare_opinion(reviews: ReviewStore, catalog_db: Path, demo: bool) -> None:
    """First-start work for `shopbot serve`: with `demo` and no reviews yet, the demo reviews
    on the catalog's laptops (a second; two instances starting at once add each review once,
    by its (source, external_id)). The Chinese sentiment model is not trained here: the
    service's worker trains it in a thread the first time there is something to read (a
    minute or two, once; then cached under `models`), so startup never waits for it."""
    from actions.catalog import Catalog
    from actions.reviews import DEMO_PRODUCTS, demo_reviews

    if not demo or await reviews.count() > 0:
        return
    catalog = Catalog(catalog_db)
    try:
        ranked = sorted(catalog.all(), key=lambda p: -p.review_count)
    finally:
        catalog.close()
    computers = [
        p.id
        for p in ranked
        if "laptop" in p.category.lower() and "protection" not in p.title.lower()
    ][:8]
    computers = computers or [p.id for p in ranked[:8]]
    others = [p.id for p in ranked if p.id not in computers][: DEMO_PRODUCTS - 8]
    if computers:
        await reviews.add(demo_reviews(computers, time.time(), english_products=computers + others))
