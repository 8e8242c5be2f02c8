"""Strongly negative shopper messages feed the handoff triggers: the sentiment-reading
interpreter adds a score to the parse data, and two strongly negative messages in a row put
the conversation in the agents' queue (a real Bot, real SQLite, a keyword interpreter)."""

from __future__ import annotations

from pathlib import Path

from bot.domain import Domain
from bot.engine import Bot
from bot.handoff import HandoffSettings, Summary
from bot.insights_sentiment import SentimentInterpreter
from bot.messages import UserMessage
from bot.policy import RulePolicy
from bot.settings import Settings
from bot.store import SqliteConversationStore
from nlu.sentiment import EnglishSentiment
from tests.fakes.action_runner import ScriptedActions
from tests.fakes.interpreter import KeywordInterpreter

RULES = {"hello": ("greet", 0.95)}


class RecordingDesk:
    def __init__(self) -> None:
        self.escalations: list[Summary] = []

    def escalated(self, summary: Summary) -> None:
        self.escalations.append(summary)

    def shopper_wrote(self, conversation_id: str, text: str) -> None:
        return None


async def _bot(home: Path, desk: RecordingDesk, handoff: HandoffSettings) -> Bot:
    config = Settings(home=home)
    domain = Domain.load(config.domain_file)
    reading = SentimentInterpreter(KeywordInterpreter(RULES), EnglishSentiment(), None)
    return await Bot.start(
        domain=domain,
        store=SqliteConversationStore(config.conversations_db),
        interpreter=reading,
        actions=ScriptedActions(domain, {"action_greet": "utter_greet"}, {}),
        policy=RulePolicy(domain.policy, 0.4),
        handoff=handoff,
        desk=desk,
    )


ANGRY = (
    "This is the worst, most useless shop ever, absolutely terrible!",
    "Awful. Horrible service, I hate this, total garbage.",
)


async def test_two_strongly_negative_messages_in_a_row_go_to_a_person(tmp_path: Path) -> None:
    desk = RecordingDesk()
    bot = await _bot(tmp_path, desk, HandoffSettings())
    await bot.handle(UserMessage(ANGRY[0], "ann"))
    tracker = await bot.tracker("rest:ann")
    assert tracker.latest_message["sentiment"]["label"] == "negative"
    assert not tracker.paused and desk.escalations == []
    await bot.handle(UserMessage(ANGRY[1], "ann"))
    assert (await bot.tracker("rest:ann")).paused
    assert desk.escalations[0].reason == "2 strongly negative messages in a row"
    await bot.store.close()


async def test_one_angry_message_or_the_trigger_off_keeps_the_bot(tmp_path: Path) -> None:
    desk = RecordingDesk()
    bot = await _bot(tmp_path, desk, HandoffSettings(negatives_in_a_row=None))
    for text in ANGRY:
        await bot.handle(UserMessage(text, "bo"))
    await bot.handle(UserMessage(ANGRY[0], "cy"))
    await bot.handle(UserMessage("hello", "cy"))
    await bot.handle(UserMessage(ANGRY[1], "cy"))
    assert desk.escalations == []
    await bot.store.close()
    bot = await _bot(tmp_path / "on", desk, HandoffSettings())
    await bot.handle(UserMessage(ANGRY[0], "cy"))
    await bot.handle(UserMessage("hello", "cy"))
    await bot.handle(UserMessage(ANGRY[1], "cy"))
    assert desk.escalations == []
    await bot.store.close()


def test_a_plain_chinese_question_is_no_complaint() -> None:
    """The review model reads short questions as negative; without a word of displeasure a
    Chinese message has no opinion."""
    from nlu.char_ngrams import NgramRecipe
    from nlu.sentiment import TRAIN, ChineseSentiment, reviews_in

    small = ChineseSentiment.train(reviews_in([TRAIN])[:3000], NgramRecipe(epochs=3))
    reading = SentimentInterpreter(KeywordInterpreter(RULES), EnglishSentiment(), small)
    assert reading.score("有蓝牙吗") == 0.0
    angry = reading.score("客服态度太差了，垃圾")
    assert angry is not None and angry < 0
