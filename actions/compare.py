"""Comparing two or three products side by side on what their listings share."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.catalog import Product
from actions.replies import entity_values, say


def products_to_compare(tracker: Tracker) -> list[Product]:
    """The shown products the shopper names by position, else the first two shown."""
    catalog = services.catalog()
    shown: list[str] = tracker.get_slot("last_results") or []
    positions = [int(str(v)) for v in entity_values(tracker, "ordinal")]
    picked = [
        shown[p - 1 if p > 0 else len(shown) + p]
        for p in positions
        if shown and -len(shown) <= p <= len(shown) and p != 0
    ]
    ids = list(dict.fromkeys(picked)) if len(set(picked)) >= 2 else shown[:2]
    products = [catalog.get(i) for i in ids[:3]]
    return [p for p in products if p is not None]


class ActionCompareProducts(Action):
    def name(self) -> str:
        return "action_compare_products"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        products = products_to_compare(tracker)
        if len(products) < 2:
            dispatcher.utter_message(
                text=say(
                    tracker,
                    en='Search first, then tell me which to compare, e.g. "compare the first and '
                    'second".',
                    zh="请先搜索，再告诉我要对比哪几个，比如“对比第一个和第二个”。",
                )
            )
            return []
        lines = []
        for index, product in enumerate(products, start=1):
            rating = f"{product.rating}/5 ({product.review_count})" if product.rating else "–"
            lines.append(f"{index}. {product.title}")
            lines.append(f"   {product.price_label()} · {product.brand} · {rating}")
            lines.extend(f"   • {feature}" for feature in product.features[:4])
        dispatcher.utter_message(
            text="\n".join([say(tracker, en="Side by side:", zh="对比如下："), *lines]),
            json_message={
                "type": "comparison",
                "products": [
                    {**p.to_card(), "brand": p.brand, "features": p.features} for p in products
                ],
            },
        )
        return []
