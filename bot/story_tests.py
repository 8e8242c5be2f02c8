"""Conversation tests in Rasa's test-story format (`bot.story_files`), run against a real `Bot`.

Each story runs in a fresh conversation. A turn's actions are the `action` events after its
user event (`action_listen` left out; responses such as `utter_greet` count, as in Rasa);
when a turn lists any `action` step, its actions must be exactly those, in order. The first
step that does not hold fails the story, with what was expected and what happened.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.engine import ACTION_LISTEN, Bot
from bot.messages import BotMessage, UserMessage, conversation_id
from bot.settings import Settings
from bot.story_files import (
    ActionStep,
    CardCheck,
    LoopStep,
    ReplyCheck,
    SlotStep,
    StoryCase,
    UserStep,
)
from bot.tracker import Event
from nlu.language import has_chinese

CHANNEL = "rest"


@dataclass(frozen=True)
class TurnRecord:
    """What one user turn did: how it was understood, what ran, what the shopper saw."""

    user: str
    intent: str | None
    confidence: float | None
    entities: list[dict[str, Any]]
    actions: list[str]
    slots: list[tuple[str, Any]]
    active_loop: str | None
    replies: list[BotMessage]

    @property
    def bot_text(self) -> str:
        return reply_text(self.replies)

    def to_dict(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "intent": self.intent,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "actions": self.actions,
            "bot": self.bot_text,
            "cards": [_card_line(c) for c in cards_of(self.replies)],
        }


@dataclass(frozen=True)
class Mismatch:
    """The first step of a story that did not hold."""

    step: int  # 1-based, as a reader counts the story's steps
    check: str
    expected: str
    got: str
    turn: TurnRecord

    def describe(self) -> str:
        intent = (
            f" [{self.turn.intent} {self.turn.confidence or 0:.2f}]" if self.turn.intent else ""
        )
        bot = self.turn.bot_text.replace("\n", "\n              ") or "(nothing)"
        return (
            f"step {self.step} ({self.check}) after user {self.turn.user!r}{intent}\n"
            f"    expected: {self.expected}\n"
            f"    got:      {self.got}\n"
            f"    bot said: {bot}"
        )


@dataclass(frozen=True)
class StoryResult:
    case: StoryCase
    conversation: str  # its id in the conversation store, to read the whole of it
    mismatch: Mismatch | None
    turns: list[TurnRecord]
    seconds: float

    @property
    def passed(self) -> bool:
        return self.mismatch is None


async def run_story(bot: Bot, case: StoryCase) -> StoryResult:
    """Play the story's user lines in a new conversation; stop at the first mismatch."""
    started = time.monotonic()
    sender = f"story-{uuid.uuid4().hex[:16]}"
    turns: list[TurnRecord] = []
    mismatch = None
    for index, user, steps in _turns(case.story.steps):
        turn = await take_turn(bot, sender, user.text)
        turns.append(turn)
        mismatch = check_turn(index, user, steps, turn)
        if mismatch is not None:
            break
    conversation = conversation_id(CHANNEL, sender)
    return StoryResult(case, conversation, mismatch, turns, time.monotonic() - started)


async def run_stories(
    bot: Bot,
    cases: Sequence[StoryCase],
    on_result: Callable[[StoryResult], None] | None = None,
) -> list[StoryResult]:
    """Every story, one after another, each in its own conversation."""
    results = []
    for case in cases:
        result = await run_story(bot, case)
        if on_result is not None:
            on_result(result)
        results.append(result)
    return results


async def run_in_shop(
    settings: Settings,
    cases: Sequence[StoryCase],
    on_result: Callable[[StoryResult], None] | None = None,
) -> list[StoryResult]:
    """Open the shop and build the bot as the app does, run the stories, close both."""
    from bot.app import build_bot, close_bot, open_shop

    shop = await open_shop(settings)
    try:
        bot = await build_bot(settings, shop)
        try:
            return await run_stories(bot, cases, on_result)
        finally:
            await close_bot(bot)
    finally:
        await shop.aclose()


