"""Small helpers for composing replies in the shopper's language."""

from __future__ import annotations

from rasa_sdk import Tracker


def language(tracker: Tracker) -> str:
    return "zh" if tracker.get_slot("language") == "zh" else "en"


def help_buttons(tracker: Tracker) -> list[dict[str, str]]:
    if language(tracker) == "zh":
        return [
            {"title": "看看笔记本电脑", "payload": '/search_product{"query": "laptop"}'},
            {"title": "看看耳机", "payload": '/search_product{"query": "headphones"}'},
        ]
    return [
        {"title": "Laptops", "payload": '/search_product{"query": "laptop"}'},
        {"title": "Headphones", "payload": '/search_product{"query": "headphones"}'},
    ]


def say(tracker: Tracker, en: str, zh: str) -> str:
    """Pick the shopper's language for text an action composes itself."""
    return zh if language(tracker) == "zh" else en


def entity_values(tracker: Tracker, name: str) -> list[object]:
    """Values of entity `name` in the latest message, in order of appearance."""
    entities = tracker.latest_message.get("entities") or []
    return [e.get("value") for e in entities if e.get("entity") == name]


def first_entity(tracker: Tracker, name: str) -> object | None:
    values = entity_values(tracker, name)
    return values[0] if values else None
