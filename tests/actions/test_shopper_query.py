"""Which messages' query vectors the interpreter's job can make before the search action runs."""

from __future__ import annotations

from typing import Any

from actions.shopper_query import fresh_search_text


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
