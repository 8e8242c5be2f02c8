"""The review store and the alerts, on real SQLite and on the real PostgreSQL (the same
behaviours on both): checks by row, dedupe, batched reading, buckets; the spike monitor raises
one alert per spike with examples; the demo data."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from actions.opinion import AlertStore, OpinionMonitor, SpikeRule, SpikeTracker, SqliteAlertStore
from actions.reviews import (
    ALL,
    DEMO,
    ReviewIn,
    ReviewStore,
    SqliteReviewStore,
    check_rows,
    day_of,
    demo_reviews,
    read_review_file,
)
from bot.reviews_postgres import CLAIM_S, PostgresAlertStore, PostgresReviewStore
from bot.store import Unavailable
from nlu.char_ngrams import NgramRecipe
from nlu.sentiment import TRAIN, ChineseSentiment, EnglishSentiment, SentimentReader, reviews_in
from tests.bot.shared_servers import DATABASE_URL, closed_port, pg_schema

__all__ = ["pg_schema"]  # the fixture, used by name

DAY = 86_400
NOW = time.time()


@pytest.fixture(scope="module")
def reader() -> SentimentReader:
    small = ChineseSentiment.train(reviews_in([TRAIN])[:3000], NgramRecipe(epochs=3))
    return SentimentReader(small, EnglishSentiment())


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A file, or a schema of this test's own."""
    if request.param == "sqlite":
        return str(tmp_path / "reviews.db")
    return str(request.getfixturevalue("pg_schema"))


def open_stores(backend: str) -> tuple[ReviewStore, AlertStore]:
    """The stores anew (another instance) on `backend`."""
    if backend.endswith(".db"):
        return SqliteReviewStore(Path(backend)), SqliteAlertStore(Path(backend))
    return PostgresReviewStore(DATABASE_URL, backend), PostgresAlertStore(DATABASE_URL, backend)


@pytest.fixture
async def stores(backend: str) -> AsyncIterator[tuple[ReviewStore, AlertStore]]:
    reviews, alerts = open_stores(backend)
    yield reviews, alerts
    await reviews.close()
    await alerts.close()


@pytest.fixture
def store(stores: tuple[ReviewStore, AlertStore]) -> ReviewStore:
    return stores[0]


def review(n: int, text: str, product: str = "p1", days_ago: float = 1.0) -> ReviewIn:
    return ReviewIn(
        product_id=product,
        text=text,
        source="shop",
        external_id=f"r{n}",
        created_at=NOW - days_ago * DAY,
    )


def test_bad_rows_are_reported_by_index_with_what_is_wrong() -> None:
    rows = [
        {
            "product_id": "p1",
            "text": "Great",
            "source": "shop",
            "external_id": "1",
            "created_at": "2024-05-01T10:00:00Z",
        },
        {"product_id": "p1", "text": "", "source": "shop", "external_id": "2", "created_at": 1.7e9},
        "not an object",
        {
            "product_id": "p1",
            "text": "ok",
            "source": "shop",
            "external_id": "3",
            "created_at": "yesterday",
            "rating": 9,
        },
        {
            "product_id": "nope",
            "text": "ok",
            "source": "shop",
            "external_id": "4",
            "created_at": 1.7e9,
        },
        {
            "product_id": "p1",
            "text": "ok",
            "source": "shop",
            "external_id": "5",
            "created_at": 1.7e9,
            "password": "x",
        },
    ]
    good, bad = check_rows(enumerate(rows), known_product=lambda pid: pid == "p1")
    assert [r.external_id for r in good] == ["1"]
    assert [e.at for e in bad] == [1, 2, 3, 4, 5]
    assert any("text" in m for m in bad[0].errors)
    assert any("created_at" in m for m in bad[2].errors) and any(
        "rating" in m for m in bad[2].errors
    )
    assert "catalog" in bad[3].errors[0]


