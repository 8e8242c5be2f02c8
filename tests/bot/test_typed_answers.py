"""A typed yes or no read as the button of the yes/no question the bot just asked."""

from __future__ import annotations

from typing import Any

from bot.tracker import ConversationTracker
from bot.typed_answers import as_button

OFFER = [{"title": "Talk to a person", "payload": "/contact_human_agent"},
         {"title": "No thanks", "payload": "/stop"}]  # fmt: skip


def said(intent: str, text: str = "yes") -> dict[str, Any]:
    score = {"name": intent, "confidence": 0.97}
    return {"text": text, "intent": score, "intent_ranking": [score], "entities": [],
            "language": "en"}  # fmt: skip


def after(text: str, buttons: list[dict[str, str]], *later: dict[str, Any]) -> ConversationTracker:
    events = [
        {"event": "user", "text": "where is my order", "parse_data": said("check_order")},
        {"event": "bot", "text": text, "data": {"buttons": buttons}},
        *later,
    ]
    return ConversationTracker.from_events("rest:t", events)


def test_yes_takes_the_offer_and_no_declines_it() -> None:
    tracker = after("Would you like a person from our team to help?", OFFER)
    yes = as_button(tracker, "yes", said("affirm"))
    assert yes["intent"]["name"] == "contact_human_agent"
    assert yes["text"] == "yes" and yes["language"] == "en"  # the shopper's own words
    assert as_button(tracker, "nope", said("deny", "nope"))["intent"]["name"] == "stop"


def test_a_chinese_question_mark_asks_too() -> None:
    tracker = after("要不要转给人工客服帮您处理？", OFFER)
    assert as_button(tracker, "要", said("affirm", "要"))["intent"]["name"] == "contact_human_agent"


def test_only_a_question_with_a_way_to_decline_is_answered() -> None:
    """A greeting's quick replies have no refusal; a list of products asks nothing."""
    quick = [{"title": "Laptops", "payload": '/search_product{"query": "laptop"}'}]
    greeting = after("Hi! What are you shopping for?", quick)
    assert as_button(greeting, "yes", said("affirm"))["intent"]["name"] == "affirm"
    results = after("Here are 5 products I found: ...", OFFER)
    assert as_button(results, "yes", said("affirm"))["intent"]["name"] == "affirm"


def test_other_intents_buttons_and_later_messages_are_left_alone() -> None:
    tracker = after("Would you like a person from our team to help?", OFFER)
    assert (
        as_button(tracker, "laptops", said("search_product"))["intent"]["name"] == "search_product"
    )
    assert as_button(tracker, "/affirm", said("affirm", "/affirm"))["intent"]["name"] == "affirm"
    answered = after(
        "Would you like a person from our team to help?",
        OFFER,
        {"event": "user", "text": "hmm", "parse_data": said("out_of_scope", "hmm")},
    )
    assert as_button(answered, "yes", said("affirm"))["intent"]["name"] == "affirm"
