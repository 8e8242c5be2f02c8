"""A keyword interpreter for core tests that must control intents and confidences exactly."""

from __future__ import annotations

import asyncio

from nlu.results import IntentScore, ParseResult


class KeywordInterpreter:
    """`rules` maps a keyword to (intent, confidence); the first keyword found in the text wins."""

    def __init__(self, rules: dict[str, tuple[str, float]], delay_s: float = 0.0) -> None:
        self.rules = rules
        self.delay_s = delay_s

    async def parse(self, text: str) -> ParseResult:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        for keyword, (intent, confidence) in self.rules.items():
            if keyword in text.lower():
                score = IntentScore(name=intent, confidence=confidence)
                return ParseResult(
                    text=text, intent=score, intent_ranking=[score], entities=[], language="en"
                )
        score = IntentScore(name="out_of_scope", confidence=0.99)
        return ParseResult(
            text=text, intent=score, intent_ranking=[score], entities=[], language="en"
        )

    async def close(self) -> None:
        return None
