"""The shop services actions call, opened once per process.

rasa-sdk instantiates actions without arguments, so actions reach their services here:
the app wires them at startup (`actions.setup.open_shop`); a standalone action server's
workers open them lazily from the same settings (`SHOPBOT_HOME`, `SHOPBOT_MODELS`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog
from actions.embeddings import SentenceEncoder
from actions.interactions import InteractionLog
from actions.orders import OrderStore
from actions.policies import PolicyBook
from actions.recommender import ItemModel
from actions.recommender_store import FILE as RECOMMENDER_FILE
from actions.recommender_store import load_model
from bot.settings import Settings, load_settings
from writer.service import DescriptionService

Service = TypeVar("Service")


class _Handle(Generic[Service]):
    """One service per process: set at startup, or opened on first use."""

    def __init__(self, open_default: Callable[[Settings], Service]) -> None:
        self._open_default = open_default
        self._value: Service | None = None
        self._lock = threading.Lock()

    def use(self, value: Service | None) -> None:
        with self._lock:
            self._value = value

    def get(self) -> Service:
        with self._lock:
            if self._value is None:
                self._value = self._open_default(load_settings())
            return self._value


def _open_catalog(settings: Settings) -> Catalog:
    catalog = Catalog(settings.catalog_db)
    ensure_demo_catalog(catalog, show_progress=False)
    return catalog


_catalog = _Handle(_open_catalog)
_policies = _Handle(lambda settings: PolicyBook.load(settings.data_dir / "policies.md"))
_orders = _Handle(lambda settings: OrderStore(settings.home / "orders.db"))
_interactions = _Handle(lambda settings: InteractionLog(settings.home / "interactions.db"))
_models_dir = _Handle(lambda settings: settings.models)
_encoder = _Handle(lambda settings: SentenceEncoder())  # weights load on first encode


def _open_descriptions(settings: Settings) -> DescriptionService:
    service = DescriptionService.from_settings(settings.writer, _catalog.get())
    service.start_loading()
    return service


_descriptions = _Handle(_open_descriptions)

use_catalog, catalog = _catalog.use, _catalog.get
use_policies, policies = _policies.use, _policies.get
use_orders, orders = _orders.use, _orders.get
use_interactions, interactions = _interactions.use, _interactions.get
use_models_dir = _models_dir.use
encoder = _encoder.get
use_descriptions, descriptions = _descriptions.use, _descriptions.get

_recommender_lock = threading.Lock()
_recommender: tuple[float, ItemModel | None] = (0.0, None)  # (file mtime, model)


def recommender() -> ItemModel | None:
    """The model `shopbot recommend train` saved last; reloaded when the file changes."""
    global _recommender
    path: Path = _models_dir.get() / RECOMMENDER_FILE
    stamp = path.stat().st_mtime if path.exists() else 0.0
    with _recommender_lock:
        if _recommender[0] != stamp:
            _recommender = (stamp, load_model(path.parent) if stamp else None)
        return _recommender[1]
