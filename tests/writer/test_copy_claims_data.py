"""The hand-labelled copy-claim files are well formed, and the fresh splits are really held out.

`bench.copy_claims` scores the copy checker on these rows; a row with a missing key, an unknown
class or a product the catalog does not hold would be scored silently wrong, and a fresh row
that repeats a product or a sentence of the dev/test file would not be held out at all. The
same holds for each later fresh split (fresh4 judges the goal now) against every earlier file.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bench.copy_claims import FRESH_FILES, ROWS, catalog_records, load_rows

KEYS = {"product_id", "sentence", "supported", "class", "reason", "split"}
CLASSES = {
    "audience",
    "battery",
    "binding",
    "compatibility",
    "durability",
    "feature",
    "free",
    "negation",
    "product_type",
    "superlative",
    "synonym",
    "weight",
}


@pytest.fixture(scope="module")
def catalog_ids() -> set[str]:
    return set(catalog_records())


@pytest.fixture(scope="module")
def dev_test() -> list[dict[str, Any]]:
    return load_rows(ROWS)


@pytest.fixture(scope="module")
def fresh() -> list[dict[str, Any]]:
    return load_rows(FRESH_FILES["fresh"])


@pytest.fixture(scope="module")
def fresh2() -> list[dict[str, Any]]:
    return load_rows(FRESH_FILES["fresh2"])


@pytest.fixture(scope="module")
def fresh3() -> list[dict[str, Any]]:
    return load_rows(FRESH_FILES["fresh3"])


@pytest.fixture(scope="module")
def fresh4() -> list[dict[str, Any]]:
    return load_rows(FRESH_FILES["fresh4"])


@pytest.mark.parametrize("name", ["dev_test", "fresh", "fresh2", "fresh3", "fresh4"])
def test_rows_are_well_formed(name: str, request: pytest.FixtureRequest) -> None:
    rows: list[dict[str, Any]] = request.getfixturevalue(name)
    assert rows
    for row in rows:
        assert set(row) == KEYS, row
        assert row["class"] in CLASSES, row
        assert isinstance(row["supported"], bool), row
        assert row["sentence"].strip() and row["reason"].strip(), row
    pairs = Counter((row["product_id"], row["sentence"]) for row in rows)
    assert pairs.most_common(1)[0][1] == 1


@pytest.mark.parametrize("name", ["dev_test", "fresh", "fresh2", "fresh3", "fresh4"])
def test_every_product_is_in_the_catalog(
    name: str, request: pytest.FixtureRequest, catalog_ids: set[str]
) -> None:
    rows: list[dict[str, Any]] = request.getfixturevalue(name)
    assert {row["product_id"] for row in rows} <= catalog_ids


def test_splits_are_where_the_bench_looks_for_them(
    dev_test: list[dict[str, Any]], fresh: list[dict[str, Any]], fresh2: list[dict[str, Any]]
) -> None:
    assert {row["split"] for row in dev_test} == {"dev", "test"}
    assert {row["split"] for row in fresh} == {"fresh"}
    assert {row["split"] for row in fresh2} == {"fresh2"}
    for name in FRESH_FILES:
        assert {row["split"] for row in load_rows(FRESH_FILES[name])} == {name}


def test_fresh_rows_share_no_product_and_no_sentence_with_dev_and_test(
    dev_test: list[dict[str, Any]], fresh: list[dict[str, Any]]
) -> None:
    assert not {row["product_id"] for row in fresh} & {row["product_id"] for row in dev_test}
    seen = {row["sentence"].strip().lower() for row in dev_test}
    assert not [row["sentence"] for row in fresh if row["sentence"].strip().lower() in seen]


def test_fresh2_rows_share_no_product_and_no_sentence_with_dev_test_or_fresh(
    dev_test: list[dict[str, Any]], fresh: list[dict[str, Any]], fresh2: list[dict[str, Any]]
) -> None:
    earlier = dev_test + fresh
    assert not {row["product_id"] for row in fresh2} & {row["product_id"] for row in earlier}
    seen = {row["sentence"].strip().lower() for row in earlier}
    assert not [row["sentence"] for row in fresh2 if row["sentence"].strip().lower() in seen]


def test_fresh3_rows_share_no_product_with_any_earlier_file(
    dev_test: list[dict[str, Any]],
    fresh: list[dict[str, Any]],
    fresh2: list[dict[str, Any]],
    fresh3: list[dict[str, Any]],
) -> None:
    """A few generic sentences ("Cables are sold separately.") recur about other products,
    judged against another record: 13 such rows, and never more than that."""
    earlier = dev_test + fresh + fresh2
    assert not {row["product_id"] for row in fresh3} & {row["product_id"] for row in earlier}
    seen = {row["sentence"].strip().lower() for row in earlier}
    assert len([row for row in fresh3 if row["sentence"].strip().lower() in seen]) <= 13


@pytest.mark.parametrize("name", ["fresh", "fresh2", "fresh3", "fresh4"])
def test_fresh_split_covers_every_class_both_ways(
    name: str, request: pytest.FixtureRequest
) -> None:
    """At least 15 rows a class, and about half the rows unsupported."""
    rows: list[dict[str, Any]] = request.getfixturevalue(name)
    per_class = Counter(row["class"] for row in rows)
    assert set(per_class) == CLASSES
    assert min(per_class.values()) >= 15
    unsupported = sum(not row["supported"] for row in rows)
    assert 0.4 <= unsupported / len(rows) <= 0.6


def test_fresh4_rows_share_no_product_and_no_sentence_with_any_earlier_file(
    dev_test: list[dict[str, Any]],
    fresh: list[dict[str, Any]],
    fresh2: list[dict[str, Any]],
    fresh3: list[dict[str, Any]],
    fresh4: list[dict[str, Any]],
) -> None:
    earlier = dev_test + fresh + fresh2 + fresh3
    assert not {row["product_id"] for row in fresh4} & {row["product_id"] for row in earlier}
    seen = {row["sentence"].strip().lower() for row in earlier}
    assert not [row["sentence"] for row in fresh4 if row["sentence"].strip().lower() in seen]


LATER = ["fresh5", "fresh6", "fresh7", "fresh8"]


def _split_and_earlier(
    name: str, dev_test: list[dict[str, Any]], catalog_ids: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A late split's rows, checked well formed and over catalog products, and every row of
    the files before it."""
    rows = load_rows(FRESH_FILES[name])
    for row in rows:
        assert set(row) == KEYS, row
        assert row["class"] in CLASSES, row
        assert isinstance(row["supported"], bool), row
    assert {row["product_id"] for row in rows} <= catalog_ids
    names = list(FRESH_FILES)
    earlier_files = names[: names.index(name)]
    earlier = dev_test + [row for file in earlier_files for row in load_rows(FRESH_FILES[file])]
    return rows, earlier


