"""The shop: every service the actions work on, opened once and passed to them.

`Shop.open` is the one place the shop's stores and models are opened; the app builds one in
its startup context and hands it to each action (`ActionSearchProducts(shop)`), and the
standalone action server builds its own from the same settings. Nothing is kept in module
globals, so two shops (two tests, two homes) never see each other.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasa_sdk import Action

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog, ensure_product_vectors
from actions.database import open_database
from actions.embeddings import OnnxSentenceEncoder, QueryEmbedder
from actions.interactions import InteractionLog, SqliteInteractionLog, log_demo_purchases
from actions.money import MoneySettings
from actions.orders import DEMO_CUSTOMERS, OrderBook, SqliteOrderStore, seed_demo_orders
from actions.policies import PolicyBook
from actions.recommender import ItemModel
from actions.recommender_store import FILE as RECOMMENDER_FILE
from actions.recommender_store import load_model
from actions.replies import Replies
from actions.shopper_query import fresh_search_text
from nlu.guards import SEARCH_INTENT
from nlu.results import ParseResult
from writer.service import DescriptionService, KeyLocks
from writer.settings import WriterSettings
from writer.store import DescriptionStore, SqliteDescriptionStore


@dataclass
class SavedRecommender:
    """The model `shopbot recommend train` saved last; reloaded when the file changes."""

    models: Path
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loaded: tuple[float, ItemModel | None] = (0.0, None)  # (file mtime, model)

    def current(self) -> ItemModel | None:
        path = self.models / RECOMMENDER_FILE
        stamp = path.stat().st_mtime if path.exists() else 0.0
        with self._lock:
            if self._loaded[0] != stamp:
                self._loaded = (stamp, load_model(path.parent) if stamp else None)
            return self._loaded[1]


@dataclass(frozen=True)
class ShopConfig:
    """Where the shop's files live and how its writer runs (from the service's settings)."""

    home: Path
    models: Path
    data_dir: Path
    writer: WriterSettings
    money: MoneySettings = field(default_factory=MoneySettings)
    refund_handoff_over: float | None = None  # a refund above this goes to a person

    @property
    def catalog_db(self) -> Path:
        return self.home / "catalog.db"


@dataclass
class Shop:
    catalog: Catalog
    orders: OrderBook
    interactions: InteractionLog
    policies: PolicyBook
    queries: QueryEmbedder
    descriptions: DescriptionService
    recommender: SavedRecommender
    replies: Replies
    money: MoneySettings = field(default_factory=MoneySettings)
    refund_handoff_over: float | None = None

    @staticmethod
    def prepare(config: ShopConfig, show_progress: bool = True) -> None:
        """First-start work that shows progress (import and embed the demo catalog), so
        `serve` can do it before the app opens the shop."""
        catalog = Catalog(config.catalog_db)
        try:
            ensure_demo_catalog(catalog, show_progress)
            ensure_product_vectors(catalog, config.models, show_progress)
        finally:
            catalog.close()

    @classmethod
    def open(
        cls,
        config: ShopConfig,
        show_progress: bool = False,
        load_models: bool = True,
        model_worker: Executor | None = None,
        orders: OrderBook | None = None,
        descriptions: DescriptionStore | None = None,
        description_locks: KeyLocks | None = None,
        interactions: InteractionLog | None = None,
    ) -> Shop:
        """Open the shop under the settings' home: the catalog (imported and embedded the
        first time), policies, demo orders, the interaction log, the search encoder, and the
        description writer (its model loading in the background if configured).

        `model_worker`: the thread the app runs its models on; queries are encoded there.
        `orders`: the order book, which the shop then owns; the caller seeds it on its own
        loop (`await shop.seed_demo()`). By default SQLite under the home, seeded here (so
        not on a running loop).
        `descriptions`: where descriptions are stored, which the shop then owns; by default
        SQLite in the catalog's database.
        `description_locks`: held per product while it is written (the app's Redis locks, so
        instances sharing the store write a product once); None within one process.
        `interactions`: the recommender's interaction log, which the shop then owns; by
        default SQLite under the home.
        """
        catalog = Catalog(config.catalog_db)
        ensure_demo_catalog(catalog, show_progress)
        ensure_product_vectors(catalog, config.models, show_progress)
        seeded_here = orders is None
        if orders is None:
            orders = SqliteOrderStore(config.home / "orders.db")
        if descriptions is None:
            descriptions = SqliteDescriptionStore(open_database(config.catalog_db))
        if interactions is None:
            interactions = SqliteInteractionLog(config.home / "interactions.db")
        shop = cls(
            catalog=catalog,
            orders=orders,
            interactions=interactions,
            policies=PolicyBook.load(config.data_dir / "policies.md"),
            # the int8 export loads on first use (or in `load_models`)
            queries=QueryEmbedder(OnnxSentenceEncoder(config.models), model_worker),
            descriptions=DescriptionService.from_settings(
                config.writer, catalog, descriptions, description_locks
            ),
            recommender=SavedRecommender(config.models),
            replies=Replies.load(config.data_dir / "domain.yml"),
            money=config.money,
            refund_handoff_over=config.refund_handoff_over,
        )
        if seeded_here:
            asyncio.run(shop.seed_demo())
        if load_models:
            shop.load_models(config.writer.load_at_startup)
        return shop

    def embed_searches_ahead(self, messages: list[ParseResult]) -> None:
        """On the model thread, in the job that just read `messages`: the query vectors their
        searches will ask for (`QueryEmbedder.embed_ahead`), so a search waits once."""
        texts = [
            text
            for message in messages
            if message["intent"]["name"] == SEARCH_INTENT
            and (text := fresh_search_text(message)) is not None
        ]
        if texts:
            self.queries.embed_ahead(texts)

    async def seed_demo(self) -> None:
        """The demo customers' orders and their purchases in the interaction log, once."""
        await seed_demo_orders(self.orders, self.catalog)
        orders = [
            order
            for customer, _, _ in DEMO_CUSTOMERS
            for order in await self.orders.orders_of(customer)
        ]
        await log_demo_purchases(self.interactions, orders)

    def load_models(self, writer_too: bool) -> None:
        """Load the search encoder and embed the policies now, not on a shopper's turn; start
        the description model loading in the background (about 20 s for SmolLM2)."""
        self.policies.embed(self.queries.encoder.encode)
        if writer_too:
            self.descriptions.start_loading()

    async def aclose(self) -> None:
        """Stop the query batcher (on the loop it ran on), then close the stores."""
        await self.queries.close()
        await self._close_stores()
        self._close_files()

    def close(self) -> None:
        """For a shop used without an event loop (`aclose` on one)."""
        asyncio.run(self._close_stores())
        self._close_files()

    async def _close_stores(self) -> None:
        await self.orders.close()
        await self.descriptions.store.close()
        await self.interactions.close()

    def _close_files(self) -> None:
        self.catalog.close()


# (conversation_id, payload): text for a conversation outside its turn's reply, e.g. a
# description while it is written; the app passes its outbox's `publish`
Publish = Callable[[str, dict[str, Any]], None]


def publish_nowhere(conversation_id: str, payload: dict[str, Any]) -> None:
    """Where streamed text goes with no channel to push it (a remote action server)."""


class ShopAction(Action):
    """An action that works on the shop it was built with."""

    def __init__(self, shop: Shop, publish: Publish = publish_nowhere) -> None:
        self.shop = shop
        self.publish = publish
