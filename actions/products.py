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
from actions.replies import entity_values, first_entity, say
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
            dispatcher.utter_message(
                text=say(
                    tracker,
                    en='That price limit doesn\'t look right. Try something like "under $500".',
                    zh="这个价格范围看起来不太对，可以试试“500元以内”。",
                )
            )
            return []
        # remembered for refinements; "cheaper" narrows this search only
        search = {"text": query.text, "price_min": query.price_min, "price_max": query.price_max}
        if CHEAPER.search(str(tracker.latest_message.get("text") or "")) and (
            prices := shown_prices(tracker, self.shop.catalog)
        ):
            query = replace(query, price_max=min(prices) - 0.01)
        products = await self._search(query)
        if not products:
            dispatcher.utter_message(
                text=say(
                    tracker,
                    en="I found nothing like that. Try other words or a wider price range.",
                    zh="没有找到符合条件的商品，换个关键词或放宽价格范围试试。",
                )
            )
            return [SlotSet("last_results", [])]
        _show_results(products, dispatcher, tracker)
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
    products: list[Product], dispatcher: CollectingDispatcher, tracker: Tracker
) -> None:
    """A numbered list, product cards, and buttons for details and comparing."""
    lines = [f"{i}. {p.title} — {p.price_label()}" for i, p in enumerate(products, start=1)]
    intro = say(
        tracker,
        en=f"Here are {len(products)} products I found:",
        zh=f"为您找到 {len(products)} 件商品：",
    )
    if len(products) > 1:
        buttons = [
            *(
                _details_button(p, say(tracker, en=f"Details #{i}", zh=f"第{i}个详情"))
                for i, p in enumerate(products[:3], start=1)
            ),
            {
                "title": say(tracker, en="Compare #1 and #2", zh="对比前两个"),
                "payload": "/compare_products",
            },
        ]
    else:
        buttons = [_details_button(products[0], say(tracker, en="Details", zh="详情"))]
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


def describe(product: Product, tracker: Tracker) -> str:
    rating = (
        say(
            tracker,
            en=f"Rated {product.rating}/5 from {product.review_count} reviews.",
            zh=f"评分 {product.rating}/5（{product.review_count} 条评价）。",
        )
        if product.rating is not None
        else say(tracker, en="No ratings yet.", zh="暂无评分。")
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
            dispatcher.utter_message(
                text=say(
                    tracker,
                    en='Which product do you mean? Search, then pick one, e.g. "the second one".',
                    zh="您指的是哪件商品？先搜索，再选一个，比如“第二个”。",
                )
            )
            return []
        dispatcher.utter_message(
            text=describe(product, tracker),
            json_message={
                "type": "product_detail",
                "product": {**product.to_card(), "features": product.features},
            },
            buttons=[
                {
                    "title": say(tracker, en="More like this", zh="类似商品"),
                    "payload": f'/recommend{{"product_id": "{product.id}"}}',
                }
            ],
        )
        self.shop.interactions.log(shopper_id(tracker), product.id, "view")
        return [SlotSet("selected_product", product.id)]