def _turns(steps: Sequence[Any]) -> Iterator[tuple[int, UserStep, list[tuple[int, Any]]]]:
    """(1-based index of the user step, the user step, the numbered steps that follow it)."""
    start = 0
    while start < len(steps):
        end = start + 1
        while end < len(steps) and not isinstance(steps[end], UserStep):
            end += 1
        following = [(i + 1, steps[i]) for i in range(start + 1, end)]
        yield start + 1, steps[start], following
        start = end


async def take_turn(bot: Bot, sender: str, text: str) -> TurnRecord:
    message = UserMessage(text, sender, channel=CHANNEL)
    replies = await bot.handle(message)
    tracker = await bot.tracker(message.conversation_id)
    return turn_record(text, message.message_id, tracker.events, replies, tracker.active_loop)


def turn_record(
    text: str,
    message_id: str,
    events: Sequence[Event],
    replies: list[BotMessage],
    active_loop: dict[str, Any],
) -> TurnRecord:
    """The turn as read from the conversation's events after the user event `message_id`
    (none if the message was refused before it was stored)."""
    start = next(
        (i for i in range(len(events) - 1, -1, -1) if events[i].get("message_id") == message_id),
        None,
    )
    parse = (events[start].get("parse_data") or {}) if start is not None else {}
    after = list(events[start + 1 :]) if start is not None else []
    intent = parse.get("intent") or {}
    return TurnRecord(
        user=text,
        intent=intent.get("name"),
        confidence=intent.get("confidence"),
        entities=list(parse.get("entities") or []),
        actions=[
            str(e["name"]) for e in after if e["event"] == "action" and e["name"] != ACTION_LISTEN
        ],
        slots=[(str(e["name"]), e.get("value")) for e in after if e["event"] == "slot"],
        active_loop=active_loop.get("name"),
        replies=replies,
    )


# ---- checking --------------------------------------------------------------------------


def check_turn(
    index: int, user: UserStep, steps: list[tuple[int, Any]], turn: TurnRecord
) -> Mismatch | None:
    """The first of the turn's steps that its record contradicts, in story order."""
    failure = _check_user(user, turn)
    if failure is not None:
        return Mismatch(index, failure[0], failure[1], failure[2], turn)
    actions = iter(turn.actions)
    listed = [i for i, step in steps if isinstance(step, ActionStep)]
    for number, step in steps:
        failure = _check_step(step, actions, turn)
        if failure is not None:
            return Mismatch(number, failure[0], failure[1], failure[2], turn)
    extra = next(actions, None)
    if listed and extra is not None:
        return Mismatch(listed[-1], "action", "no further action", extra, turn)
    return None


Failure = tuple[str, str, str]  # check, expected, got


def _check_user(user: UserStep, turn: TurnRecord) -> Failure | None:
    if user.intent is not None and user.intent != turn.intent:
        got = f"{turn.intent} ({turn.confidence or 0:.2f})"
        return "intent", user.intent, got
    for expected in user.entities:
        found = [e.get("value") for e in turn.entities if e.get("entity") == expected.entity]
        if not any(same_value(expected.value, value) for value in found):
            got = ", ".join(f"{e.get('entity')}={e.get('value')!r}" for e in turn.entities)
            return "entity", f"{expected.entity}={expected.value!r}", got or "no entities"
    return None


def _check_step(step: Any, actions: Iterator[str], turn: TurnRecord) -> Failure | None:
    if isinstance(step, ActionStep):
        got = next(actions, None)
        return None if got == step.action else ("action", step.action, got or "no action")
    if isinstance(step, SlotStep):
        return _check_slots(step, turn)
    if isinstance(step, LoopStep):
        if step.active_loop == turn.active_loop:
            return None
        return "active_loop", str(step.active_loop), str(turn.active_loop)
    problems = reply_failures(step.bot, turn.replies)
    return ("bot", *problems[0]) if problems else None


