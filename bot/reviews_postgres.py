"""Reviews and opinion alerts on PostgreSQL (asyncpg), so a review imported at one instance,
or an alert raised at one, is what every instance's dashboard shows: `<schema>.reviews`,
`review_aspects`, `opinion_buckets`, `opinion_alerts` and `opinion_checks`, the SQLite tables'
columns (migration versions 401-439; the satisfaction votes take 441-459).

Two instances reading reviews at once never count one twice: each claims a batch (`FOR UPDATE
SKIP LOCKED`, a claim lapsing after `CLAIM_S` should its reader die) and writes its readings
with `... AND label IS NULL`, so a review whose claim lapsed and was read meanwhile is skipped.
Bucket rows are added to in key order, so two writers never wait on each other in a cycle.
A spike check holds a session advisory lock of the schema's own, and at most one alert per key
is open (a unique index), so two instances checking at once raise a spike once. Like the other
PostgreSQL stores, the pool connects on first use and every call fails within seconds with
`Unavailable` while the server does not answer.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from actions.opinion import Alert, Key, Spike, alert_of, alert_row
from actions.reviews import (
    ANALYSE_BATCH,
    ImportReport,
    Reading,
    ReviewIn,
    SentimentReading,
    examples_query,
    read_reviews,
    top_negative_query,
)
from bot.postgres import LazyDatabase, Migrations, quote

CLAIM_S = 300.0  # a batch claimed this long ago and still unread is taken again
CHECK_WAIT_S = 60.0  # for another instance's spike check to end

# versions 401-419 of `shopbot_migrations`. Append, never edit.
REVIEW_MIGRATIONS: Migrations = (
    (
        401,
        """
        CREATE TABLE {schema}.reviews (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source TEXT NOT NULL,
            external_id TEXT NOT NULL,
            product_id TEXT NOT NULL,
            text TEXT NOT NULL,
            rating DOUBLE PRECISION,
            created_at DOUBLE PRECISION NOT NULL,
            imported_at DOUBLE PRECISION NOT NULL,
            language TEXT,
            score DOUBLE PRECISION,
            label TEXT,
            claimed_at DOUBLE PRECISION,
            UNIQUE (source, external_id)
        );
        CREATE INDEX reviews_unread ON {schema}.reviews (id) WHERE label IS NULL;
        CREATE INDEX reviews_product ON {schema}.reviews (product_id, created_at);
        CREATE TABLE {schema}.review_aspects (
            review_id BIGINT NOT NULL REFERENCES {schema}.reviews (id),
            aspect TEXT NOT NULL,
            score DOUBLE PRECISION NOT NULL,
            label TEXT NOT NULL,
            clause TEXT NOT NULL,
            PRIMARY KEY (review_id, aspect)
        );
        CREATE TABLE {schema}.opinion_buckets (
            day TEXT NOT NULL,
            product_id TEXT NOT NULL,
            aspect TEXT NOT NULL,
            total INTEGER NOT NULL,
            negative INTEGER NOT NULL,
            PRIMARY KEY (day, product_id, aspect)
        );
        """,
    ),
)
# versions 421-439
ALERT_MIGRATIONS: Migrations = (
    (
        421,
        """
        CREATE TABLE {schema}.opinion_alerts (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            product_id TEXT NOT NULL,
            aspect TEXT NOT NULL,
            day TEXT NOT NULL,
            window_total INTEGER NOT NULL,
            window_share DOUBLE PRECISION NOT NULL,
            baseline_share DOUBLE PRECISION NOT NULL,
            examples TEXT NOT NULL,
            raised_at DOUBLE PRECISION NOT NULL,
            closed_day TEXT
        );
        CREATE UNIQUE INDEX opinion_alerts_open
            ON {schema}.opinion_alerts (product_id, aspect) WHERE closed_day IS NULL;
        CREATE TABLE {schema}.opinion_checks (name TEXT PRIMARY KEY, day TEXT NOT NULL);
        """,
    ),
)


def numbered(query: str) -> str:
    """A query written with `?` marks (SQLite's) with asyncpg's `$1`, `$2`, ... instead."""
    parts = query.split("?")
    marks = (f"${n}" for n in itertools.count(1))
    return "".join(part + next(marks) for part in parts[:-1]) + parts[-1]


class PostgresReviewStore:
    """The reviews, their aspects and the daily buckets, shared by every instance."""

    def __init__(self, url: str, schema: str = "public", max_connections: int = 4) -> None:
        self._schema = quote(schema)
        self._database = LazyDatabase(url, schema, REVIEW_MIGRATIONS, "reviews", max_connections)

    async def close(self) -> None:
        await self._database.close()

    async def add(self, reviews: list[ReviewIn]) -> ImportReport:
        columns = ("source", "external_id", "product_id", "text", "rating", "created_at")
        values = [[getattr(review, column) for review in reviews] for column in columns]
        async with self._database.connection() as connection:
            added = await connection.fetch(
                f"INSERT INTO {self._schema}.reviews ({', '.join(columns)}, imported_at)"
                " SELECT *, $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
                " $5::float8[], $6::float8[]) ON CONFLICT (source, external_id) DO NOTHING"
                " RETURNING id",
                *values,
                time.time(),
            )
        return ImportReport(added=len(added), duplicates=len(reviews) - len(added))

    async def has_unread(self) -> bool:
        async with self._database.connection() as connection:
            return bool(
                await connection.fetchval(
                    f"SELECT EXISTS (SELECT 1 FROM {self._schema}.reviews WHERE label IS NULL)"
                )
            )

    async def analyse_pending(self, reader: SentimentReading, batch: int = ANALYSE_BATCH) -> int:
        done = 0
        while rows := await self._claim(batch):
            readings = await asyncio.to_thread(read_reviews, rows, reader)
            done += await self._write(readings)
        return done

    async def _claim(self, batch: int) -> list[Any]:
        """Up to `batch` unread reviews no other reader holds, now held by this one."""
        now = time.time()
        async with self._database.connection() as connection:
            rows = await connection.fetch(
                f"UPDATE {self._schema}.reviews SET claimed_at = $1 WHERE id IN ("
                f" SELECT id FROM {self._schema}.reviews WHERE label IS NULL"
                " AND (claimed_at IS NULL OR claimed_at < $2) ORDER BY id LIMIT $3"
                " FOR UPDATE SKIP LOCKED) RETURNING id, product_id, text, created_at",
                now,
                now - CLAIM_S,
                batch,
            )
        return sorted(rows, key=lambda row: row["id"])

    async def _write(self, readings: list[Reading]) -> int:
        """The readings of reviews still unread, in one transaction; how many."""
        schema = self._schema
        async with self._database.connection() as connection, connection.transaction():
            updated = await connection.fetch(
                f"UPDATE {schema}.reviews AS r SET language = v.language, score = v.score,"
                " label = v.label, claimed_at = NULL FROM unnest($1::bigint[], $2::text[],"
                " $3::float8[], $4::text[]) AS v (id, language, score, label)"
                " WHERE r.id = v.id AND r.label IS NULL RETURNING r.id",
                [reading.review_id for reading in readings],
                [reading.sentiment.language for reading in readings],
                [reading.sentiment.score for reading in readings],
                [reading.sentiment.label for reading in readings],
            )
            mine = {row["id"] for row in updated}
            written = [reading for reading in readings if reading.review_id in mine]
            await connection.executemany(
                f"INSERT INTO {schema}.review_aspects VALUES ($1, $2, $3, $4, $5)"
                " ON CONFLICT (review_id, aspect) DO UPDATE SET score = excluded.score,"
                " label = excluded.label, clause = excluded.clause",
                [(reading.review_id, *aspect) for reading in written for aspect in reading.aspects],
            )
            counts: Counter[tuple[str, str, str]] = Counter()
            totals: Counter[tuple[str, str, str]] = Counter()
            for reading in written:
                for day, product_id, aspect, negative in reading.counts():
                    totals[(day, product_id, aspect)] += 1
                    counts[(day, product_id, aspect)] += negative
            await connection.executemany(
                f"INSERT INTO {schema}.opinion_buckets AS b VALUES ($1, $2, $3, $4, $5)"
                " ON CONFLICT (day, product_id, aspect) DO UPDATE SET"
                " total = b.total + excluded.total, negative = b.negative + excluded.negative",
                [(*key, totals[key], counts[key]) for key in sorted(totals)],
            )
        return len(written)

    async def buckets(self, since_day: str) -> list[dict[str, Any]]:
        return await self._rows(
            f"SELECT day, product_id, aspect, total, negative FROM {self._schema}.opinion_buckets"
            " WHERE day >= ? ORDER BY day",
            since_day,
        )

    async def examples(
        self, product_id: str, aspect: str, since: float, until: float, limit: int = 3
    ) -> list[dict[str, Any]]:
        query, params = examples_query(product_id, aspect, since, until, limit, f"{self._schema}.")
        return await self._rows(query, *params)

    async def count(self, source: str | None = None) -> int:
        if source is None:
            rows = await self._rows(f"SELECT count(*) AS n FROM {self._schema}.reviews")
        else:
            rows = await self._rows(
                f"SELECT count(*) AS n FROM {self._schema}.reviews WHERE source = ?", source
            )
        return int(rows[0]["n"])

    async def sentiment_by_day(self, since: float) -> list[dict[str, Any]]:
        return await self._rows(
            "SELECT to_char(to_timestamp(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,"
            " language, count(*) AS total, avg(score) AS mean_score,"
            f" count(*) FILTER (WHERE label = 'negative') AS negative FROM {self._schema}.reviews"
            " WHERE label IS NOT NULL AND created_at >= ? GROUP BY 1, language"
            " ORDER BY 1, language",
            since,
        )

    async def top_negative(self, since: float, by: str, limit: int = 8) -> list[dict[str, Any]]:
        return await self._rows(top_negative_query(by, f"{self._schema}."), since, limit)

    async def _rows(self, query: str, *params: Any) -> list[dict[str, Any]]:
        """`query` with `?` marks."""
        async with self._database.connection() as connection:
            rows = await connection.fetch(numbered(query), *params)
        return [dict(row) for row in rows]


class PostgresAlertStore:
    """`opinion_alerts` and `opinion_checks`, shared by every instance."""

    def __init__(self, url: str, schema: str = "public", max_connections: int = 3) -> None:
        self._schema = quote(schema)
        self._lock_name = f"{schema}.opinion_check"
        # `checking` holds a session advisory lock: its connections get the full reset
        self._database = LazyDatabase(
            url, schema, ALERT_MIGRATIONS, "alerts", max_connections, session_state=True
        )

    async def close(self) -> None:
        await self._database.close()

    @asynccontextmanager
    async def checking(self) -> AsyncIterator[None]:
        """The schema's check lock, on a connection of its own for the whole check (the
        server lets it go should this instance die)."""
        async with self._database.connection() as connection:
            await connection.execute(
                "SELECT pg_advisory_lock(hashtext($1))", self._lock_name, timeout=CHECK_WAIT_S
            )
            try:
                yield
            finally:
                await connection.execute("SELECT pg_advisory_unlock(hashtext($1))", self._lock_name)

    async def last_checked(self, name: str) -> str | None:
        async with self._database.connection() as connection:
            day = await connection.fetchval(
                f"SELECT day FROM {self._schema}.opinion_checks WHERE name = $1", name
            )
        return None if day is None else str(day)

    async def set_checked(self, name: str, day: str) -> None:
        async with self._database.connection() as connection:
            await connection.execute(
                f"INSERT INTO {self._schema}.opinion_checks VALUES ($1, $2)"
                " ON CONFLICT (name) DO UPDATE SET day = excluded.day",
                name,
                day,
            )

    async def open_keys(self) -> set[Key]:
        async with self._database.connection() as connection:
            rows = await connection.fetch(
                f"SELECT product_id, aspect FROM {self._schema}.opinion_alerts"
                " WHERE closed_day IS NULL"
            )
        return {(row["product_id"], row["aspect"]) for row in rows}

    async def close_alert(self, key: Key, day: str) -> None:
        async with self._database.connection() as connection:
            await connection.execute(
                f"UPDATE {self._schema}.opinion_alerts SET closed_day = $1"
                " WHERE product_id = $2 AND aspect = $3 AND closed_day IS NULL",
                day,
                *key,
            )

    async def add(self, spike: Spike, examples: list[dict[str, Any]]) -> Alert | None:
        async with self._database.connection() as connection:
            row = await connection.fetchrow(
                f"INSERT INTO {self._schema}.opinion_alerts (product_id, aspect, day,"
                " window_total, window_share, baseline_share, examples, raised_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (product_id, aspect)"
                " WHERE closed_day IS NULL DO NOTHING RETURNING *",
                *alert_row(spike, examples),
            )
        return None if row is None else alert_of(row)

    async def alerts(self, limit: int = 20) -> list[Alert]:
        async with self._database.connection() as connection:
            rows = await connection.fetch(
                f"SELECT * FROM {self._schema}.opinion_alerts ORDER BY day DESC, id DESC LIMIT $1",
                limit,
            )
        return [alert_of(row) for row in rows]
