"""Comparing two or three products side by side on what their listings share."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import Catalog, Product
from actions.product_answers import ATTRIBUTES, Attribute
from actions.replies import entity_values
from actions.shop import ShopAction

Row = tuple[tuple[str, ...], list[str]]  # (the attributes a row states, one value per product)


def comparison_table(products: list[Product], missing: str = "not stated") -> list[Row]:
    """Rows of (attributes, one value per product) for the attributes the listings share:
    price, brand and rating always; a spec row when at least two listings state it (one
    bullet often states several attributes: they share its row). `missing` fills a gap."""
    rows: list[Row] = [
        (("price",), [p.price_label() if p.price is not None else missing for p in products]),
        (("brand",), [p.brand for p in products]),
        (("rating",), [f"{p.rating}/5 ({p.review_count})" if p.rating else "–" for p in products]),
    ]
    specs: dict[tuple[str, ...], list[str]] = {}
    for attribute in ATTRIBUTES:
        values = [_stated(attribute, p) for p in products]
        if sum(v is not None for v in values) >= 2:
            specs.setdefault(tuple(v or missing for v in values), []).append(attribute.name)
    rows += [(tuple(names), list(values)) for values, names in specs.items()]
    return rows


def _stated(attribute: Attribute, product: Product) -> str | None:
    for line in [*product.features, product.title]:
        if attribute.stated.search(line):
            return line
    return None


def products_to_compare(tracker: Tracker, catalog: Catalog) -> list[Product]:
    """The shown products the shopper names by position, else the first two shown."""
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


class ActionCompareProducts(ShopAction):
    def name(self) -> str:
        return "action_compare_products"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        products = products_to_compare(tracker, self.shop.catalog)
        if len(products) < 2:
            dispatcher.utter_message(text=self.shop.replies.text(tracker, "utter_compare_which"))
            return []
        replies = self.shop.replies
        table = comparison_table(products, replies.text(tracker, "utter_not_stated"))
        labels = [
            replies.join(tracker, [replies.label(tracker, "attribute", a) for a in attributes])
            for attributes, _ in table
        ]
        lines = [" | ".join(f"#{i}" for i in range(1, len(products) + 1))]
        lines += [f"{label}: " + " | ".join(v) for label, (_, v) in zip(labels, table, strict=True)]
        titles = [f"#{i} {p.title}" for i, p in enumerate(products, start=1)]
        dispatcher.utter_message(
            text="\n".join([replies.text(tracker, "utter_compare_intro"), *titles, *lines]),
            json_message={
                "type": "comparison",
                "products": [
                    {**p.to_card(), "brand": p.brand, "features": p.features} for p in products
                ],
                "rows": [
                    {"attribute": ", ".join(a), "label": label, "values": v}
                    for label, (a, v) in zip(labels, table, strict=True)
                ],
            },
        )
        return []
