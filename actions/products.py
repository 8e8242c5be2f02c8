"""Product search and product details over the catalog."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import numpy as np
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import Catalog, Product, SearchQuery, fts_query
from actions.listing_facts import satisfies
from actions.recommend import shopper_id
from actions.replies import Replies, first_entity, language
from actions.shop import ShopAction
from actions.shopper_query import PriceProblem, SearchRequest, message_text, search_request

# Below this cosine similarity a product found only by its embedding is not related to the
# query (measured on the demo catalog: bench/search_relevance.py).
RELEVANCE_FLOOR = 0.35
SIMILAR_POOL = 200


def _details_button(product: Product, label: str) -> dict[str, str]:
    return {"title": label, "payload": f'/product_details{{"product_id": "{product.id}"}}'}


def _search_button(title: str, category: str) -> dict[str, str]:
    values = json.dumps({"query": category, "category": category}, ensure_ascii=False)
    return {"title": title, "payload": f"/search_product{values}"}


class ActionSearchProducts(ShopAction):
    """Words of title, category and features, within the shopper's limits and context; a
    named category or brand is a hard filter, and nothing unrelated fills an empty list."""

    def name(self) -> str:
        return "action_search_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        replies, money = self.shop.replies, self.shop.money
        try:
            request = search_request(tracker, self.shop.catalog, money)
        except PriceProblem as problem:
            values = _currencies_named(problem.values, tracker, replies)
            dispatcher.utter_message(text=replies.text(tracker, problem.reply, **values))
            return []
        notes = [
            replies.text(
                tracker,
                "utter_converted_budget",
                amount=f"{c.amount:,.0f}",
                currency=replies.label(tracker, "currency", c.currency),
                converted=money.label(c.converted),
                rate=f"{c.rate:g}",
                symbol=money.symbol,
            )
            for c in request.conversions
        ]
        remembered = SlotSet("last_search", request.remembered())
        if request.comparative and request.focus is not None:
            products = self._comparative(request)
            if not products:
                better = replies.text(tracker, comparative_reply(request.comparative))
                text = replies.text(
                    tracker, "utter_nothing_better", better=better, title=request.focus.title
                )
                dispatcher.utter_message(text="\n".join([*notes, text]))
                return [remembered]
        else:
            vector = await self._vector(request.query.text)
            products = self._search(request, vector)
            if not products:
                dispatcher.utter_message(**self._nothing_found(tracker, request, vector, notes))
                return [SlotSet("last_results", []), remembered]
        _show_results(products, dispatcher, tracker, replies, notes)
        # a new list: "it" and "cheaper" now mean these, not a product opened before
        return [
            SlotSet("last_results", [p.id for p in products]),
            SlotSet("selected_product", None),
            remembered,
        ]

    async def _vector(self, text: str) -> np.ndarray | None:
        if not fts_query(text):
            return None
        return await self.shop.queries.embed(text)  # batched, on the model worker

    def _search(self, request: SearchRequest, vector: np.ndarray | None) -> list[Product]:
        """Hybrid search above the relevance floor; "cheap" ranks the relevant by price."""
        query = request.query
        if not fts_query(query.text) and not query.has_filters() and not request.price_level:
            return []  # nothing we can search for ("有没有割草机"): never a list of bestsellers
        # "cheap": the cheapest of the most relevant, not the cheapest accessory in the category
        pool = replace(query, limit=query.limit * 2) if request.price_level else query
        # inside a named category everything is related: rank it, no floor needed
        floor = -1.0 if query.category else RELEVANCE_FLOOR
        products = self.shop.catalog.hybrid_search(pool, vector, floor)
        if request.price_level:
            priced = [p for p in products if p.price is not None]
            priced.sort(key=lambda p: p.price or 0.0, reverse=request.price_level == "high")
            products = priced[: query.limit]
        return products

    def _comparative(self, request: SearchRequest) -> list[Product]:
        """Products like the one in focus, of its kind, on the asked side of it."""
        focus, query = request.focus, request.query
        assert focus is not None and request.comparative is not None
        candidates = self.shop.catalog.similar(focus, set(), SIMILAR_POOL)
        return [
            p
            for p in candidates
            if p.category == query.category
            and (query.brand is None or p.brand.lower() == query.brand.lower())
            and within_prices(p, query)
            and satisfies(p, focus, request.comparative)
        ][: query.limit]

    def _nothing_found(
        self,
        tracker: Tracker,
        request: SearchRequest,
        vector: np.ndarray | None,
        notes: list[str],
    ) -> dict[str, Any]:
        """Say so, and offer what is nearest: the cheapest of a named kind, or the closest
        category; never unrelated products."""
        replies, catalog, query = self.shop.replies, self.shop.catalog, request.query
        if query.category or query.brand:
            kind = query.brand or ""
            if query.category:
                kind = f"{kind} {replies.label(tracker, 'category', query.category)}".strip()
            cheapest = catalog.cheapest(query)
            if cheapest is not None and cheapest.price and query.price_max is not None:
                text = replies.text(
                    tracker,
                    "utter_nothing_within",
                    kind=kind,
                    limit=self.shop.money.label(query.price_max),
                    cheapest=cheapest.price_label(),
                )
                return {
                    "text": "\n".join([*notes, text]),
                    "buttons": [_details_button(cheapest, cheapest.title[:60])],
                }
            text = replies.text(tracker, "utter_nothing_of_kind", kind=kind)
            return {"text": "\n".join([*notes, text])}
        nearest = catalog.nearest_category(vector) if vector is not None else None
        if nearest is None:
            return {"text": "\n".join([*notes, replies.text(tracker, "utter_nothing_found")])}
        named = replies.label(tracker, "category", nearest)  # the payload keeps the catalog's
        text = replies.text(tracker, "utter_nothing_found_nearest", category=named)
        button = replies.text(tracker, "utter_button_show_category", category=named)
        no_thanks = {"title": replies.text(tracker, "utter_button_no_thanks"), "payload": "/stop"}
        return {
            "text": "\n".join([*notes, text]),
            "buttons": [_search_button(button, nearest), no_thanks],  # a typed yes or no too
        }


def _currencies_named(values: dict[str, Any], tracker: Tracker, replies: Replies) -> dict[str, Any]:
    """A price problem's currency codes as the shopper's language names them (元, 美元)."""
    named = ("currency", "store")
    return {
        key: replies.label(tracker, "currency", str(value)) if key in named else value
        for key, value in values.items()
    }


def comparative_reply(comparative: str) -> str:
    """ "price<" -> the response that says "cheaper"."""
    direction = "less" if comparative.endswith("<") else "more"
    return f"utter_comparative_{comparative[:-1]}_{direction}"


def within_prices(product: Product, query: SearchQuery) -> bool:
    if query.price_min is None and query.price_max is None:
        return True
    if product.price is None:
        return False
    return (query.price_min is None or product.price >= query.price_min) and (
        query.price_max is None or product.price <= query.price_max
    )


def _show_results(
    products: list[Product],
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    replies: Replies,
    notes: list[str],
) -> None:
    """A numbered list, product cards, and buttons for details and comparing."""
    lines = [
        f"{i}. {p.title} — {price_text(p, tracker, replies)}"
        for i, p in enumerate(products, start=1)
    ]
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
        # a blank line before the list: Markdown renderers (rasa-webchat) keep it a list
        text="\n\n".join([*notes, intro, "\n".join(lines)]),
        json_message={"type": "product_cards", "products": [p.to_card() for p in products]},
        buttons=buttons,
    )


# the first lookahead is bounded: unbounded, it rescanned a long run of letters and hyphens
# from every word boundary in it (quadratic); no model number has 64 of them before a digit
_MODEL_NUMBER = re.compile(r"\b(?=[A-Za-z-]{0,64}\d)(?=\d*[A-Za-z])[A-Za-z0-9-]{3,}\b")


def resolve_product(
    tracker: Tracker, catalog: Catalog, prefer_selected: bool = False
) -> Product | None:
    """The product the shopper means: an id from a button, "the second one" / 第二个, "that
    ASUS", a product named by brand or model number, or the one in focus ("it", 这个). With
    `prefer_selected` (questions about "it"), the product in focus wins over a name search.
    Never a product the conversation has not shown, unless the shopper named it."""
    product_id = first_entity(tracker, "product_id")
    if product_id:
        return catalog.get(str(product_id))
    last_results: list[str] = tracker.get_slot("last_results") or []
    ordinal = first_entity(tracker, "ordinal")
    if ordinal is not None:
        index = int(str(ordinal))
        position = index - 1 if index > 0 else len(last_results) + index
        if 0 <= position < len(last_results):
            return catalog.get(last_results[position])
        focus = tracker.get_slot("selected_product")
        if not last_results and focus and index in (1, -1):
            return catalog.get(str(focus))  # one product on screen: it is the first and last
        return None
    brand = first_entity(tracker, "brand")
    if brand and last_results:  # "that ASUS": the shown product of that brand
        for shown_id in last_results:
            shown = catalog.get(shown_id)
            if shown is not None and shown.brand.lower() == str(brand).lower():
                return shown
    focus = tracker.get_slot("selected_product") or (
        last_results[0] if len(last_results) == 1 else None
    )
    if prefer_selected and focus and not brand:
        return catalog.get(str(focus))
    named = _named_product(tracker, catalog, brand)
    if named is not None:
        return named
    return catalog.get(str(focus)) if focus else None


def _named_product(tracker: Tracker, catalog: Catalog, brand: object | None) -> Product | None:
    """A product the message names: its brand or a model number must be in the title."""
    text = message_text(tracker)
    models = [m.group(0).lower() for m in _MODEL_NUMBER.finditer(text)]
    if not brand and not models:
        return None
    found = catalog.find_by_name(text) if fts_query(text) else None
    if found is None:
        return None
    title = found.title.lower()
    if (brand and str(brand).lower() in title) or any(m in title for m in models):
        return found
    return None


def price_text(product: Product, tracker: Tracker, replies: Replies) -> str:
    """The price as the card shows it, or "price on request" in the shopper's language."""
    if product.price is None:
        return replies.text(tracker, "utter_price_on_request")
    return product.price_label()


