"""Handoff in the core: each trigger, the bot's silence while a person has the conversation,
the summary agents see, and a restart that loses nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain import Domain
from bot.engine import Bot
from bot.handoff import HandoffService, HandoffSettings, Refused, Summary, mask
from bot.messages import UserMessage
from bot.policy import RulePolicy
from bot.settings import Settings
from bot.store import SqliteConversationStore
from tests.fakes.action_runner import ScriptedActions
from tests.fakes.interpreter import KeywordInterpreter

RULES = {
    "person": ("contact_human_agent", 0.95),
    "hello": ("greet", 0.95),
    "thanks": ("thank_you", 0.95),
    "laptop": ("search_product", 0.95),
    "mumble": ("search_product", 0.1),  # below the fallback threshold
}


class RecordingDesk:
    def __init__(self) -> None:
        self.escalations: list[Summary] = []
        self.lines: list[tuple[str, str]] = []

    def escalated(self, summary: Summary) -> None:
        self.escalations.append(summary)

    def shopper_wrote(self, conversation_id: str, text: str) -> None:
        self.lines.append((conversation_id, text))


async def _bot(home: Path, desk: RecordingDesk, settings: HandoffSettings | None = None) -> Bot:
    config = Settings(home=home)
    domain = Domain.load(config.domain_file)
    requested = {"action_answer_policy": [
        {"event": "slot", "name": "handoff_requested", "value": "contact_human_agent"}
    ]}  # fmt: skip
    return await Bot.start(
        domain=domain,
        store=SqliteConversationStore(config.conversations_db),
        interpreter=KeywordInterpreter(RULES),
        actions=ScriptedActions(domain, {"action_greet": "utter_greet"}, requested),
        policy=RulePolicy(domain.policy, 0.4),
        handoff=settings,
        desk=desk,
    )


@pytest.fixture
def desk() -> RecordingDesk:
    return RecordingDesk()


@pytest.fixture
async def bot(tmp_path: Path, desk: RecordingDesk) -> AsyncIterator[Bot]:
    bot = await _bot(tmp_path, desk)
    yield bot
    await bot.store.close()


async def _say(bot: Bot, sender: str, text: str) -> list[str]:
    return [r.text or "" for r in await bot.handle(UserMessage(text, sender))]


async def test_asking_for_a_person_pauses_the_bot_and_queues_the_conversation(
    bot: Bot, desk: RecordingDesk
) -> None:
    await _say(bot, "ann", "hello my email is ann@example.com")
    texts = await _say(bot, "ann", "I want a person")
    assert "Connecting you to a person" in texts[-1]
    [summary] = desk.escalations
    assert summary.conversation_id == "rest:ann" and summary.reason.startswith("requested")
    assert summary.intents == ["greet", "contact_human_agent"]
    assert "[email]" in summary.messages[0]["text"]  # masked for agents
    assert "ann@example.com" not in str(summary.to_dict())
    assert await _say(bot, "ann", "hello?") == []  # silent while waiting
    assert desk.lines == [("rest:ann", "hello?")]
    tracker = await bot.tracker("rest:ann")
    assert tracker.paused and tracker.latest_message["text"] == "hello?"  # still recorded


async def test_two_fallbacks_in_a_row_go_to_a_person(bot: Bot, desk: RecordingDesk) -> None:
    assert "Connecting" not in " ".join(await _say(bot, "bo", "mumble"))
    texts = await _say(bot, "bo", "mumble mumble")
    assert "Connecting you to a person" in texts[-1]
    assert desk.escalations[0].reason == "2 fallbacks in a row"


async def test_repeating_oneself_goes_to_a_person(bot: Bot, desk: RecordingDesk) -> None:
    await _say(bot, "cy", "a laptop for school")
    texts = await _say(bot, "cy", "A laptop for  school!")
    assert "Connecting you to a person" in texts[-1]
    assert desk.escalations[0].reason == "the shopper is repeating themselves"


async def test_saying_hello_or_thanks_twice_is_not_a_repeat(bot: Bot, desk: RecordingDesk) -> None:
    """A greeting or a thank-you twice is conversation, not a request the bot keeps failing."""
    for text in ("hello", "hello", "thanks", "thanks"):
        assert "Connecting" not in " ".join(await _say(bot, "hal", text))
    assert desk.escalations == [] and not (await bot.tracker("rest:hal")).paused


async def test_each_trigger_can_be_turned_off(tmp_path: Path, desk: RecordingDesk) -> None:
    off = HandoffSettings(on_requested=False, fallbacks_in_a_row=None, repeats_in_a_row=None)
    bot = await _bot(tmp_path, desk, off)
    for text in ("I want a person", "mumble", "mumble", "hello", "hello"):
        await _say(bot, "dee", text)
    assert desk.escalations == [] and not (await bot.tracker("rest:dee")).paused
    await bot.store.close()


async def test_claim_say_resolve_and_a_restart_loses_nothing(
    tmp_path: Path, desk: RecordingDesk
) -> None:
    bot = await _bot(tmp_path, desk)
    published: list[tuple[str, str, str]] = []
    service = HandoffService(bot, lambda c, p, e: published.append((c, e, p["text"])), bot.say)
    await _say(bot, "eve", "I want a person")
    await service.claim("rest:eve", "Dana")
    with pytest.raises(Refused):
        await service.claim("rest:eve", "Eli")  # a second agent
    await bot.store.close()

    bot = await _bot(tmp_path, desk)  # a restart while with_agent
    service = HandoffService(bot, lambda c, p, e: published.append((c, e, p["text"])), bot.say)
    assert await _say(bot, "eve", "are you there?") == []
    await service.say("rest:eve", "Dana", "Yes, I'm here.")
    await service.resolve("rest:eve", "Dana")
    assert "Hi!" in " ".join(await _say(bot, "eve", "hello"))  # the bot answers again
    assert [e for _, e, _ in published] == ["agent_joined", "bot_uttered", "agent_left"]
    with pytest.raises(LookupError):
        await service.claim("rest:nobody", "Dana")
    await bot.store.close()


def test_masking_hides_emails_phones_and_card_numbers() -> None:
    text = mask("I'm bo@example.com, +1 415 555 0100, card 4111 1111 1111 1111")
    assert text == "I'm [email], [phone], card [card number]"


def test_a_number_at_the_end_of_a_sentence_is_masked_but_decimals_are_not() -> None:
    said = "Call me on +44 20 7946 0958. Or 415-555-0100. It weighs 1.5 kg, 1920 1080.5 px"
    assert mask(said) == "Call me on [phone]. Or [phone]. It weighs 1.5 kg, 1920 1080.5 px"


# the handoff queue (SQLite and PostgreSQL): tests/bot/test_handoff_queue_postgres.py
