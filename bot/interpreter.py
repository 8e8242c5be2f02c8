"""What the core needs from NLU: text in, Rasa `parse_data` out. Implementations live in `nlu/`."""

from __future__ import annotations

from typing import Any, Protocol, TypedDict


class IntentScore(TypedDict):
    name: str
    confidence: float


class ParseResult(TypedDict, total=False):
    text: str
    intent: IntentScore
    intent_ranking: list[IntentScore]
    entities: list[dict[str, Any]]
    language: str


class Overloaded(Exception):
    """Too much is waiting for a model; the channel answers "busy" and the shopper retries."""


class Interpreter(Protocol):
    """Reads a message; must not block the event loop. May raise `Overloaded`."""

    async def parse(self, text: str) -> ParseResult: ...

    async def close(self) -> None: ...