def _assert_balanced(rows: list[dict[str, Any]], per_class_at_least: int) -> None:
    per_class = Counter(row["class"] for row in rows)
    assert set(per_class) == CLASSES and min(per_class.values()) >= per_class_at_least
    assert 0.4 <= sum(not row["supported"] for row in rows) / len(rows) <= 0.6


@pytest.mark.parametrize("name", LATER)
def test_each_later_split_is_well_formed_and_over_products_no_earlier_file_has(
    name: str, dev_test: list[dict[str, Any]], catalog_ids: set[str]
) -> None:
    rows, earlier = _split_and_earlier(name, dev_test, catalog_ids)
    assert not {row["product_id"] for row in rows} & {row["product_id"] for row in earlier}
    _assert_balanced(rows, 15)


# fresh12 was written beside fresh11, each writer blind to the other's file
WRITTEN_ALONGSIDE = {"fresh12": "fresh11"}


# every file from fresh9 on, each written after every product was labelled
LATE = [name for name in FRESH_FILES if name[5:].isdigit() and int(name[5:]) >= 9]
# fresh19 on were written to the shopper's standard ("the record states it, in its own or
# clearly equivalent words") with no quota per class: each class still appears, less often
FEWEST_PER_CLASS = {"fresh19": 10, "fresh20": 10}


@pytest.mark.parametrize("name", LATE)
def test_late_splits_are_new_sentences_over_products_already_labelled(
    name: str, dev_test: list[dict[str, Any]], catalog_ids: set[str]
) -> None:
    """Every product was labelled by fresh8, so fresh9 on are held out by sentence:
    new sentences, written blind, about products earlier files hold; none repeats an earlier
    sentence."""
    rows, earlier = _split_and_earlier(name, dev_test, catalog_ids)
    alongside = WRITTEN_ALONGSIDE.get(name)
    # a file written at the same time, by someone who never saw this one, may share a generic
    # sentence ("Rechargeable up to 500 times."), said of another product
    same_time = {
        (row["sentence"].strip().lower(), row["product_id"])
        for row in earlier
        if row["split"] == alongside
    }
    seen = {row["sentence"].strip().lower() for row in earlier if row["split"] != alongside}
    assert not [row["sentence"] for row in rows if row["sentence"].strip().lower() in seen]
    shared = {sentence for sentence, _ in same_time}
    repeats = [row for row in rows if row["sentence"].strip().lower() in shared]
    assert len(repeats) <= 4
    assert not [r for r in repeats if (r["sentence"].strip().lower(), r["product_id"]) in same_time]
    assert Counter((row["product_id"], row["sentence"]) for row in rows).most_common(1)[0][1] == 1
    _assert_balanced(rows, FEWEST_PER_CLASS.get(name, 25))
