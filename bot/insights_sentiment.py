"""Every shopper message read for its sentiment as well: an `Interpreter` around the service's
own that adds `sentiment: {score, label}` to the parse data, so the handoff triggers
(`bot.handoff.escalation_reason`) can see strongly negative messages. English always
(VADER plus shopping words); Chinese once its model is trained (by the opinion worker, the
first time there is something to read; it is looked for again every minute until then).

The Chinese model learnt from reviews, where short questions ("有蓝牙吗", "屏幕多大？") are
mostly complaints; in a chat they are plain questions. So a Chinese message reads negative
only when it also holds a word of displeasure (`DISPLEASURE`); otherwise no opinion (0)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import cast

from bot.interpreter import Interpreter, ParseResult
from nlu.language import detect_language
from nlu.sentiment import NEUTRAL, ChineseSentiment, EnglishSentiment, Sentiment, label_for

LOOK_AGAIN_S = 60.0  # without a Chinese model: how often to look for one trained since
# Both readers are pure Python, so a thread runs them no sooner (the GIL) and each hand-off
# costs the loop two wake-ups; only a long message goes to one, so it never stalls the loop.
READ_ON_LOOP_CHARS = 300
DISPLEASURE = (
    "差劲", "太差", "很差", "真差", "垃圾", "烂", "坑", "骗", "失望", "生气", "气死", "投诉",
    "恶心", "糟糕", "无语", "不满", "后悔", "上当", "废物", "破玩意", "什么鬼", "受不了", "太慢",
    "滚", "离谱", "忽悠", "黑心",
)  # fmt: skip


def displeased(text: str) -> bool:
    return any(word in text for word in DISPLEASURE)


def as_chat(text: str, sentiment: Sentiment) -> Sentiment:
    """A review-model reading of a chat message, with the Chinese rule above applied."""
    if sentiment.language == "zh" and sentiment.score < 0 and not displeased(text):
        return Sentiment(0.0, NEUTRAL, "zh")
    return sentiment


class SentimentInterpreter:
    """Parses with `inner`, then reads the text's sentiment (a long text in a worker thread)."""

    def __init__(
        self,
        inner: Interpreter,
        english: EnglishSentiment,
        chinese: ChineseSentiment | None,
        models: Path | None = None,
    ) -> None:
        self.inner = inner
        self.english = english
        self.chinese = chinese
        self._models = models  # where a Chinese model trained later will appear
        self._looked_at = time.monotonic()

    @classmethod
    def open(cls, inner: Interpreter, models: Path) -> SentimentInterpreter:
        """Blocking (loads a lexicon and a cached model): call it off the event loop."""
        return cls(inner, EnglishSentiment(), ChineseSentiment.cached(models), models)

    def score(self, text: str) -> float | None:
        if detect_language(text) != "zh":
            return self.english.score(text)
        if self._looks_again() and self._models is not None:
            self._looked_at = time.monotonic()  # trained since?
            self.chinese = ChineseSentiment.cached(self._models)
        if self.chinese is None:
            return None
        score = self.chinese.scores([text])[0]
        if score < 0 and not displeased(text):
            return 0.0  # a plain question or request, however the review model reads it
        return score

    def _looks_again(self) -> bool:
        """Time to look for a Chinese model again (a file read: never on the loop)."""
        waited = time.monotonic() - self._looked_at
        return self.chinese is None and self._models is not None and waited > LOOK_AGAIN_S

    async def parse(self, text: str) -> ParseResult:
        parsed = await self.inner.parse(text)
        if text.startswith("/"):
            return parsed  # a button's payload says nothing about how the shopper feels
        if len(text) <= READ_ON_LOOP_CHARS and not self._looks_again():
            score = self.score(text)
        else:
            score = await asyncio.to_thread(self.score, text)
        if score is None:
            return parsed
        sentiment = {"score": round(score, 4), "label": label_for(score)}
        return cast(ParseResult, {**parsed, "sentiment": sentiment})

    async def close(self) -> None:
        await self.inner.close()
