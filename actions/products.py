"""Product search and product details over the catalog."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import Catalog, Product, SearchQuery, fts_query, screen_mentions, size_mentions
from actions.recommend import shopper_id
from actions.replies import Replies, entity_values, first_entity
from actions.shop import ShopAction

MAX_PRICE = 1_000_000.0
RESULTS_SHOWN = 5


def _price(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _text_entity(tracker: Tracker, name: str) -> str | None:
    value = first_entity(tracker, name)
    return str(value) if value else None


def spec_mentions(tracker: Tracker) -> tuple[tuple[str, ...], ...]:
    """Storage, memory and screen sizes the shopper asked for, as listings write them."""
    mentions = [size_mentions(float(str(v))) for v in entity_values(tracker, "storage")]
    mentions += [size_mentions(float(str(v))) for v in entity_values(tracker, "memory")]
    mentions += [screen_mentions(float(str(v))) for v in entity_values(tracker, "screen_size")]
    return tuple(mentions)


CHEAPER = re.compile(r"cheaper|less expensive|lower price|便宜", re.IGNORECASE)


def shown_prices(tracker: Tracker, catalog: Catalog) -> list[float]:
    shown = [catalog.get(pid) for pid in tracker.get_slot("last_results") or []]
    return [p.price for p in shown if p is not None and p.price is not None]


def _details_button(product: Product, label: str) -> dict[str, str]:
    return {"title": label, "payload": f'/product_details{{"product_id": "{product.id}"}}'}


class ActionSearchProducts(ShopAction):
    """Words of title, category and features, within the shopper's price limits."""

    def name(self) -> str:
        return "action_search_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        query = query_from(tracker)
        if query is None:
            dispatcher.utter_message(text=self.shop.replies.text(tracker, "utter_bad_price_limit"))
            return []
        # remembered for refinements; "cheaper" narrows this search only
        search = {"text": query.text, "price_min": query.price_min, "price_max": query.price_max}
        if CHEAPER.search(str(tracker.latest_message.get("text") or "")) and (
            prices := shown_prices(tracker, self.shop.catalog)
        ):
            query = replace(query, price_max=min(prices) - 0.01)
        products = await self._search(query)
        if not products:
            dispatcher.utter_message(text=self.shop.replies.text(tracker, "utter_nothing_found"))
            return [SlotSet("last_results", [])]
        _show_results(products, dispatcher, tracker, self.shop.replies)
        return [SlotSet("last_results", [p.id for p in products]), SlotSet("last_search", search)]

    async def _search(self, query: SearchQuery) -> list[Product]:
        """Hybrid search; without the category if it finds nothing there ("gaming" PCs)."""
        vector = None
        if fts_query(query.text):  # the encoder takes milliseconds: keep it off the event loop
            vector = (await asyncio.to_thread(self.shop.encoder.encode, [query.text]))[0]
        products = self.shop.catalog.hybrid_search(query, vector)
        if not products and query.category:
            products = self.shop.catalog.hybrid_search(replace(query, category=None), vector)
        return products


def query_from(tracker: Tracker) -> SearchQuery | None:
    """The search the shopper's message asks for, refining the last one when it names no
    product words ("anything under 200?", "only ASUS"); None for a price limit that cannot
    be right."""
    text = str(first_entity(tracker, "query") or tracker.latest_message.get("text") or "")
    price_min = _price(first_entity(tracker, "price_min"))
    price_max = _price(first_entity(tracker, "price_max"))
    if any(limit is not None and not 0 < limit < MAX_PRICE for limit in (price_min, price_max)):
        return None
    previous = tracker.get_slot("last_search") or {}
    brand = first_entity(tracker, "brand")
    words = re.sub(re.escape(str(brand)), " ", text, flags=re.IGNORECASE) if brand else text
    if not fts_query(words) and previous.get("text"):
        text = str(previous["text"])
        price_min = price_min if price_min is not None else previous.get("price_min")
        price_max = price_max if price_max is not None else previous.get("price_max")
    return SearchQuery(
        text=text,
        price_min=price_min,
        price_max=price_max,
        brand=str(brand) if brand else None,
        category=_text_entity(tracker, "category"),
        rating_min=_price(first_entity(tracker, "rating_min")),
        mentions=spec_mentions(tracker),
        limit=RESULTS_SHOWN,
    )


