"""The core turn loop with the real domain, store and actions; intents come from a keyword fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.action_runner import InProcessActionRunner
from bot.domain import Domain, Rule
from bot.engine import Bot, StartupError, TurnLimits
from bot.messages import UserMessage
from bot.policy import RulePolicy
from bot.settings import Settings
from bot.store import SqliteConversationStore
from bot.tracker import Event, bot_event, slot_event
from nlu.results import ParseResult
from tests.fakes.action_runner import ScriptedActions
from tests.fakes.interpreter import KeywordInterpreter

RULES = {
    "hello": ("greet", 0.95),
    "laptop": ("search_product", 0.9),
    "mumble": ("search_product", 0.1),
}


@pytest.fixture
async def core_bot(tmp_path: Path) -> AsyncIterator[Bot]:
    settings = Settings(home=tmp_path)
    domain = Domain.load(settings.domain_file)
    actions = ScriptedActions(
        domain, {"action_greet": "utter_greet", "action_default_fallback": "utter_default"}
    )
    bot = await Bot.start(
        domain=domain,
        store=SqliteConversationStore(settings.conversations_db),
        interpreter=KeywordInterpreter(RULES, delay_s=0.001),
        actions=actions,
        policy=RulePolicy(domain.policy, 0.4),
        limits=TurnLimits(max_message_chars=50, max_events=60, keep_events=12),
    )
    yield bot
    await bot.store.close()


async def test_a_turn_answers_and_records_rasa_events(core_bot: Bot) -> None:
    replies = await core_bot.handle(UserMessage("hello", "ann"))
    assert replies and replies[0].text and "store assistant" in replies[0].text
    kinds = [e["event"] for e in await core_bot.store.load("rest:ann")]
    assert kinds == ["session_started", "action", "user", "action", "bot", "action"]


async def test_low_confidence_gets_the_fallback_not_a_guess(core_bot: Bot) -> None:
    replies = await core_bot.handle(UserMessage("mumble mumble", "ben"))
    assert replies[0].text and replies[0].text.startswith("Sorry, I didn't quite get that")
    events = await core_bot.store.load("rest:ben")
    assert "action_default_fallback" in [e.get("name") for e in events]


async def test_too_long_message_is_refused_politely_and_not_stored(core_bot: Bot) -> None:
    replies = await core_bot.handle(UserMessage("x" * 51, "cat"))
    assert replies[0].text and "too long" in replies[0].text and "50" in replies[0].text
    assert await core_bot.store.load("rest:cat") == []


async def test_turns_of_one_conversation_never_interleave(core_bot: Bot) -> None:
    messages = [UserMessage(f"laptop {i}", "dan") for i in range(8)]
    await asyncio.gather(*(core_bot.handle(m) for m in messages))
    events = await core_bot.store.load("rest:dan")
    # every user event is followed by its own actions before the next user event starts
    shape = [e["event"] for e in events if e["event"] in ("user", "bot")]
    assert shape == ["user", "bot"] * 8
    listens = [i for i, e in enumerate(events) if e.get("name") == "action_listen"]
    users = [i for i, e in enumerate(events) if e["event"] == "user"]
    assert all(listens[k] < users[k] < listens[k + 1] for k in range(8))


async def test_policy_naming_a_missing_action_fails_at_startup(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    domain = Domain.load(settings.domain_file)
    domain.policy.rules.append(Rule(intent="greet", actions=["action_that_does_not_exist"]))
    store = SqliteConversationStore(settings.conversations_db)
    with pytest.raises(StartupError, match="action_that_does_not_exist"):
        await Bot.start(
            domain=domain,
            store=store,
            interpreter=KeywordInterpreter(RULES),
            actions=InProcessActionRunner([]),
            policy=RulePolicy(domain.policy, 0.4),
        )
    await store.close()


async def test_a_long_conversation_is_folded_into_a_snapshot(core_bot: Bot) -> None:
    await core_bot.handle(UserMessage("laptop please", "eve"))
    await core_bot.store.append("rest:eve", [slot_event("order_request", "get_invoice")])
    for index in range(30):
        await core_bot.handle(UserMessage(f"hello {index}", "eve"))
    events = await core_bot.store.load("rest:eve")
    assert len(events) <= 60
    assert events[0]["event"] == "snapshot"
    assert events[0]["slots"]["order_request"] == "get_invoice"
    tracker = await core_bot.tracker("rest:eve")
    assert tracker.slots["order_request"] == "get_invoice"  # state from folded events survives
    assert [e["text"] for e in events if e["event"] == "user"][-1] == "hello 29"


async def test_lines_from_people_wait_for_the_turn_and_need_a_conversation(
    core_bot: Bot,
) -> None:
    assert not await core_bot.record("rest:nobody", [bot_event("Hi, I'm Dana.", {})])
    assert await core_bot.store.load("rest:nobody") == []
    await core_bot.handle(UserMessage("laptop", "fay"))
    line = asyncio.ensure_future(core_bot.record("rest:fay", [bot_event("Dana joined.", {})]))
    second = asyncio.ensure_future(core_bot.handle(UserMessage("laptop 2", "fay")))
    await asyncio.gather(line, second)
    events = await core_bot.store.load("rest:fay")
    kinds = [e["event"] for e in events]
    # the person's line sits between turns, never inside one
    dana = next(i for i, e in enumerate(events) if e.get("text") == "Dana joined.")
    assert kinds[dana - 1] == "action" and events[dana - 1]["name"] == "action_listen"
    assert line.result() is True


FORM_RULES = {
    "order": ("track_order", 0.95),
    "return policy": ("check_refund_policy", 0.95),
    "delivery": ("delivery_period", 0.95),
    "thanks": ("thank_you", 0.95),
    "headphones": ("search_product", 0.95),
    "stop": ("stop", 1.0),
    "hmm": ("help", 0.3),
}


@pytest.fixture
async def form_bot(tmp_path: Path) -> AsyncIterator[Bot]:
    settings = Settings(home=tmp_path)
    domain = Domain.load(settings.domain_file)
    bot = await Bot.start(
        domain=domain,
        store=SqliteConversationStore(settings.conversations_db),
        interpreter=KeywordInterpreter(FORM_RULES),
        actions=ScriptedActions(domain, {}),
        policy=RulePolicy(domain.policy, 0.2),
    )
    yield bot
    await bot.store.close()


async def _texts(bot: Bot, sender: str, text: str) -> list[str]:
    return [r.text or "" for r in await bot.handle(UserMessage(text, sender))]


async def _loop(bot: Bot, sender: str) -> str | None:
    return (await bot.tracker(f"rest:{sender}")).active_loop.get("name")


async def test_a_question_mid_form_is_answered_and_the_form_asked_again_once(
    form_bot: Bot,
) -> None:
    assert "order number" in (await _texts(form_bot, "q", "where is my order"))[-1]
    texts = await _texts(form_bot, "q", "what is your return policy")
    assert texts == ["action_answer_policy ran", texts[-1]] and "order number" in texts[-1]
    assert await _loop(form_bot, "q") == "order_form"
    texts = await _texts(form_bot, "q", "how long is delivery")
    assert texts == ["action_answer_policy ran"]  # asked again once only: the form let go
    assert await _loop(form_bot, "q") is None


@pytest.mark.parametrize("leaving", ["stop", "thanks", "headphones please"])
async def test_stop_or_a_change_of_topic_leaves_the_form(form_bot: Bot, leaving: str) -> None:
    await _texts(form_bot, leaving, "where is my order")
    texts = await _texts(form_bot, leaving, leaving)
    assert not any("order number" in t for t in texts)
    assert await _loop(form_bot, leaving) is None


async def test_a_doubtful_message_mid_form_is_taken_as_the_answer(form_bot: Bot) -> None:
    await _texts(form_bot, "d", "where is my order")
    await _texts(form_bot, "d", "hmm 12345")  # "help" at 0.3: not a question, an answer
    tracker = await form_bot.tracker("rest:d")
    assert tracker.active_loop.get("name") == "order_form"
    assert tracker.slots.get("order_id") == "hmm 12345"  # the scripted validator keeps it
    assert tracker.slots.get("requested_slot") == "order_email"


class _ParseFirst(KeywordInterpreter):
    """Says when a message's reading has begun."""

    def __init__(self) -> None:
        super().__init__(RULES)
        self.reading = asyncio.Event()

    async def parse(self, text: str) -> ParseResult:
        self.reading.set()
        return await super().parse(text)