async def test_the_same_source_and_id_again_changes_nothing(store: ReviewStore) -> None:
    first = await store.add([review(1, "Great"), review(2, "Bad")])
    assert (first.added, first.duplicates) == (2, 0)
    again = await store.add([review(1, "Edited text"), review(3, "New")])
    assert (again.added, again.duplicates) == (1, 1)
    assert await store.count() == 3 and await store.count("shop") == 3
    assert await store.count("elsewhere") == 0
    assert await store.examples("p1", ALL, 0, NOW + DAY) == []  # nothing read yet
    assert await store.has_unread()


async def test_reading_goes_in_batches_and_fills_labels_aspects_and_buckets(
    store: ReviewStore, reader: SentimentReader
) -> None:
    texts = ["The battery died after a week, terrible.", "Great screen, love it."] * 5
    await store.add([review(i, t) for i, t in enumerate(texts)])
    assert await store.analyse_pending(reader, batch=3) == 10
    assert await store.analyse_pending(reader) == 0
    assert not await store.has_unread()
    buckets = {
        (r["product_id"], r["aspect"]): (r["total"], r["negative"])
        for r in await store.buckets("2000-01-01")
    }
    assert buckets[("p1", ALL)] == (10, 5)
    assert buckets[("p1", "battery")] == (5, 5)
    assert buckets[("p1", "screen")] == (5, 0)
    assert buckets[(ALL, "battery")] == (5, 5)
    worst = await store.examples("p1", "battery", 0, NOW + DAY)
    assert worst and "battery" in worst[0]["text"]
    assert set(worst[0]) == {"id", "product_id", "text", "created_at", "score", "source"}
    [by_day] = await store.sentiment_by_day(0)
    assert (by_day["day"], by_day["language"]) == (day_of(NOW - DAY), "en")
    assert (by_day["total"], by_day["negative"]) == (10, 5) and -1 < by_day["mean_score"] < 1
    products = await store.top_negative(0, "product")
    assert products == [{"name": "p1", "total": 10, "negative": 5}]
    aspects = await store.top_negative(0, "aspect")
    assert {"name": "battery", "total": 5, "negative": 5} in aspects
    assert "screen" not in {row["name"] for row in aspects}  # none negative


def test_files_give_line_numbers(tmp_path: Path) -> None:
    jsonl = tmp_path / "reviews.jsonl"
    jsonl.write_text('{"product_id": "p1"}\n\nnot json\n', encoding="utf-8")
    assert [at for at, _ in read_review_file(jsonl)] == [1, 3]
    csv_file = tmp_path / "reviews.csv"
    csv_file.write_text(
        "product_id,text,rating,source,external_id,created_at\n"
        'p1,"Good, really",5,shop,a1,2024-05-01\n'
        "p1,Bad,,shop,a2,2024-05-02\n",
        encoding="utf-8",
    )
    rows = list(read_review_file(csv_file))
    assert [at for at, _ in rows] == [2, 3]
    good, bad = check_rows(rows)
    assert not bad and good[0].text == "Good, really" and good[1].rating is None


async def _spiky_store(store: ReviewStore, reader: SentimentReader) -> None:
    """Forty days of mostly happy reviews for p1 and p2, then three bad days for p1."""
    n = 0
    rows = []
    for day in range(40, 3, -1):
        for product in ("p1", "p2"):
            for text in (
                "Great sound, love it.",
                "Works perfectly, very happy.",
                "Excellent value.",
                "Arrived late, terrible.",
            ):
                n += 1
                rows.append(review(n, text, product, day))
    for day in (3, 2, 1):
        for _ in range(6):
            n += 1
            rows.append(review(n, "The battery died after a day, awful, returned it.", "p1", day))
    await store.add(rows)
    await store.analyse_pending(reader)


