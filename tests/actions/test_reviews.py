"""The review store (real SQLite): checks by row, dedupe, batched reading, buckets; the spike
monitor raises one alert per spike with examples; the demo data."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from actions.opinion import OpinionMonitor, SpikeRule, SpikeTracker
from actions.reviews import (
    ALL,
    DEMO,
    ReviewIn,
    ReviewStore,
    check_rows,
    day_of,
    demo_reviews,
    read_review_file,
)
from nlu.char_ngrams import NgramRecipe
from nlu.sentiment import TRAIN, ChineseSentiment, EnglishSentiment, SentimentReader, reviews_in

DAY = 86_400
NOW = time.time()


@pytest.fixture(scope="module")
def reader() -> SentimentReader:
    small = ChineseSentiment.train(reviews_in([TRAIN])[:3000], NgramRecipe(epochs=3))
    return SentimentReader(small, EnglishSentiment())


@pytest.fixture
def store(tmp_path: Path) -> ReviewStore:
    store = ReviewStore(tmp_path / "reviews.db")
    yield store  # type: ignore[misc]
    store.close()


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


def test_the_same_source_and_id_again_changes_nothing(store: ReviewStore) -> None:
    first = store.add([review(1, "Great"), review(2, "Bad")])
    assert (first.added, first.duplicates) == (2, 0)
    again = store.add([review(1, "Edited text"), review(3, "New")])
    assert (again.added, again.duplicates) == (1, 1)
    assert store.count() == 3
    assert store.examples("p1", ALL, 0, NOW + DAY) == []  # nothing read yet


def test_reading_goes_in_batches_and_fills_labels_aspects_and_buckets(
    store: ReviewStore, reader: SentimentReader
) -> None:
    texts = ["The battery died after a week, terrible.", "Great screen, love it."] * 5
    store.add([review(i, t) for i, t in enumerate(texts)])
    assert store.analyse_pending(reader, batch=3) == 10
    assert store.analyse_pending(reader) == 0
    buckets = {
        (r["product_id"], r["aspect"]): (r["total"], r["negative"])
        for r in store.buckets("2000-01-01")
    }
    assert buckets[("p1", ALL)] == (10, 5)
    assert buckets[("p1", "battery")] == (5, 5)
    assert buckets[("p1", "screen")] == (5, 0)
    assert buckets[(ALL, "battery")] == (5, 5)
    worst = store.examples("p1", "battery", 0, NOW + DAY)
    assert worst and "battery" in worst[0]["text"]


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


def _spiky_store(store: ReviewStore, reader: SentimentReader) -> None:
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
    store.add(rows)
    store.analyse_pending(reader)


def test_a_spike_raises_one_alert_with_examples(
    store: ReviewStore, reader: SentimentReader, tmp_path: Path
) -> None:
    _spiky_store(store, reader)
    monitor = OpinionMonitor(store, tmp_path / "reviews.db", SpikeRule())
    today = day_of(NOW)
    raised = monitor.check(today)
    keys = {(a.product_id, a.aspect) for a in raised}
    assert ("p1", ALL) in keys and ("p1", "battery") in keys
    assert not any(a.product_id == "p2" for a in raised)
    alert = next(a for a in raised if (a.product_id, a.aspect) == ("p1", ALL))
    assert alert.window_share > alert.baseline_share + 0.15
    assert alert.examples and "battery" in alert.examples[0]["text"]
    assert monitor.check(today) == []  # the same spike, checked again: no second alert
    assert len(monitor.alerts()) == len(raised)
    monitor.close()


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
