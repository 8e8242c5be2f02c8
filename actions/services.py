"""The shop services actions call, opened once per process.

rasa-sdk instantiates actions without arguments, so actions reach their services here:
the app wires them at startup (`use_catalog`); a standalone action server opens them
lazily from the same settings (`SHOPBOT_HOME`).
"""

from __future__ import annotations

import threading

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog
from actions.orders import OrderStore
from actions.policies import PolicyBook

_lock = threading.Lock()
_catalog: Catalog | None = None
_policies: PolicyBook | None = None
_orders: OrderStore | None = None


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