async def test_a_spike_raises_one_alert_with_examples(
    stores: tuple[ReviewStore, AlertStore], reader: SentimentReader
) -> None:
    store, alerts = stores
    await _spiky_store(store, reader)
    monitor = OpinionMonitor(store, alerts, SpikeRule())
    today = day_of(NOW)
    raised = await monitor.check(today)
    keys = {(a.product_id, a.aspect) for a in raised}
    assert ("p1", ALL) in keys and ("p1", "battery") in keys
    assert not any(a.product_id == "p2" for a in raised)
    alert = next(a for a in raised if (a.product_id, a.aspect) == ("p1", ALL))
    assert alert.window_share > alert.baseline_share + 0.15
    assert alert.examples and "battery" in alert.examples[0]["text"]
    assert await monitor.check(today) == []  # the same spike, checked again: no second alert
    shown = await alerts.alerts()
    assert {a.id for a in shown} == {a.id for a in raised}
    assert [a.day for a in shown] == sorted((a.day for a in shown), reverse=True)


def test_a_quiet_store_raises_nothing() -> None:
    tracker = SpikeTracker(SpikeRule())
    for day in range(60):
        counts = {("p1", ALL): (10, 2 + day % 2), (ALL, ALL): (10, 2 + day % 2)}
        opened, _ = tracker.step(
            f"2025-01-{1 + day % 28:02d}"
            if day < 28
            else f"2025-02-{1 + (day - 28) % 28:02d}"
            if day < 56
            else f"2025-03-{day - 55:02d}",
            counts,
        )
        assert opened == []


def test_demo_reviews_span_ninety_days_with_a_planted_spike() -> None:
    rows = demo_reviews(["a", "b", "c"], NOW)
    assert all(r.source == DEMO for r in rows)
    assert len({r.external_id for r in rows}) == len(rows)
    ages = [(NOW - r.created_at) / DAY for r in rows]
    assert max(ages) <= 90 and min(ages) >= 0
    english = [r for r in rows if r.rating is not None]
    assert len(english) == 40
    spike = [r for r in rows if r.product_id == "a" and 10 <= (NOW - r.created_at) / DAY <= 13]
    assert len(spike) >= 24
    assert json.dumps([r.model_dump() for r in rows[:3]], ensure_ascii=False)


def test_a_products_spike_stands_for_its_aspects_spikes_of_the_same_day() -> None:
    tracker = SpikeTracker(SpikeRule())
    quiet = {("p1", ALL): (10, 1), ("p1", "battery"): (5, 0), (ALL, ALL): (40, 4)}
    bad = {("p1", ALL): (10, 9), ("p1", "battery"): (10, 9), (ALL, ALL): (40, 12)}
    opened_by_day = []
    for day in range(1, 29):
        opened, _ = tracker.step(f"2025-02-{day:02d}", bad if day >= 27 else quiet)
        opened_by_day.append([(s.product_id, s.aspect) for s in opened])
    raised = [key for keys in opened_by_day for key in keys]
    assert ("p1", ALL) in raised and ("p1", "battery") not in raised
    assert raised.count(("p1", ALL)) == 1  # the second bad day raises nothing new


async def test_two_instances_see_each_others_reviews_and_alerts(
    backend: str, stores: tuple[ReviewStore, AlertStore], reader: SentimentReader
) -> None:
    here, here_alerts = stores
    there, there_alerts = open_stores(backend)
    try:
        await _spiky_store(here, reader)
        assert await there.count() == await here.count() > 0
        assert not await there.has_unread()
        assert await there.buckets("2000-01-01") == await here.buckets("2000-01-01")
        raised = await OpinionMonitor(here, here_alerts, SpikeRule()).check(day_of(NOW))
        assert raised and await there_alerts.alerts() == await here_alerts.alerts()
        # the other instance knows what is open and what day was checked: nothing new
        assert await OpinionMonitor(there, there_alerts, SpikeRule()).check(day_of(NOW)) == []
    finally:
        await there.close()
        await there_alerts.close()


