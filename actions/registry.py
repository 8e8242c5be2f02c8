"""Every action of the shop, built with the shop it works on, for rasa-sdk's executor."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

from rasa_sdk import Action

import actions
from actions.shop import Publish, Shop, ShopAction, publish_nowhere


def _action_classes() -> Iterator[type[Action]]:
    """Concrete `Action` classes defined in this package (as rasa-sdk's `register_package`
    finds them), each once."""
    for info in pkgutil.iter_modules(actions.__path__, prefix="actions."):
        importlib.import_module(info.name)
    pending, seen = list(Action.__subclasses__()), set()
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls in seen or not cls.__module__.startswith("actions."):
            continue
        seen.add(cls)
        if not getattr(cls, "__abstractmethods__", None) and cls is not ShopAction:
            yield cls


def shop_actions(shop: Shop, publish: Publish = publish_nowhere) -> list[Action]:
    """One instance of every action; those that need the shop get it, and where to publish
    text for a conversation outside its reply (the app's outbox)."""
    return [
        cls(shop, publish) if issubclass(cls, ShopAction) else cls()
        for cls in sorted(_action_classes(), key=lambda c: c.__name__)
    ]
