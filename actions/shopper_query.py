"""What a shopper's message asks the catalog for, in the context of the conversation.

A message that names no new product words refines the last search ("only under $100",
"what about Sony", "in black"): the last search's words, category, brand, colour and
prices stay unless the message replaces them. A comparative ("cheaper", "bigger screen")
moves from the product in focus. A budget in another currency is converted at the
store's configured rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker

from actions.catalog import Catalog, Product, SearchQuery, fts_query, screen_mentions, size_mentions
from actions.listing_facts import FACTS
from actions.money import Conversion, MoneySettings, convert
from actions.replies import entity_values, first_entity, first_in

MAX_PRICE = 1_000_000.0
RESULTS_SHOWN = 5
# entities whose words say how to search, not what to search for
_NOT_PRODUCT_WORDS = frozenset(
    {
        "price_min",
        "price_max",
        "brand",
        "color",
        "comparative",
        "price_level",
        "ordinal",
        "rating_min",
        "storage",
        "memory",
        "screen_size",
    }
)


class PriceProblem(Exception):
    """A budget that cannot be used: impossible, or in a currency without a rate."""

    def __init__(self, reply: str, **values: Any) -> None:
        super().__init__(reply)
        self.reply = reply
        self.values = values


@dataclass(frozen=True)
class SearchRequest:
    query: SearchQuery
    comparative: str | None = None  # "price<", "screen>", ...
    focus: Product | None = None  # what a comparative moves from
    price_level: str | None = None  # "low" (cheap, budget) or "high"
    conversions: list[Conversion] = field(default_factory=list)
    refined: bool = False
    color: str | None = None

    def remembered(self) -> dict[str, Any]:
        """What a later refinement keeps (the `last_search` slot)."""
        q = self.query
        return {
            "text": q.text,
            "category": q.category,
            "brand": q.brand,
            "price_min": q.price_min,
            "price_max": q.price_max,
            "color": self.color,
            "price_level": self.price_level,
        }


def message_text(tracker: Tracker) -> str:
    """The shopper's words with typos corrected (the interpreter's `corrected_text`)."""
    return _corrected(tracker.latest_message)


def _corrected(message: Mapping[str, Any]) -> str:
    return str(message.get("corrected_text") or message.get("text") or "")


def _product_words(message: Mapping[str, Any]) -> str:
    """The shopper's message without the spans of entities that only steer the search
    (offsets point into the original text, a corrected typo's span covering the typo)."""
    entities = message.get("entities") or []
    original = str(message.get("text") or "")
    spans = sorted(
        (int(e["start"]), int(e["end"]))
        for e in entities
        if e.get("entity") in _NOT_PRODUCT_WORDS and "start" in e and "end" in e
    )
    kept, position = [], 0
    for start, end in spans:
        kept.append(original[position:start])
        position = max(position, end)
    kept.append(original[position:])
    return " ".join(kept)


def comparison_base(tracker: Tracker, catalog: Catalog, comparative: str) -> Product | None:
    """What "cheaper" or "bigger" is measured from: the product the shopper opened, else the
    shown product furthest that way ("any cheaper?" after a list: cheaper than all of it)."""
    selected = tracker.get_slot("selected_product")
    if selected and (product := catalog.get(str(selected))) is not None:
        return product
    shown = [p for p in (catalog.get(i) for i in tracker.get_slot("last_results") or []) if p]
    read = FACTS[comparative[:-1]]
    known = [(value, p) for p in shown if (value := read(p)) is not None]
    if not known:
        return shown[0] if shown else None
    pick = min if comparative.endswith("<") else max
    return pick(known, key=lambda pair: pair[0])[1]


def _prices(
    tracker: Tracker, money: MoneySettings
) -> tuple[float | None, float | None, list[Conversion]]:
    limits: dict[str, float | None] = {"price_min": None, "price_max": None}
    conversions: list[Conversion] = []
    for entity in tracker.latest_message.get("entities") or []:
        name = entity.get("entity")
        if name not in limits or limits[name] is not None:
            continue
        try:
            value = float(entity.get("value"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if not 0 < value < MAX_PRICE:
            raise PriceProblem("utter_bad_price_limit")
        currency = entity.get("currency")
        conversion = convert(value, str(currency) if currency else None, money)
        if conversion is None:
            raise PriceProblem("utter_ask_store_currency", currency=currency, store=money.currency)
        if conversion.currency != money.currency:
            conversions.append(conversion)
        limits[name] = conversion.converted
    return limits["price_min"], limits["price_max"], conversions


def spec_mentions(tracker: Tracker) -> tuple[tuple[str, ...], ...]:
    """Storage, memory and screen sizes the shopper asked for, as listings write them."""
    mentions = [size_mentions(float(str(v))) for v in entity_values(tracker, "storage")]
    mentions += [size_mentions(float(str(v))) for v in entity_values(tracker, "memory")]
    mentions += [screen_mentions(float(str(v))) for v in entity_values(tracker, "screen_size")]
    return tuple(mentions)


def _search_words(message: Mapping[str, Any]) -> tuple[str, str]:
    """(the text a search embeds, its product words): a button's `query` entity as it is,
    else the corrected message and its words that are not filters."""
    query = first_in(message, "query")
    if query:
        return str(query), str(query)
    return _corrected(message), fts_query(_product_words(message))


def fresh_search_text(message: Mapping[str, Any]) -> str | None:
    """The text whose vector a search from this message alone needs, known from the parse
    alone: None for a message with no product words of its own (it may refine the last
    search, whose words are in the conversation) or a comparative (it starts from the
    product in focus). The interpreter's thread embeds it ahead of the action."""
    text, words = _search_words(message)
    if not words or first_in(message, "comparative") or not fts_query(text):
        return None
    return text


def search_request(tracker: Tracker, catalog: Catalog, money: MoneySettings) -> SearchRequest:
    """The search this message asks for; raises `PriceProblem` for a budget it cannot use."""
    text, words = _search_words(tracker.latest_message)
    price_min, price_max, conversions = _prices(tracker, money)
    previous: dict[str, Any] = tracker.get_slot("last_search") or {}
    brand = first_entity(tracker, "brand")
    category = first_entity(tracker, "category")
    color = first_entity(tracker, "color")
    level = first_entity(tracker, "price_level")
    comparative = first_entity(tracker, "comparative")
    refined = not words and not category and bool(previous.get("text") or previous.get("category"))
    if refined:
        text = str(previous.get("text") or "")
        category = category or previous.get("category")
        brand = brand or previous.get("brand")
        color = color or previous.get("color")
        level = level or previous.get("price_level")
        if price_min is None and price_max is None:
            price_min, price_max = previous.get("price_min"), previous.get("price_max")
    focus = comparison_base(tracker, catalog, str(comparative)) if comparative else None
    if comparative and focus is not None and not category:
        category = focus.category  # "cheaper" means a cheaper one of the same kind
    if comparative and focus is not None:  # "cheaper" than this one: any brand, unless named
        brand = first_entity(tracker, "brand")
    query = SearchQuery(
        text=text,
        price_min=price_min,
        price_max=price_max,
        brand=str(brand) if brand else None,
        category=str(category) if category else None,
        rating_min=_rating(tracker),
        mentions=spec_mentions(tracker),
        title_words=(str(color),) if color else (),
        limit=RESULTS_SHOWN,
    )
    return SearchRequest(
        query=query,
        comparative=str(comparative) if comparative and focus is not None else None,
        focus=focus,
        price_level=str(level) if level else None,
        conversions=conversions,
        refined=refined,
        color=str(color) if color else None,
    )


def _rating(tracker: Tracker) -> float | None:
    value = first_entity(tracker, "rating_min")
    try:
        return float(value) if value is not None else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