async def test_two_instances_reading_at_once_count_each_review_once(
    backend: str, store: ReviewStore, reader: SentimentReader
) -> None:
    texts = ["The battery died after a week, terrible.", "Great screen, love it."] * 40
    await store.add([review(i, t) for i, t in enumerate(texts)])
    other, other_alerts = open_stores(backend)
    try:
        done = await asyncio.gather(
            store.analyse_pending(reader, batch=7), other.analyse_pending(reader, batch=7)
        )
    finally:
        await other.close()
        await other_alerts.close()
    assert sum(done) == len(texts)
    buckets = {(r["product_id"], r["aspect"]): r["total"] for r in await store.buckets("2000")}
    assert buckets[("p1", ALL)] == len(texts)
    assert buckets[("p1", "battery")] == buckets[(ALL, "battery")] == len(texts) // 2


async def test_two_instances_checking_at_once_raise_a_spike_once(
    pg_schema: str, reader: SentimentReader
) -> None:
    """On PostgreSQL (the one shared by instances) a check holds the schema's lock."""
    instances = [open_stores(pg_schema) for _ in range(2)]
    try:
        await _spiky_store(instances[0][0], reader)
        monitors = [OpinionMonitor(r, a, SpikeRule()) for r, a in instances]
        raised = await asyncio.gather(*(m.check(day_of(NOW)) for m in monitors))
        keys = [(a.product_id, a.aspect) for alerts in raised for a in alerts]
        assert ("p1", ALL) in keys and len(keys) == len(set(keys))
        assert len(await instances[1][1].alerts()) == len(keys)
    finally:
        for reviews, alerts in instances:
            await reviews.close()
            await alerts.close()


async def test_a_server_that_is_not_there_fails_every_call_fast() -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/test"
    reviews, alerts = PostgresReviewStore(url), PostgresAlertStore(url)
    calls: list[Callable[[], Awaitable[Any]]] = [
        lambda: reviews.add([review(1, "Great")]),
        reviews.has_unread,
        reviews.count,
        lambda: reviews.buckets("2000-01-01"),
        lambda: reviews.examples("p1", ALL, 0, NOW),
        lambda: reviews.top_negative(0, "product"),
        lambda: reviews.sentiment_by_day(0),
        alerts.alerts,
        lambda: alerts.last_checked("spikes"),
    ]
    started = time.monotonic()
    for call in calls:
        with pytest.raises(Unavailable, match=r"PostgreSQL at 127\.0\.0\.1:\d+ does not answer"):
            await call()
    with pytest.raises(Unavailable):
        async with alerts.checking():
            pass
    assert time.monotonic() - started < 10
    await reviews.close()
    await alerts.close()


async def test_a_batch_claimed_by_a_reader_that_died_is_read_once_its_claim_lapses(
    pg_schema: str, reader: SentimentReader
) -> None:
    living, living_alerts = open_stores(pg_schema)
    dead = PostgresReviewStore(DATABASE_URL, pg_schema)
    try:
        await living.add([review(i, "Great screen, love it.") for i in range(5)])
        assert len(await dead._claim(3)) == 3  # claimed, never written: its instance died
        assert await living.analyse_pending(reader) == 2
        # reviews still held elsewhere: no check now, whoever reads them checks after
        monitor = OpinionMonitor(living, living_alerts, SpikeRule())
        assert await monitor.run(reader, day_of(NOW)) == []
        assert await living_alerts.last_checked(OpinionMonitor.CHECK) is None
        connection = await asyncpg.connect(DATABASE_URL)
        try:
            await connection.execute(
                f'UPDATE "{pg_schema}".reviews SET claimed_at = claimed_at - $1', CLAIM_S + 1
            )
        finally:
            await connection.close()
        assert await living.analyse_pending(reader) == 3
        await monitor.run(reader, day_of(NOW))
        assert await living_alerts.last_checked(OpinionMonitor.CHECK) is not None
        buckets = {(r["product_id"], r["aspect"]): r["total"] for r in await living.buckets("2000")}
        assert buckets[("p1", ALL)] == 5
    finally:
        for store in (living, living_alerts, dead):
            await store.close()
