"""The product catalog: SQLite with FTS5 full-text search ranked by bm25."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from actions.database import open_database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    brand TEXT NOT NULL,
    price REAL,
    price_max REAL,
    discount TEXT,
    discount_amount REAL,
    rating REAL,
    review_count INTEGER NOT NULL DEFAULT 0,
    features TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS product_vectors (
    product_id TEXT PRIMARY KEY REFERENCES products(id),
    vector BLOB NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS products_fts USING fts5(
    product_id UNINDEXED, title, category, features, tokenize = 'porter unicode61'
);
"""

# Words that carry no product meaning in a shopping request; kept out of the FTS query.
_STOPWORD_TEXT = """
a an the me my i im i'm we you your show find get give see want wanna need looking look
for some any something anything with without and or of to in on at is are be it its
that this these those please can could would do does have has got buy purchase shop
search searching under below less than over above more between cheaper cheap around
about max maximum min minimum budget price priced cost costs dollars dollar usd up upto
like what which there hey hi hello thanks thx pls plz one ones all only just good best
new
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al., 2009)
RRF_POOL = 50  # candidates taken from each ranking

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")

# Chinese shopping words -> the catalog's English vocabulary (the listings are in English).
ZH_TERMS = {
    "笔记本": "laptop",
    "电脑": "computer",
    "游戏本": "gaming laptop",
    "游戏": "gaming",
    "台式机": "desktop",
    "电视": "tv",
    "耳机": "headphones",
    "手机": "phone",
    "平板": "tablet ipad",
    "显示器": "monitor",
    "路由器": "router",
    "音箱": "speaker",
    "音响": "soundbar speaker",
    "手表": "watch",
    "摄像头": "camera",
    "相机": "camera",
    "门铃": "doorbell",
    "充电宝": "power",
    "电池": "batteries",
    "电源": "power station",
    "投影仪": "projector",
    "硬盘": "drive ssd",
    "键盘": "keyboard",
    "鼠标": "mouse",
    "主机": "console",
    "吉他": "guitar",
    "钢琴": "piano",
    "苹果": "apple",
    "华硕": "asus",
    "戴尔": "dell",
    "联想": "lenovo",
    "三星": "samsung",
    "索尼": "sony",
    "惠普": "hp",
    "微软": "microsoft",
    "宏碁": "acer",
    "蓝牙": "bluetooth",
    "无线": "wireless",
    "降噪": "noise cancelling",
    "智能": "smart",
}


@dataclass(frozen=True)
class Product:
    id: str
    title: str
    category: str
    brand: str
    price: float | None
    price_max: float | None
    discount: str | None
    discount_amount: float | None
    rating: float | None
    review_count: int
    features: list[str] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Product:
        values = dict(row)
        values["features"] = json.loads(values["features"])
        return cls(**values)

    def price_label(self) -> str:
        if self.price is None:
            return "price on request"
        if self.price_max and self.price_max > self.price:
            return f"${self.price:,.2f}–${self.price_max:,.2f}"
        return f"${self.price:,.2f}"

    def to_card(self) -> dict[str, Any]:
        """The product card payload channels render."""
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "price": self.price,
            "price_label": self.price_label(),
            "rating": self.rating,
            "review_count": self.review_count,
        }


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    price_min: float | None = None
    price_max: float | None = None
    brand: str | None = None
    category: str | None = None
    rating_min: float | None = None
    # each inner tuple: the listing must mention one of these ("512GB", '15.6"', ...)
    mentions: tuple[tuple[str, ...], ...] = ()
    # words the title must hold: a colour is the product's own in its title ("- Black"),
    # not a part's in a bullet ("Jet Black Keyboard")
    title_words: tuple[str, ...] = ()
    limit: int = 5

    def has_filters(self) -> bool:
        return any(
            (
                self.price_min is not None,
                self.price_max is not None,
                self.brand,
                self.category,
                self.rating_min is not None,
                self.mentions,
                self.title_words,
            )
        )


def fts_query(text: str) -> str:
    """An OR query of the meaningful words, each quoted so user text cannot inject FTS syntax."""
    lowered = text.lower()
    translated = " ".join(en for zh, en in ZH_TERMS.items() if zh in lowered)
    words = _TOKEN.findall(lowered + " " + translated)
    terms = [t for t in words if t not in STOPWORDS and not t.isdigit()]
    unique = list(dict.fromkeys(terms))
    return " OR ".join(f'"{term}"' for term in unique)


@dataclass(frozen=True)
class _Neighbourhood:
    """What `Catalog.similar` and the embedding side of `hybrid_search` rank by, aligned with
    the embedding matrix's rows."""

    ids: list[str]
    position: dict[str, int]
    id_rank: np.ndarray  # each id's place in sorted order, to break ties as before
    matrix: np.ndarray
    prices: np.ndarray  # 0 where the product has no price
    popularity: np.ndarray  # already weighted: 0.05 * rating * log(1 + reviews) / the best
    listed: np.ndarray  # False for a vector whose product row is missing