def _check_slots(step: SlotStep, turn: TurnRecord) -> Failure | None:
    set_now = dict(turn.slots)  # the last value each slot was set to in the turn
    for entry in step.slot_was_set:
        name, wanted = (entry, None) if isinstance(entry, str) else next(iter(entry.items()))
        if name not in set_now:
            return "slot_was_set", f"{name} set", "not set in this turn"
        if not isinstance(entry, str) and not same_value(wanted, set_now[name]):
            return "slot_was_set", f"{name}={wanted!r}", f"{name}={set_now[name]!r}"
    return None


def same_value(expected: Any, got: Any) -> bool:
    """Equal as numbers when both are numbers, else as text ignoring case."""
    if expected == got:
        return True
    try:
        return abs(float(expected) - float(got)) < 1e-6
    except (TypeError, ValueError):
        return str(expected).casefold() == str(got).casefold()


def reply_text(replies: Sequence[BotMessage]) -> str:
    return "\n".join(r.text for r in replies if r.text)


def cards_of(replies: Sequence[BotMessage]) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    for reply in replies:
        custom = reply.custom or {}
        cards += [c for c in custom.get("products") or [] if isinstance(c, dict)]
        if isinstance(custom.get("product"), dict):
            cards.append(custom["product"])
    return cards


def reply_failures(check: ReplyCheck, replies: Sequence[BotMessage]) -> list[tuple[str, str]]:
    """(expected, got) for every part of `check` the replies do not hold."""
    text = reply_text(replies)
    problems = _text_failures(check, text)
    problems += _button_failures(check, replies)
    if check.custom_type is not None:
        types = [str((r.custom or {}).get("type")) for r in replies if r.custom]
        if check.custom_type not in types:
            problems.append((f"a {check.custom_type} payload", ", ".join(types) or "none"))
    if check.cards is not None:
        problems += card_failures(check.cards, cards_of(replies))
    return problems


def _text_failures(check: ReplyCheck, text: str) -> list[tuple[str, str]]:
    folded = text.casefold()
    problems = [
        (f"the reply says {piece!r}", "it does not")
        for piece in check.contains
        if piece.casefold() not in folded
    ]
    if check.contains_any and not any(p.casefold() in folded for p in check.contains_any):
        problems.append((f"the reply says one of {check.contains_any}", "it says none"))
    problems += [
        (f"the reply does not say {piece!r}", "it does")
        for piece in check.not_contains
        if piece.casefold() in folded
    ]
    problems += [
        (f"the reply matches /{pattern}/", "it does not")
        for pattern in check.matches
        if not re.search(pattern, text, re.IGNORECASE | re.DOTALL)
    ]
    if check.language is not None and language_of(text) != check.language:
        problems.append((f"a reply in {check.language}", language_of(text) or "no text"))
    return problems


def language_of(text: str) -> str | None:
    if not text.strip():
        return None
    return "zh" if has_chinese(text) else "en"


def _button_failures(check: ReplyCheck, replies: Sequence[BotMessage]) -> list[tuple[str, str]]:
    buttons = [b for r in replies for b in r.buttons]
    labels = [f"{b.title} {b.payload}".casefold() for b in buttons]
    shown = ", ".join(f"[{b.title}] {b.payload}" for b in buttons) or "no buttons"
    return [
        (f"a button with {piece!r}", shown)
        for piece in check.buttons_contain
        if not any(piece.casefold() in label for label in labels)
    ]


