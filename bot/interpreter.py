"""What the core needs from NLU: text in, Rasa `parse_data` out. Implementations live in `nlu/`,
with the result types (`nlu.results`), so the core depends on NLU and never the other way."""

from __future__ import annotations

from typing import Protocol

from nlu.results import IntentScore, Overloaded, ParseResult

__all__ = ["IntentScore", "Interpreter", "Overloaded", "ParseResult"]


class Interpreter(Protocol):
    """Reads a message; must not block the event loop. May raise `Overloaded`."""

    async def parse(self, text: str) -> ParseResult: ...

    async def close(self) -> None: ...