class Catalog:
    """Read access to the products; the importer fills it once.

    A product row is never changed once inserted (`add` ignores ids it has), so products read
    once are kept: a turn asks for the same few again and again (the listed results, the
    selected product), and decoding a row cost more than the rest of `get`."""

    KEPT_PRODUCTS = 50_000

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_database(path, _SCHEMA, rows=True)
        self._vectors: tuple[list[str], np.ndarray] | None = None
        self._terms: _Neighbourhood | None = None
        self._products: dict[str, Product] = {}

    def close(self) -> None:
        self._db.close()

    def all(self) -> list[Product]:
        return [self._product(r) for r in self._db.execute("SELECT * FROM products ORDER BY id")]

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM products").fetchone()[0])

    def get(self, product_id: str) -> Product | None:
        if (kept := self._products.get(product_id)) is not None:
            return kept
        row = self._db.execute("SELECT * FROM products WHERE id = ?", (product_id,)).fetchone()
        return self._product(row) if row else None

    def _product(self, row: sqlite3.Row) -> Product:
        if (kept := self._products.get(row["id"])) is not None:
            return kept
        if len(self._products) >= self.KEPT_PRODUCTS:
            self._products.clear()
        product = self._products[row["id"]] = Product.from_row(row)
        return product

    def add(self, products: list[Product]) -> int:
        """Insert products not yet present; returns how many were new."""
        added = 0
        with self._db:
            for p in products:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO products VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        p.id,
                        p.title,
                        p.category,
                        p.brand,
                        p.price,
                        p.price_max,
                        p.discount,
                        p.discount_amount,
                        p.rating,
                        p.review_count,
                        json.dumps(p.features),
                    ),
                )
                if cursor.rowcount:
                    added += 1
                    self._db.execute(
                        "INSERT INTO products_fts VALUES (?,?,?,?)",
                        (p.id, p.title, p.category, " ".join(p.features)),
                    )
        if added:
            self._terms = None
        return added

    def store_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO product_vectors VALUES (?, ?)",
                [(pid, v.astype(np.float32).tobytes()) for pid, v in vectors.items()],
            )
        self._vectors = self._terms = None

    def vectors(self) -> tuple[list[str], np.ndarray]:
        """All product embeddings (ids, matrix); read once, kept in memory."""
        if self._vectors is None:
            rows = self._db.execute("SELECT product_id, vector FROM product_vectors").fetchall()
            ids = [row[0] for row in rows]
            matrix = (
                np.stack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
                if rows
                else np.zeros((0, 0), dtype=np.float32)
            )
            self._vectors = (ids, matrix)
        return self._vectors

    def hybrid_search(
        self, query: SearchQuery, query_vector: np.ndarray | None, min_similarity: float = -1.0
    ) -> list[Product]:
        """bm25 and embedding similarity, each within the filters, merged by reciprocal rank.
        Every product must be at least `min_similarity` close by embedding: below that,
        "nearest" means nothing, and a shared word ("kitchen" in a speaker's bullets) is not
        relevance either; showing them would answer with unrelated products."""
        if query_vector is None or not fts_query(query.text):
            return self.search(query)
        terms = self._neighbourhood()
        if not terms.ids:
            return self.search(query)
        pool = replace(query, limit=RRF_POOL)
        similarity = terms.matrix @ query_vector.astype(np.float32)
        lexical = [
            p.id
            for p in self.search(pool)
            if (i := terms.position.get(p.id)) is None or similarity[i] >= min_similarity
        ]
        close = self._allowed(query, terms) & (similarity >= min_similarity)
        candidates = np.flatnonzero(close)
        nearest = candidates[np.argsort(-similarity[candidates], kind="stable")[:RRF_POOL]]
        semantic = [terms.ids[i] for i in nearest]
        fused: dict[str, float] = {}
        for ranking in (lexical, semantic):
            for rank, pid in enumerate(ranking):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=lambda pid: fused[pid], reverse=True)[: query.limit]
        return [p for p in (self.get(pid) for pid in best) if p is not None]

    def _allowed(self, query: SearchQuery, terms: _Neighbourhood) -> np.ndarray:
        """Which embedding rows pass the query's filters (every listed one when it has none)."""
        filters, params = self._price_filters(query)
        if not filters:
            return terms.listed
        allowed = np.zeros(len(terms.ids), dtype=bool)
        where = " AND ".join(filters)
        for (pid,) in self._db.execute(f"SELECT p.id FROM products p WHERE {where}", params):
            if (i := terms.position.get(pid)) is not None:
                allowed[i] = True
        return allowed

    def nearest_category(self, query_vector: np.ndarray) -> str | None:
        """The category whose products' mean embedding is closest to the query."""
        ids, matrix = self.vectors()
        if not ids:
            return None
        rows = dict(self._db.execute("SELECT id, category FROM products").fetchall())
        categories = sorted({rows[pid] for pid in ids if pid in rows})
        centroids = np.stack(
            [
                matrix[[i for i, pid in enumerate(ids) if rows.get(pid) == category]].mean(axis=0)
                for category in categories
            ]
        )
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        return categories[int(np.argmax(centroids @ query_vector.astype(np.float32)))]

    def cheapest(self, query: SearchQuery) -> Product | None:
        """The lowest-priced product of the query's category and brand, ignoring its prices."""
        unpriced = replace(query, price_min=None, price_max=None, text="", limit=1)
        filters, params = self._price_filters(unpriced)
        filters.append("p.price IS NOT NULL")
        row = self._db.execute(
            f"SELECT * FROM products p WHERE {' AND '.join(filters)} ORDER BY p.price LIMIT 1",
            params,
        ).fetchone()
        return self._product(row) if row else None

    def search(self, query: SearchQuery) -> list[Product]:
        """Products matching the words (bm25: title weighs most) within the price limits."""
        filters, params = self._price_filters(query)
        match = fts_query(query.text)
        if match:
            sql = (
                "SELECT p.* FROM products_fts f JOIN products p ON p.id = f.product_id "
                "WHERE products_fts MATCH ?"
                + "".join(f" AND {f}" for f in filters)
                + " ORDER BY bm25(products_fts, 0.0, 10.0, 6.0, 1.0) LIMIT ?"
            )
            rows = self._db.execute(sql, (match, *params, query.limit)).fetchall()
        else:
            where = " WHERE " + " AND ".join(filters) if filters else ""
            sql = (
                f"SELECT * FROM products p{where} "
                "ORDER BY COALESCE(p.rating, 0) * LOG(1 + p.review_count) DESC LIMIT ?"
            )
            rows = self._db.execute(sql, (*params, query.limit)).fetchall()
        return [self._product(row) for row in rows]

    @staticmethod
    def _price_filters(query: SearchQuery) -> tuple[list[str], list[object]]:
        filters: list[str] = []
        params: list[object] = []
        if query.price_max is not None:
            filters.append("p.price IS NOT NULL AND p.price <= ?")
            params.append(query.price_max)
        if query.price_min is not None:
            filters.append("p.price IS NOT NULL AND p.price >= ?")
            params.append(query.price_min)
        if query.brand:
            filters.append("p.brand = ? COLLATE NOCASE")
            params.append(query.brand)
        if query.category:
            filters.append("p.category = ?")
            params.append(query.category)
        if query.rating_min is not None:
            filters.append("p.rating >= ?")
            params.append(query.rating_min)
        for word in query.title_words:
            filters.append("(' ' || lower(p.title) || ' ') GLOB ?")
            params.append(f"*[^a-z]{word.lower()}[^a-z]*")
        for alternatives in query.mentions:
            text = "(p.title || ' ' || p.features)"
            filters.append("(" + " OR ".join(f"{text} LIKE ?" for _ in alternatives) + ")")
            params += [f"%{term}%" for term in alternatives]
        return filters, params

    def popular(
        self,
        category: str | None = None,
        exclude: set[str] | None = None,
        price_range: tuple[float, float] | None = None,
        limit: int = 5,
    ) -> list[Product]:
        """Best-rated products with many reviews, optionally within a category and price band."""
        filters: list[str] = ["1 = 1"]
        params: list[object] = []
        if category:
            filters.append("category = ?")
            params.append(category)
        if price_range:
            filters.append("price BETWEEN ? AND ?")
            params += list(price_range)
        rows = self._db.execute(
            f"SELECT * FROM products WHERE {' AND '.join(filters)} "
            "ORDER BY COALESCE(rating, 0) * LOG(1 + review_count) DESC LIMIT ?",
            (*params, limit + len(exclude or ())),
        ).fetchall()
        products = [self._product(row) for row in rows]
        return [p for p in products if p.id not in (exclude or set())][:limit]

    def similar(self, product: Product, seen: set[str], limit: int = 5) -> list[Product]:
        """Closest products by embedding of title and features, then nudged: towards the
        seed's price (a shopper's price band), towards well-reviewed products, and away from
        products the shopper has already been shown."""
        terms = self._neighbourhood()
        seed = terms.position.get(product.id)
        if seed is None:
            return []
        score = terms.matrix @ terms.matrix[seed] + terms.popularity
        if product.price:
            with np.errstate(divide="ignore", invalid="ignore"):
                distance = np.minimum(2.0, np.abs(np.log(terms.prices / product.price)))
            score -= 0.05 * np.where(terms.prices > 0, distance, 0.0)
        score[~terms.listed] = -np.inf
        score[seed] = -np.inf
        for pid in seen:
            if (i := terms.position.get(pid)) is not None:
                score[i] -= 0.05
        wanted = min(limit, int(np.isfinite(score).sum()))
        # Ties keep the larger id first, as sorting (score, id) pairs in reverse did.
        order = np.lexsort((-terms.id_rank, -score))[:wanted]
        best = [terms.ids[i] for i in order]
        return [p for p in (self.get(pid) for pid in best) if p is not None]

    def _neighbourhood(self) -> _Neighbourhood:
        """The embeddings with each product's price and popularity beside them, read once:
        `similar` runs on every product a shopper opens, and rows never change once
        inserted (`add` and `store_vectors` start it again)."""
        if self._terms is None:
            ids, matrix = self.vectors()
            rows = {
                row[0]: (row[1] or 0.0, row[2])
                for row in self._db.execute(
                    "SELECT id, price, COALESCE(rating, 0) * LOG(1 + review_count) FROM products"
                )
            }
            listed = np.array([pid in rows for pid in ids], dtype=bool)
            prices = np.array([rows.get(pid, (0.0, 0.0))[0] for pid in ids], dtype=np.float64)
            popularity = np.array([rows.get(pid, (0.0, 0.0))[1] for pid in ids], dtype=np.float64)
            top = max((p for _, p in rows.values()), default=1.0) or 1.0
            self._terms = _Neighbourhood(
                ids=ids,
                position={pid: i for i, pid in enumerate(ids)},
                id_rank=np.argsort(np.argsort(np.array(ids, dtype=object))),
                matrix=matrix,
                prices=prices,
                popularity=0.05 * popularity / top,
                listed=listed,
            )
        return self._terms

    def find_by_name(self, text: str) -> Product | None:
        """The title that holds most of the shopper's words and numbers ("Acer Nitro 16"),
        among the best bm25 matches; bm25 alone ignores the numbers."""
        results = self.search(SearchQuery(text=text, limit=10))
        if not results:
            return None
        wanted = {w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS}

        def overlap(product: Product) -> int:
            return len(wanted & set(_TOKEN.findall(product.title.lower())))

        return max(results, key=overlap)  # max keeps the first (best bm25) among equals


def size_mentions(gigabytes: float) -> tuple[str, ...]:
    """How a listing writes a storage or memory size."""
    if gigabytes >= 1024 and gigabytes % 1024 == 0:
        terabytes = int(gigabytes // 1024)
        return (f"{terabytes}TB", f"{terabytes} TB")
    size = f"{gigabytes:g}"
    return (f"{size}GB", f"{size} GB")


def screen_mentions(inches: float) -> tuple[str, ...]:
    size = f"{inches:g}"
    return (f'{size}"', f"{size}”", f"{size}-inch", f"{size} inch", f"{size}-in")
