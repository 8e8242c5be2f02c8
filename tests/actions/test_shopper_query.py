"""Which messages' query vectors the interpreter's job can make before the search action runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

from actions.catalog import Catalog
from actions.money import MoneySettings
from actions.shopper_query import fresh_search_text, search_request


def entity(name: str, value: Any, start: int, end: int) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": start, "end": end}


def test_a_search_with_words_of_its_own_is_known_from_the_parse() -> None:
    text = "wireless headphones under $100"
    message = {"text": text, "entities": [entity("price_max", 100.0, 20, 30)]}
    assert fresh_search_text(message) == text  # the whole message, as the action embeds it


def test_the_corrected_text_is_what_the_search_embeds() -> None:
    message = {"text": "wireles hedphones", "corrected_text": "wireless headphones"}
    assert fresh_search_text(message) == "wireless headphones"


def test_a_buttons_query_is_searched_as_it_is() -> None:
    message = {"text": "/search_product", "entities": [{"entity": "query", "value": "tv"}]}
    assert fresh_search_text(message) == "tv"


def test_refinements_and_comparatives_depend_on_the_conversation() -> None:
    """ "sony ones" searches the last search's words; "cheaper" starts from the product in
    focus: neither can be embedded from the message alone."""
    assert (
        fresh_search_text({"text": "sony ones", "entities": [entity("brand", "Sony", 0, 4)]})
        is None
    )
    only = {"text": "only under $50", "entities": [entity("price_max", 50.0, 5, 14)]}
    assert fresh_search_text(only) is None
    cheaper = {"text": "cheaper headphones", "entities": [entity("comparative", "cheaper", 0, 7)]}
    assert fresh_search_text(cheaper) is None


def test_what_is_embedded_ahead_is_what_the_search_asks_for(tmp_path: Path) -> None:
    """Whenever the interpreter's job embeds a text, the search the action builds from the
    same message (after an earlier search, so it could refine) embeds that very text."""
    catalog = Catalog(tmp_path / "catalog.db")
    previous = {"text": "wireless headphones", "category": "headphones"}
    messages = [
        {
            "text": "wireless headphones under $100",
            "entities": [entity("price_max", 100.0, 20, 30)],
        },
        {"text": "wireles hedphones", "corrected_text": "wireless headphones"},
        {"text": "sony ones", "entities": [entity("brand", "Sony", 0, 4)]},
        {"text": "only under $50", "entities": [entity("price_max", 50.0, 5, 14)]},
        {"text": "a black laptop", "entities": [entity("color", "black", 2, 7)]},
        {"text": "有没有3000块以内的笔记本", "entities": [entity("price_max", 3000.0, 3, 8)]},
    ]
    try:
        for message in messages:
            tracker = Tracker("t", {"last_search": previous}, message, [], False, None, {}, None)
            request = search_request(tracker, catalog, MoneySettings())
            ahead = fresh_search_text(message)
            assert ahead is None or ahead == request.query.text, message
            assert ahead is not None or request.refined, message
    finally:
        catalog.close()
