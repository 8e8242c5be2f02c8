"""The shop services actions call, opened once per process.

rasa-sdk instantiates actions without arguments, so actions reach their services here:
the app wires them at startup (`use_catalog`); a standalone action server opens them
lazily from the same settings (`SHOPBOT_HOME`).
"""

from __future__ import annotations

import threading
from pathlib import Path

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog
from actions.embeddings import SentenceEncoder
from actions.interactions import InteractionLog
from actions.orders import OrderStore
from actions.policies import PolicyBook
from actions.recommender import ItemModel
from actions.recommender_store import FILE as RECOMMENDER_FILE
from actions.recommender_store import load_model

_lock = threading.Lock()
_catalog: Catalog | None = None
_policies: PolicyBook | None = None
_orders: OrderStore | None = None
_interactions: InteractionLog | None = None
_recommender: tuple[float, ItemModel | None] | None = None  # (file mtime, model)
_models_dir: Path | None = None


def use_catalog(catalog: Catalog | None) -> None:
    global _catalog
    with _lock:
        _catalog = catalog


def catalog() -> Catalog:
    global _catalog
    with _lock:
        if _catalog is None:
            from bot.settings import load_settings

            opened = Catalog(load_settings().catalog_db)
            ensure_demo_catalog(opened, show_progress=False)
            _catalog = opened
        return _catalog


def use_policies(book: PolicyBook | None) -> None:
    global _policies
    with _lock:
        _policies = book


def policies() -> PolicyBook:
    global _policies
    with _lock:
        if _policies is None:
            from bot.settings import load_settings

            _policies = PolicyBook.load(load_settings().data_dir / "policies.md")
        return _policies


def use_orders(store: OrderStore | None) -> None:
    global _orders
    with _lock:
        _orders = store


def orders() -> OrderStore:
    global _orders
    with _lock:
        if _orders is None:
            from bot.settings import load_settings

            _orders = OrderStore(load_settings().home / "orders.db")
        return _orders


def use_models_dir(path: Path | None) -> None:
    global _models_dir
    with _lock:
        _models_dir = path


def use_interactions(log: InteractionLog | None) -> None:
    global _interactions
    with _lock:
        _interactions = log


def interactions() -> InteractionLog:
    global _interactions
    with _lock:
        if _interactions is None:
            from bot.settings import load_settings

            _interactions = InteractionLog(load_settings().home / "interactions.db")
        return _interactions


def recommender() -> ItemModel | None:
    """The model `shopbot recommend train` saved last; reloaded when the file changes."""
    global _recommender
    from bot.settings import load_settings

    path = (_models_dir or load_settings().models) / RECOMMENDER_FILE
    stamp = path.stat().st_mtime if path.exists() else 0.0
    with _lock:
        if _recommender is None or _recommender[0] != stamp:
            _recommender = (stamp, load_model(path.parent) if stamp else None)
        return _recommender[1]


_encoder: SentenceEncoder | None = None


def encoder() -> SentenceEncoder:
    """The query encoder for hybrid search; its weights load on first use."""
    global _encoder
    with _lock:
        if _encoder is None:
            _encoder = SentenceEncoder()
        return _encoder
