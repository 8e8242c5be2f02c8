"""Recommendations within the conversation: like what the shopper looked at, well reviewed."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.replies import first_entity, say

PRICE_BAND = (0.5, 1.5)  # around the price of what the shopper looked at


class ActionRecommend(Action):
    def name(self) -> str:
        return "action_recommend"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        catalog = services.catalog()
        shown: list[str] = tracker.get_slot("last_results") or []
        seed_id = (
            first_entity(tracker, "product_id")  # the widget's "Similar" button
            or tracker.get_slot("selected_product")
            or (shown[0] if shown else None)
        )
        seed = catalog.get(str(seed_id)) if seed_id else None
        if seed is not None:
            band = (seed.price * PRICE_BAND[0], seed.price * PRICE_BAND[1]) if seed.price else None
            products = catalog.popular(seed.category, {seed.id, *shown}, band) or catalog.popular(
                seed.category, {seed.id}
            )
            intro = say(
                tracker,
                en=f"Similar to {seed.title}, well reviewed:",
                zh=f"和 {seed.title} 类似、评价好的商品：",
            )
        else:
            products = catalog.popular()
            intro = say(
                tracker, en="Our best-reviewed products right now:", zh="目前评价最好的商品："
            )
        lines = [f"{i}. {p.title} — {p.price_label()}" for i, p in enumerate(products, start=1)]
        dispatcher.utter_message(
            text="\n".join([intro, *lines]),
            json_message={"type": "product_cards", "products": [p.to_card() for p in products]},
        )
        return [SlotSet("last_results", [p.id for p in products])]