class _LoadsAfterReading(SqliteConversationStore):
    """A conversation store that answers a load only once the message is being read: a turn
    that read the message after loading its conversation would wait here for ever."""

    def __init__(self, path: Path, reading: asyncio.Event) -> None:
        super().__init__(path)
        self.reading = reading

    async def load(self, conversation_id: str) -> list[Event]:
        await self.reading.wait()
        return await super().load(conversation_id)


async def test_the_message_is_read_while_its_conversation_is_loaded(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    domain = Domain.load(settings.domain_file)
    interpreter = _ParseFirst()
    store = _LoadsAfterReading(settings.conversations_db, interpreter.reading)
    bot = await Bot.start(
        domain=domain,
        store=store,
        interpreter=interpreter,
        actions=ScriptedActions(domain, {"action_greet": "utter_greet"}),
        policy=RulePolicy(domain.policy, 0.4),
    )
    try:
        replies = await asyncio.wait_for(bot.handle(UserMessage("hello", "eve")), timeout=10)
    finally:
        await store.close()
    assert replies and replies[0].text and "store assistant" in replies[0].text


async def test_a_paused_conversation_drops_the_reading_it_did_not_need(core_bot: Bot) -> None:
    await core_bot.handle(UserMessage("hello", "fay"))
    await core_bot.record("rest:fay", [{"event": "pause"}])
    assert await core_bot.handle(UserMessage("laptop please", "fay")) == []
    await asyncio.sleep(0.01)  # the interpreter's delay: a parse left running would end now
    tasks = [t for t in asyncio.all_tasks() if "Bot._parse" in repr(t.get_coro())]
    assert tasks == []
    events = await core_bot.store.load("rest:fay")
    assert events[-2]["event"] == "user" and events[-2]["parse_data"]["intent"] == {}
