"""The conversation figures read from a real conversations.db written by a real Bot: per day
by channel and language, intents, fallbacks, handoffs and time to claim, and the sentiment
each message was read with when it came in."""

from __future__ import annotations

import time
from pathlib import Path

from bot.handoff import HandoffService, HandoffSettings
from bot.insights import conversation_stats
from bot.messages import UserMessage
from bot.settings import Settings
from tests.connectors.test_insights_handoff import ANGRY, RecordingDesk, _bot


async def test_figures_of_real_conversations(tmp_path: Path) -> None:
    bot = await _bot(tmp_path, RecordingDesk(), HandoffSettings())
    service = HandoffService(bot, lambda *_: None, bot.say)
    await bot.handle(UserMessage("hello", "ann"))
    for text in ANGRY:
        await bot.handle(UserMessage(text, "ann"))  # the second goes to a person
    await service.claim("rest:ann", "Dana")
    await bot.handle(UserMessage("hello", "bo"))
    await bot.handle(UserMessage("/greet", "bo"))  # a button: not the shopper's words
    await bot.store.close()

    stats = conversation_stats(Settings(home=tmp_path).conversations_db, time.time() - 3600)
    assert stats["conversations"] == 2
    assert {(row["channel"], row["conversations"]) for row in stats["per_day"]} == {("rest", 2)}
    assert stats["intents"]["greet"] == 2
    assert stats["handoff_rate"] == 0.5
    assert stats["time_to_claim_s"]["claims"] == 1
    assert stats["time_to_claim_s"]["median"] >= 0
    [today] = stats["message_sentiment"]  # read when they came in; no model needed now
    assert today["messages"] == 4 and today["negative"] == 2
