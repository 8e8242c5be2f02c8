"""Hybrid retrieval: bm25 and embeddings merged by reciprocal rank, filters on both."""

from __future__ import annotations

import numpy as np

from actions.catalog import Catalog, Product, SearchQuery


def _product(pid: str, title: str, price: float, features: list[str]) -> Product:
    return Product(
        pid, title, "Things", title.split()[0], price, None, None, None, 4.0, 10, features
    )


def test_fusion_ranks_agreement_first_and_keeps_filters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    catalog = Catalog(tmp_path / "c.db")
    catalog.add(
        [
            _product("a", "Acme Laptop Pro", 900, ["fast"]),
            _product("b", "Bolt Laptop Air", 500, ["light"]),
            _product("c", "Core Tablet", 300, ["laptop replacement"]),
        ]
    )
    axes = {"a": [1, 0, 0], "b": [0.8, 0.6, 0], "c": [0, 0, 1]}
    catalog.store_vectors({k: np.array(v, dtype=np.float32) for k, v in axes.items()})
    query_vector = np.array([0.9, 0.4, 0], dtype=np.float32)
    ranked = catalog.hybrid_search(SearchQuery(text="laptop", limit=3), query_vector)
    assert [p.id for p in ranked][:2] in (["a", "b"], ["b", "a"])
    cheap = catalog.hybrid_search(SearchQuery(text="laptop", price_max=600, limit=3), query_vector)
    assert {p.id for p in cheap} == {"b", "c"}
    assert catalog.hybrid_search(SearchQuery(text="laptop"), None) == catalog.search(
        SearchQuery(text="laptop")
    )
