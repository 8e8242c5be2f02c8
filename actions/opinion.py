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
through exactly what the service runs; `OpinionMonitor` adds the database.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from actions.database import open_database
from actions.reviews import ALL, ReviewStore, SentimentReading

Key = tuple[str, str]  # (product_id, aspect)
Counts = dict[Key, tuple[int, int]]  # key -> (total, negative) of one day
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


class OpinionMonitor:
    """Reads new reviews, steps the spike rule over the days not checked yet, and keeps the
    alerts (`opinion_alerts` in reviews.db). Blocking: call it from a worker thread."""

    CHECK = "spikes"
    MAX_CATCH_UP_DAYS = 120

    def __init__(self, reviews: ReviewStore, path: Path, rule: SpikeRule) -> None:
        self.reviews = reviews
        self.rule = rule
        self._db = open_database(path, _SCHEMA, rows=True)
        self._lock = threading.Lock()

    def close(self) -> None:
        # under the lock: a worker thread still inside a query (its task was cancelled, the
        # thread was not) finishes first; a later call gets an error, never a freed handle
        with self._lock:
            self._db.close()

    def run(self, reader: SentimentReading, today: str | None = None) -> list[Alert]:
        """Read the reviews not read yet, then check every day up to `today`; the alerts
        raised now are returned (to be posted)."""
        self.reviews.analyse_pending(reader)
        return self.check(today or dt.datetime.now(dt.UTC).date().isoformat())

    def check(self, today: str) -> list[Alert]:
        """Replays the rule from the baseline before the last checked day up to `today`,
        so open alerts and the window are those the rule had; raises what is new."""
        last = self._last_checked()
        span = self.rule.window_days + self.rule.baseline_days
        first = _days_back(last or today, span if last else self.MAX_CATCH_UP_DAYS)
        first = max(first, _days_back(today, self.MAX_CATCH_UP_DAYS + span))
        by_day: dict[str, Counts] = defaultdict(dict)
        for row in self.reviews.buckets(first):
            by_day[row["day"]][(row["product_id"], row["aspect"])] = (row["total"], row["negative"])
        tracker = SpikeTracker(self.rule, open_keys=self._open_keys())
        raised: list[Alert] = []
        for day in days_between(first, today):
            opened, closed = tracker.step(day, by_day.get(day, {}))
            if last is not None and day <= last:
                continue  # already decided on an earlier check; only the window is rebuilt
            for key in closed:
                self._close(key, day)
            raised.extend(self._raise(spike) for spike in opened)
        # today is not over: it is stepped again on every check, so reviews arriving later
        # today can still raise its alert (an open alert is never raised twice)
        self._checked(_days_back(today, 1))
        return raised

    def _raise(self, spike: Spike) -> Alert:
        until = dt.datetime.fromisoformat(spike.day).replace(tzinfo=dt.UTC).timestamp() + 86_400
        since = until - self.rule.window_days * 86_400
        examples = self.reviews.examples(spike.product_id, spike.aspect, since, until)
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO opinion_alerts (product_id, aspect, day, window_total, window_share,"
                " baseline_share, examples, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    spike.product_id,
                    spike.aspect,
                    spike.day,
                    spike.window_total,
                    spike.window_share,
                    spike.baseline_share,
                    json.dumps(examples, ensure_ascii=False),
                    time.time(),
                ),
            )
            alert_id = int(cursor.lastrowid or 0)
        return self._alert(alert_id)

    def _close(self, key: Key, day: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "UPDATE opinion_alerts SET closed_day = ? WHERE product_id = ? AND aspect = ?"
                " AND closed_day IS NULL",
                (day, *key),
            )

    def _open_keys(self) -> set[Key]:
        with self._lock:
            rows = self._db.execute(
                "SELECT product_id, aspect FROM opinion_alerts WHERE closed_day IS NULL"
            ).fetchall()
        return {(row[0], row[1]) for row in rows}

    def _last_checked(self) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT day FROM opinion_checks WHERE name = ?", (self.CHECK,)
            ).fetchone()
        return str(row[0]) if row else None

    def _checked(self, day: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO opinion_checks VALUES (?, ?)", (self.CHECK, day)
            )

    def _alert(self, alert_id: int) -> Alert:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM opinion_alerts WHERE id = ?", (alert_id,)
            ).fetchone()
        return _alert_of(row)

    def alerts(self, limit: int = 20) -> list[Alert]:
        """The newest alerts first (open and closed)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM opinion_alerts ORDER BY day DESC, id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_alert_of(row) for row in rows]


def _alert_of(row: Any) -> Alert:
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


def prepare_opinion(home: Path, models: Path, catalog_db: Path, demo: bool) -> None:
    """First-start work for `shopbot serve`: with `demo` and no reviews yet, the demo reviews
    on the catalog's laptops (a second). The Chinese sentiment model is not trained here:
    the service's worker trains it in a thread the first time there is something to read
    (a minute or two, once; then cached under `models`), so startup never waits for it."""
    from actions.catalog import Catalog
    from actions.reviews import DEMO_PRODUCTS, demo_reviews

    if not demo:
        return
    store = ReviewStore(home / "reviews.db")
    catalog = Catalog(catalog_db)
    try:
        if store.count() == 0:
            ranked = sorted(catalog.all(), key=lambda p: -p.review_count)
            computers = [
                p.id
                for p in ranked
                if "laptop" in p.category.lower() and "protection" not in p.title.lower()
            ][:8]
            computers = computers or [p.id for p in ranked[:8]]
            others = [p.id for p in ranked if p.id not in computers][: DEMO_PRODUCTS - 8]
            if computers:
                rows = demo_reviews(computers, time.time(), english_products=computers + others)
                store.add(rows)
    finally:
        catalog.close()
        store.close()
