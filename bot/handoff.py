"""Human handoff: `bot` → `waiting` → `with_agent` → `bot`, as conversation state.

The state lives in the conversation's events (Rasa's `pause` / `resume`, and the
`handoff_state` / `handoff_agent` slots), so a restart or another instance loses nothing.
While a conversation is paused the bot records the shopper's messages and answers none;
they go to the desk where agents work (the built-in inbox, Slack). Everything a person says
to a shopper goes through `HandoffService`, which writes through `Bot` (under the
conversation's lock) and publishes to the outbox, whichever channel the shopper is on.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from pydantic import BaseModel, Field

from bot.tracker import ConversationTracker, Event, bot_event, slot_event
from nlu.identifiers import EMAIL, PHONE_ANYWHERE

logger = logging.getLogger(__name__)

STATE_SLOT = "handoff_state"  # None: the bot; "waiting"; "with_agent"
AGENT_SLOT = "handoff_agent"
TOLD_SLOT = "handoff_told_unclaimed"
REQUESTED_SLOT = "handoff_requested"
WAITING, WITH_AGENT = "waiting", "with_agent"
FALLBACK_ACTION = "action_default_fallback"
_CARD = re.compile(r"(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])")
_SPACES = re.compile(r"\s+")


class HandoffSettings(BaseModel):
    """When a conversation goes to a person, and what the person sees."""

    on_requested: bool = True  # an action set `handoff_requested` (complaint, "a person"...)
    fallbacks_in_a_row: int | None = Field(2, ge=1)  # None: never
    repeats_in_a_row: int | None = Field(2, ge=2)  # the same message this many times
    # said twice, these are conversation ("hi", "thanks", "yes" to two questions), not a
    # request the bot keeps failing: they never count as repeats
    repeats_not_counted: frozenset[str] = frozenset(
        {"greet", "goodbye", "thank_you", "affirm", "deny", "stop"}
    )
    refund_over: float | None = Field(None, gt=0)  # a refund above this goes to a person
    mask_personal_data: bool = True  # emails, phones and card numbers in the summary
    summary_messages: int = Field(10, ge=1, le=50)
    # nobody claimed it this long: the shopper is told and may leave an email (still queued)
    unclaimed_after_s: float = Field(120.0, gt=0)
    # this many strongly negative messages in a row (sentiment score at or below
    # `negative_score`, read by `bot.insights_sentiment`) go to a person; None: never
    negatives_in_a_row: int | None = Field(2, ge=1)
    negative_score: float = Field(-0.75, ge=-1.0, lt=0.0)


def mask(text: str) -> str:
    """Emails, phone and card numbers replaced by what they are; linear in the text."""
    text = _CARD.sub("[card number]", text)
    text = EMAIL.sub("[email]", text)
    return PHONE_ANYWHERE.sub("[phone]", text)


@dataclass(frozen=True)
class Summary:
    """What an agent sees at once about a conversation handed to them."""

    conversation_id: str
    channel: str
    language: str
    reason: str
    intents: list[str]
    products_viewed: list[str]
    orders_proven: list[str]
    messages: list[dict[str, str]]  # {"from": "shopper"|"bot"|"agent", "text"}
    since: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def summarise(tracker: ConversationTracker, reason: str, settings: HandoffSettings) -> Summary:
    intents: list[str] = []
    viewed: list[str] = []
    lines: list[dict[str, str]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user":
            name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if name and name not in intents:
                intents.append(str(name))
            lines.append({"from": "shopper", "text": str(event.get("text") or "")})
        elif kind == "bot" and event.get("text"):
            custom = (event.get("data") or {}).get("custom") or {}
            speaker = "agent" if str(custom.get("type", "")).startswith("agent") else "bot"
            lines.append({"from": speaker, "text": str(event.get("text"))})
        elif (
            kind == "slot"
            and event.get("name") == "selected_product"
            and event.get("value")
            and event["value"] not in viewed
        ):
            viewed.append(str(event["value"]))
    proven = [str(tracker.slots["order_id"])] if tracker.slots.get("order_verified_until") else []
    recent = lines[-settings.summary_messages :]
    if settings.mask_personal_data:
        recent = [{**line, "text": mask(line["text"])} for line in recent]
    return Summary(
        conversation_id=tracker.sender_id,
        channel=tracker.sender_id.split(":", 1)[0],
        language=tracker.language,
        reason=reason,
        intents=intents,
        products_viewed=viewed,
        orders_proven=proven,
        messages=recent,
    )


def escalation_reason(
    tracker: ConversationTracker, turn_events: list[Event], settings: HandoffSettings
) -> str | None:
    """Why the turn just taken should go to a person, or None."""
    if tracker.slots.get(STATE_SLOT):
        return None
    if settings.on_requested and any(
        e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT and e.get("value")
        for e in turn_events
    ):
        return f"requested: {tracker.slots.get(REQUESTED_SLOT)}"
    turns = _recent_turns(tracker)
    wanted = settings.fallbacks_in_a_row
    if (
        wanted
        and len(turns) >= wanted
        and all(FALLBACK_ACTION in t.actions for t in turns[-wanted:])
    ):
        return f"{wanted} fallbacks in a row"
    if _strongly_negative(tracker, settings):
        return f"{settings.negatives_in_a_row} strongly negative messages in a row"
    repeats = settings.repeats_in_a_row
    if repeats and len(turns) >= repeats:
        last = turns[-repeats:]
        said = {_normal(t.text) for t in last}
        counted = all(t.intent not in settings.repeats_not_counted for t in last)
        if len(said) == 1 and next(iter(said)) and counted:
            return "the shopper is repeating themselves"
    return None


def _strongly_negative(tracker: ConversationTracker, settings: HandoffSettings) -> bool:
    """The last `negatives_in_a_row` shopper messages all read strongly negative."""
    wanted = settings.negatives_in_a_row
    if not wanted:
        return False
    scores: list[float | None] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user" and not str(event.get("text") or "").startswith("/"):
            sentiment = (event.get("parse_data") or {}).get("sentiment") or {}
            scores.append(sentiment.get("score"))
            if len(scores) == wanted:
                break
    return len(scores) == wanted and all(
        s is not None and s <= settings.negative_score for s in scores
    )


def _normal(text: str) -> str:
    return _SPACES.sub(" ", text.lower()).strip(" .!?。！？")


class _Turn(NamedTuple):
    text: str
    intent: str | None
    actions: list[str]


def _recent_turns(tracker: ConversationTracker) -> list[_Turn]:
    """Each turn's shopper text, intent and actions run, oldest first; button payloads
    excluded."""
    turns: list[_Turn] = []
    for event in tracker.events:
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            turns.append(_Turn(str(event.get("text") or ""), intent, []))
        elif event.get("event") == "action" and turns:
            turns[-1].actions.append(str(event.get("name")))
    return [t for t in turns if not t.text.startswith("/")]


class Desk(Protocol):
    """Where agents work (the built-in inbox, Slack): told of escalations, shopper lines,
    claims and resolutions. Calls come from the event loop and must not block it."""

    def escalated(self, summary: Summary) -> None: ...

    def shopper_wrote(self, conversation_id: str, text: str) -> None: ...

    def claimed(self, conversation_id: str, agent: str) -> None: ...

    def resolved(self, conversation_id: str, agent: str) -> None: ...


class NoDesk:
    """No agents connected: escalations are recorded in the conversation only."""

    def escalated(self, summary: Summary) -> None:
        return None

    def shopper_wrote(self, conversation_id: str, text: str) -> None:
        return None

    def claimed(self, conversation_id: str, agent: str) -> None:
        return None

    def resolved(self, conversation_id: str, agent: str) -> None:
        return None


class Desks:
    """Every desk the app has (the queue, Slack): one per app, desks join as they register."""

    def __init__(self) -> None:
        self._desks: list[Desk] = []

    def add(self, desk: Desk) -> None:
        self._desks.append(desk)

    def _each(self, call: Callable[[Desk], None]) -> None:
        for desk in list(self._desks):
            try:
                call(desk)
            except Exception:  # one broken desk must not keep the others from hearing
                logger.exception("handoff desk failed")

    def escalated(self, summary: Summary) -> None:
        self._each(lambda desk: desk.escalated(summary))

    def shopper_wrote(self, conversation_id: str, text: str) -> None:
        self._each(lambda desk: desk.shopper_wrote(conversation_id, text))

    def claimed(self, conversation_id: str, agent: str) -> None:
        self._each(lambda desk: desk.claimed(conversation_id, agent))

    def resolved(self, conversation_id: str, agent: str) -> None:
        self._each(lambda desk: desk.resolved(conversation_id, agent))


class Refused(Exception):
    """The handoff is not in a state that allows this (claimed by someone else, not paused)."""


# (conversation_id, tracker) -> events to append, decided under the conversation's lock
Decide = Callable[[ConversationTracker], list[Event]]


class ConversationWriter(Protocol):
    async def record_decided(self, conversation_id: str, decide: Decide) -> bool: ...


# (conversation_id, event name, payload) for the shopper's channel
Publish = Callable[[str, dict[str, Any], str], None]
# (response name, tracker, values) -> the text in the shopper's language
Say = Callable[[str, ConversationTracker, dict[str, Any]], str]


class HandoffService:
    """The one way people reach shoppers: claim, say, resolve."""

    def __init__(
        self, writer: ConversationWriter, publish: Publish, say: Say, desk: Desk | None = None
    ) -> None:
        self._writer = writer
        self._publish = publish
        self._say = say
        self._desk: Desk = desk or NoDesk()

    async def claim(self, conversation_id: str, agent: str) -> str:
        def decide(tracker: ConversationTracker) -> list[Event]:
            holder = tracker.slots.get(AGENT_SLOT)
            if tracker.slots.get(STATE_SLOT) == WITH_AGENT and holder != agent:
                raise Refused(f"already with {holder}")
            text = self._say("utter_handoff_joined", tracker, {"agent": agent})
            events: list[Event] = []
            if tracker.slots.get(STATE_SLOT) is None:
                events.append({"event": "pause"})
            return [
                *events,
                slot_event(STATE_SLOT, WITH_AGENT),
                slot_event(AGENT_SLOT, agent),
                _agent_line(text, "agent_joined", agent),
            ]

        text = await self._write(conversation_id, decide, "agent_joined")
        self._desk.claimed(conversation_id, agent)
        return text

    async def say(self, conversation_id: str, agent: str, text: str) -> str:
        def decide(tracker: ConversationTracker) -> list[Event]:
            if (
                tracker.slots.get(STATE_SLOT) != WITH_AGENT
                or tracker.slots.get(AGENT_SLOT) != agent
            ):
                raise Refused("claim the conversation first")
            return [_agent_line(text, "agent_message", agent)]

        return await self._write(conversation_id, decide, "bot_uttered")

    async def resolve(self, conversation_id: str, agent: str) -> str:
        def decide(tracker: ConversationTracker) -> list[Event]:
            holder = tracker.slots.get(AGENT_SLOT)
            if tracker.slots.get(STATE_SLOT) == WITH_AGENT and holder not in (None, agent):
                raise Refused(f"with {holder}")
            if tracker.slots.get(STATE_SLOT) is None:
                raise Refused("not handed off")
            text = self._say("utter_handoff_left", tracker, {"agent": agent})
            return [
                {"event": "resume"},
                slot_event(STATE_SLOT, None),
                slot_event(AGENT_SLOT, None),
                slot_event(REQUESTED_SLOT, None),
                slot_event(TOLD_SLOT, None),
                _agent_line(text, "agent_left", agent),
            ]

        text = await self._write(conversation_id, decide, "agent_left")
        self._desk.resolved(conversation_id, agent)
        return text

    async def tell_unclaimed(self, conversation_id: str) -> bool:
        """Tell a shopper nobody has claimed them yet (once); False if it no longer applies."""

        def decide(tracker: ConversationTracker) -> list[Event]:
            if tracker.slots.get(STATE_SLOT) != WAITING or tracker.slots.get(TOLD_SLOT):
                raise Refused("claimed, resolved or already told")
            text = self._say("utter_handoff_unclaimed", tracker, {})
            return [slot_event(TOLD_SLOT, True), bot_event(text, {"custom": {}})]

        try:
            await self._write(conversation_id, decide, "bot_uttered")
        except (Refused, LookupError):
            return False
        return True

    async def _write(self, conversation_id: str, decide: Decide, socket_event: str) -> str:
        written: list[Event] = []

        def keep(tracker: ConversationTracker) -> list[Event]:
            written.extend(decide(tracker))
            return written

        if not await self._writer.record_decided(conversation_id, keep):
            raise LookupError(conversation_id)
        line = next(e for e in written if e.get("event") == "bot")
        text = str(line.get("text"))
        self._publish(conversation_id, {"text": text, **line["data"]}, socket_event)
        return text


def _agent_line(text: str, kind: str, agent: str) -> Event:
    return bot_event(text, {"custom": {"type": kind, "agent": agent}})