def card_failures(check: CardCheck, cards: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(expected, got) for each way the cards break `check`; every card is checked."""
    listing = "; ".join(_card_line(c) for c in cards) or "no cards"
    if check.none:
        return [("no product cards", listing)] if cards else []
    problems = _count_failures(check, len(cards), listing)
    for card in cards:
        problems += _one_card_failures(check, card)
    titles = [str(c.get("title") or "").casefold() for c in cards]
    problems += [
        (f"a card titled with {piece!r}", listing)
        for piece in check.titles_contain
        if not any(piece.casefold() in title for title in titles)
    ]
    problems += [
        (f"no card titled with {piece!r}", listing)
        for piece in check.titles_not_contain
        if any(piece.casefold() in title for title in titles)
    ]
    return problems


def _count_failures(check: CardCheck, count: int, listing: str) -> list[tuple[str, str]]:
    least = 1 if check.count_min is None else check.count_min
    if count < least:
        return [(f"at least {least} product card(s)", listing)]
    if check.count_max is not None and count > check.count_max:
        return [(f"at most {check.count_max} product card(s)", f"{count}: {listing}")]
    return []


def _one_card_failures(check: CardCheck, card: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    price = card.get("price")
    title = str(card.get("title") or "")
    if check.price_max is not None and (price is None or float(price) > check.price_max):
        problems.append((f"every card at most ${check.price_max:,.2f}", _card_line(card)))
    if check.price_min is not None and (price is None or float(price) < check.price_min):
        problems.append((f"every card at least ${check.price_min:,.2f}", _card_line(card)))
    category = str(card.get("category") or "").casefold()
    if check.category and not any(c.casefold() in category for c in check.category):
        problems.append((f"every card in {' or '.join(check.category)}", _card_line(card)))
    brand = str(card.get("brand") or title).casefold()
    if check.brand is not None and not brand.startswith(check.brand.casefold()):
        problems.append((f"every card by {check.brand}", _card_line(card)))
    pattern = check.every_title_matches
    if pattern is not None and not re.search(pattern, title, re.IGNORECASE):
        problems.append((f"every title matches /{pattern}/", _card_line(card)))
    return problems


def _card_line(card: dict[str, Any]) -> str:
    price = card.get("price")
    shown = f"${float(price):,.2f}" if isinstance(price, int | float) else "no price"
    return f"{card.get('title')} — {shown} [{card.get('category')}]"


# ---- reporting -------------------------------------------------------------------------


def failure_report(result: StoryResult) -> str:
    assert result.mismatch is not None
    return f"FAILED {result.case.name!r} ({result.case.path})\n  {result.mismatch.describe()}"


def behaviour_table(results: Sequence[StoryResult]) -> list[tuple[str, int, int, list[str]]]:
    """(behaviour, stories passed, stories, failed story names) for every behaviour tagged."""
    table: dict[str, list[StoryResult]] = {}
    for result in results:
        for behaviour in result.case.story.metadata.behaviours:
            table.setdefault(behaviour, []).append(result)
    return [
        (
            behaviour,
            sum(r.passed for r in proving),
            len(proving),
            [r.case.name for r in proving if not r.passed],
        )
        for behaviour, proving in sorted(table.items())
    ]


def summary_line(results: Sequence[StoryResult]) -> str:
    passed = sum(r.passed for r in results)
    seconds = sum(r.seconds for r in results)
    return (
        f"{len(results)} stories: {passed} passed, {len(results) - passed} failed in {seconds:.1f}s"
    )


def results_document(results: Sequence[StoryResult]) -> dict[str, Any]:
    """What `--out` writes: the summary, each failed story with its transcript, the behaviours."""
    return {
        "summary": summary_line(results),
        "failed": [
            {
                "story": r.case.name,
                "file": str(r.case.path),
                "conversation": r.conversation,
                "behaviours": list(r.case.story.metadata.behaviours),
                "step": r.mismatch.step,
                "check": r.mismatch.check,
                "expected": r.mismatch.expected,
                "got": r.mismatch.got,
                "transcript": [turn.to_dict() for turn in r.turns],
            }
            for r in results
            if r.mismatch is not None
        ],
        "passed": [r.case.name for r in results if r.passed],
        "behaviours": [
            {"behaviour": b, "passed": p, "stories": n, "failed": f}
            for b, p, n, f in behaviour_table(results)
        ],
    }


def write_results(results: Sequence[StoryResult], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(results_document(results), allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