def _show_results(
    products: list[Product], dispatcher: CollectingDispatcher, tracker: Tracker, replies: Replies
) -> None:
    """A numbered list, product cards, and buttons for details and comparing."""
    lines = [f"{i}. {p.title} — {p.price_label()}" for i, p in enumerate(products, start=1)]
    intro = replies.text(tracker, "utter_results_intro", count=len(products))
    if len(products) > 1:
        buttons = [
            *(
                _details_button(p, replies.text(tracker, "utter_button_details_n", n=i))
                for i, p in enumerate(products[:3], start=1)
            ),
            {
                "title": replies.text(tracker, "utter_button_compare_first_two"),
                "payload": "/compare_products",
            },
        ]
    else:
        buttons = [_details_button(products[0], replies.text(tracker, "utter_button_details"))]
    dispatcher.utter_message(
        text="\n".join([intro, *lines]),
        json_message={"type": "product_cards", "products": [p.to_card() for p in products]},
        buttons=buttons,
    )


def resolve_product(
    tracker: Tracker, catalog: Catalog, prefer_selected: bool = False
) -> Product | None:
    """The product the shopper means: an id from a button, "the second one", "that ASUS",
    or a name. With `prefer_selected` (questions about "it"), the product in focus wins
    over a name search, whose words are more likely the question's than a product's."""
    product_id = first_entity(tracker, "product_id")
    if product_id:
        return catalog.get(str(product_id))
    last_results: list[str] = tracker.get_slot("last_results") or []
    ordinal = first_entity(tracker, "ordinal")
    if ordinal is not None and last_results:
        index = int(str(ordinal))
        position = index - 1 if index > 0 else len(last_results) + index
        if 0 <= position < len(last_results):
            return catalog.get(last_results[position])
        return None
    brand = first_entity(tracker, "brand")
    if brand and last_results:  # "that ASUS": the shown product of that brand
        for shown_id in last_results:
            shown = catalog.get(shown_id)
            if shown is not None and shown.brand.lower() == str(brand).lower():
                return shown
    selected = tracker.get_slot("selected_product")
    if prefer_selected and selected and not brand:
        return catalog.get(str(selected))
    text = str(tracker.latest_message.get("text") or "")
    if ordinal is None and fts_query(text):
        named = catalog.find_by_name(text)
        if named is not None:
            return named
    return catalog.get(str(selected)) if selected else None


def describe(product: Product, tracker: Tracker, replies: Replies) -> str:
    rating = (
        replies.text(
            tracker, "utter_rating", rating=product.rating, reviews=product.review_count
        )
        if product.rating is not None
        else replies.text(tracker, "utter_no_ratings")
    )
    lines = [product.title, f"{product.price_label()} · {product.category}", rating]
    if product.discount:
        lines.append(product.discount)
    lines.extend(f"• {feature}" for feature in product.features)
    return "\n".join(lines)


class ActionProductDetails(ShopAction):
    def name(self) -> str:
        return "action_product_details"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        product = resolve_product(tracker, self.shop.catalog)
        if product is None:
            dispatcher.utter_message(text=self.shop.replies.text(tracker, "utter_details_which"))
            return []
        dispatcher.utter_message(
            text=describe(product, tracker, self.shop.replies),
            json_message={
                "type": "product_detail",
                "product": {**product.to_card(), "features": product.features},
            },
            buttons=[
                {
                    "title": self.shop.replies.text(tracker, "utter_button_more_like_this"),
                    "payload": f'/recommend{{"product_id": "{product.id}"}}',
                }
            ],
        )
        self.shop.interactions.log(shopper_id(tracker), product.id, "view")
        return [SlotSet("selected_product", product.id)]
