"""Recommendations: "customers who bought this also bought" and "for you" from the trained
model when it knows the product or shopper; otherwise like what the shopper looked at."""

from __future__ import annotations

import time
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import Product
from actions.customers import trusted_customer, visitor_id
from actions.recommender import also_bought, recommend
from actions.replies import first_entity
from actions.shop import ShopAction

PRICE_BAND = (0.5, 1.5)  # around the price of what the shopper looked at
SHOWN = 5


def shopper_id(tracker: Tracker) -> str:
    """The customer proven by an order lookup or the store's signature while that proof
    lasts, else this conversation's anonymous visitor: never an id the client chose."""
    return trusted_customer(tracker.slots, time.time()) or visitor_id(tracker.sender_id)


class ActionRecommend(ShopAction):
    def name(self) -> str:
        return "action_recommend"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        catalog = self.shop.catalog
        shown: list[str] = tracker.get_slot("last_results") or []
        seed_id = (
            first_entity(tracker, "product_id")  # the widget's "Similar" button
            or tracker.get_slot("selected_product")
            or (shown[0] if shown else None)
        )
        seed = catalog.get(str(seed_id)) if seed_id else None
        intro, products = await self._from_behaviour(tracker, seed)
        if not products and seed is not None:
            intro, products = self._similar(tracker, seed, shown)
        if not products:
            products = catalog.popular(limit=SHOWN)
            intro = self.shop.replies.text(tracker, "utter_best_reviewed")
        lines = [f"{i}. {p.title} — {p.price_label()}" for i, p in enumerate(products, start=1)]
        dispatcher.utter_message(
            text="\n\n".join([intro, "\n".join(lines)]),
            json_message={"type": "product_cards", "products": [p.to_card() for p in products]},
        )
        return [SlotSet("last_results", [p.id for p in products])]

    async def _from_behaviour(
        self, tracker: Tracker, seed: Product | None
    ) -> tuple[str, list[Product]]:
        model = self.shop.recommender.current()
        if model is None:
            return "", []
        catalog = self.shop.catalog
        if seed is not None:
            ids = also_bought(model, seed.id, SHOWN)
            intro = self.shop.replies.text(tracker, "utter_also_bought", title=seed.title)
        else:
            history = await self.shop.interactions.history(shopper_id(tracker))
            ids = recommend(model, history, SHOWN) if history else []
            intro = self.shop.replies.text(tracker, "utter_for_you")
        products = [p for p in (catalog.get(i) for i in ids) if p is not None]
        return intro, products

    def _similar(
        self, tracker: Tracker, seed: Product, shown: list[str]
    ) -> tuple[str, list[Product]]:
        catalog = self.shop.catalog
        band = (seed.price * PRICE_BAND[0], seed.price * PRICE_BAND[1]) if seed.price else None
        products = (
            catalog.similar(seed, set(shown), SHOWN)
            or catalog.popular(seed.category, {seed.id, *shown}, band, SHOWN)
            or catalog.popular(seed.category, {seed.id}, limit=SHOWN)
        )
        intro = self.shop.replies.text(tracker, "utter_similar", title=seed.title)
        return intro, products
