"""What reading a message produces (Rasa's `parse_data`), and the one error it may raise."""

from __future__ import annotations

from typing import Any, TypedDict


class IntentScore(TypedDict):
    name: str
    confidence: float


class ParseResult(TypedDict, total=False):
    text: str
    intent: IntentScore
    intent_ranking: list[IntentScore]
    entities: list[dict[str, Any]]
    language: str
    corrected_text: str  # the text with typos corrected, where any were


class Overloaded(Exception):
    """Too much is waiting for a model; the channel answers "busy" and the shopper retries."""
