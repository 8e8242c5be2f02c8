"""Opening the shop's services for this process, once, in the app's startup context."""

from __future__ import annotations

from actions import services
from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog, ensure_product_vectors
from actions.interactions import InteractionLog, log_demo_purchases
from actions.orders import DEMO_CUSTOMERS, OrderStore, seed_demo_orders
from actions.policies import PolicyBook
from bot.settings import Settings
from writer.service import DescriptionService


def open_shop(settings: Settings, show_progress: bool = True, load_models: bool = True) -> None:
    """Open the shop's services under the settings' home: the catalog (imported and embedded
    the first time), policies, demo orders, the interaction log, the search encoder, and the
    description writer (its model loading in the background)."""
    catalog = Catalog(settings.catalog_db)
    ensure_demo_catalog(catalog, show_progress)
    ensure_product_vectors(catalog, settings.models, show_progress)
    services.use_catalog(catalog)
    services.use_policies(PolicyBook.load(settings.data_dir / "policies.md"))
    orders = OrderStore(settings.home / "orders.db")
    seed_demo_orders(orders, catalog)
    services.use_orders(orders)
    log = InteractionLog(settings.home / "interactions.db")
    log_demo_purchases(log, orders, [customer for customer, _, _ in DEMO_CUSTOMERS])
    services.use_interactions(log)
    services.use_models_dir(settings.models)
    descriptions = _description_service(settings, catalog)
    services.use_descriptions(descriptions)
    if load_models:  # load the search encoder and embed the policies now, not on a turn
        services.policies().closest("warm up", services.encoder().encode)
        if settings.writer.load_at_startup:
            descriptions.start_loading()  # in the background: about 20 s for SmolLM2


# `serve` opens the shop twice (first-start work, then the app); one writer per catalog and
# configuration keeps the second from loading the model again beside the first.
_writers: dict[tuple[str, str], DescriptionService] = {}


def _description_service(settings: Settings, catalog: Catalog) -> DescriptionService:
    key = (str(settings.catalog_db.resolve()), settings.writer.model_dump_json())
    if key not in _writers:
        _writers[key] = DescriptionService.from_settings(settings.writer, catalog)
    return _writers[key]