# the listings' two common discount notes, said again in Chinese; others stay as written
_DISCOUNT_OFF = re.compile(r"After \$([0-9,]{1,12}(?:\.[0-9]{1,2})?) OFF", re.IGNORECASE)
_VALID_THROUGH = re.compile(r"Price valid through ([0-9]{1,2})/([0-9]{1,2})/([0-9]{2})")


def discount_text(product: Product, tracker: Tracker, replies: Replies) -> str | None:
    """The listing's discount note; in a Chinese conversation in Chinese where it is one of
    the forms the catalog uses ("After $200 OFF", "Price valid through 1/14/24")."""
    note = product.discount
    if note is None or language(tracker) != "zh":
        return note
    if off := _DISCOUNT_OFF.fullmatch(note):
        return replies.text(tracker, "utter_discount_off", amount=float(off[1].replace(",", "")))
    if until := _VALID_THROUGH.fullmatch(note):
        month, day, year = (int(part) for part in until.groups())
        date = replies.text(tracker, "utter_date", year=2000 + year, month=month, day=day)
        return replies.text(tracker, "utter_price_valid_through", date=date)
    return note


def describe(product: Product, tracker: Tracker, replies: Replies) -> str:
    rating = (
        replies.text(tracker, "utter_rating", rating=product.rating, reviews=product.review_count)
        if product.rating is not None
        else replies.text(tracker, "utter_no_ratings")
    )
    category = replies.label(tracker, "category", product.category)
    header = [product.title, f"{price_text(product, tracker, replies)} · {category}", rating]
    discount = discount_text(product, tracker, replies)
    if discount:
        header.append(discount)
    # two trailing spaces: a line break in Markdown (rasa-webchat), invisible elsewhere
    bullets = "\n".join(f"- {feature}" for feature in product.features)
    return "  \n".join(header) + ("\n\n" + bullets if bullets else "")


class ActionProductDetails(ShopAction):
    def name(self) -> str:
        return "action_product_details"

    async def run(
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
        await self.shop.interactions.log(shopper_id(tracker), product.id, "view")
        return [SlotSet("selected_product", product.id)]
