"""The bot: one turn of one conversation, from a `UserMessage` to the messages that answer it."""

from __future__ import annotations

import logging
import string
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.action_runner import ActionRejected, ActionRunner
from bot.domain import Domain
from bot.interpreter import Interpreter
from bot.locks import ConversationLocks
from bot.messages import BotMessage, Button, UserMessage
from bot.policy import RulePolicy
from bot.store import ConversationStore
from bot.tracker import (
    ConversationTracker,
    Event,
    action_event,
    bot_event,
    slot_event,
    user_event,
)

logger = logging.getLogger(__name__)

MAX_FOLLOWUPS = 5
ACTION_LISTEN = "action_listen"


class StartupError(Exception):
    """The configuration cannot work; raised before the service takes traffic."""


@dataclass(frozen=True)
class TurnLimits:
    max_message_chars: int = 2000


class _SafeFormat(dict[str, Any]):
    """Leaves `{unknown}` placeholders as they are instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_template(text: str, values: dict[str, Any]) -> str:
    try:
        return string.Formatter().vformat(text, (), _SafeFormat(values))
    except (ValueError, IndexError):
        return text


class Bot:
    """Loads the conversation, reads the message, runs the policy's actions, saves new events."""

    def __init__(
        self,
        domain: Domain,
        store: ConversationStore,
        interpreter: Interpreter,
        actions: ActionRunner,
        policy: RulePolicy,
        limits: TurnLimits | None = None,
    ) -> None:
        self.domain = domain
        self.store = store
        self.interpreter = interpreter
        self.actions = actions
        self.policy = policy
        self.limits = limits or TurnLimits()
        self._locks = ConversationLocks()
        self._domain_dict = domain.to_rasa_dict()

    async def validate(self) -> None:
        """Fail at startup if the policy names an action or response that does not exist."""
        available = await self.actions.names()
        missing = sorted(
            name
            for name in self.domain.action_names()
            if name not in available and name not in self.domain.responses
        )
        if missing:
            raise StartupError(f"the policy names actions that do not exist: {', '.join(missing)}")

    async def tracker(self, conversation_id: str) -> ConversationTracker:
        events = await self.store.load(conversation_id)
        return ConversationTracker.from_events(conversation_id, events, self.domain.slot_defaults)

    async def handle(self, message: UserMessage) -> list[BotMessage]:
        """Answer one message; turns of one conversation never interleave."""
        if len(message.text) > self.limits.max_message_chars:
            return [self._refuse_long_message(message)]
        async with self._locks.hold(message.sender_id):
            return await self._turn(message)

    def _refuse_long_message(self, message: UserMessage) -> BotMessage:
        language = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in message.text[:200]) else "en"
        variation = self.domain.pick_response("utter_message_too_long", {"language": language})
        limit = self.limits.max_message_chars
        text = variation.text if variation and variation.text else "That message is too long."
        return BotMessage(text=render_template(text, {"max_chars": limit}))

    async def _turn(self, message: UserMessage) -> list[BotMessage]:
        tracker = await self.tracker(message.sender_id)
        new_events: list[Event] = []

        def record(events: Iterable[Event]) -> None:
            for event in events:
                event.setdefault("timestamp", time.time())
                tracker.apply(event)
                new_events.append(event)

        if not tracker.events:
            record([{"event": "session_started"}, action_event(ACTION_LISTEN)])

        parse: dict[str, Any] = dict(await self.interpreter.parse(message.text))
        record(
            [user_event(message.text, parse, message.channel, message.message_id, message.metadata)]
        )
        language = parse.get("language")
        if language and tracker.slots.get("language") != language:
            record([slot_event("language", language)])

        decision = self.policy.decide(tracker)
        logger.info(
            "turn sender=%s intent=%s confidence=%.2f actions=%s",
            message.sender_id,
            (parse.get("intent") or {}).get("name"),
            decision.confidence,
            decision.actions,
        )
        replies: list[BotMessage] = []
        queue = list(decision.actions)
        steps = 0
        while queue and steps < len(decision.actions) + MAX_FOLLOWUPS:
            name = queue.pop(0)
            steps += 1
            followup = await self._run_action(name, tracker, record, replies)
            if followup:
                queue.insert(0, followup)
        record([action_event(ACTION_LISTEN)])
        await self.store.append(message.sender_id, new_events)
        return replies

    async def _run_action(
        self,
        name: str,
        tracker: ConversationTracker,
        record: Any,
        replies: list[BotMessage],
    ) -> str | None:
        """Run one action, record its events and replies; return a follow-up action, if any."""
        record([action_event(name)])
        if name in self.domain.responses:
            responses: list[dict[str, Any]] = [{"response": name}]
            events: list[Event] = []
        else:
            try:
                result = await self.actions.run(name, tracker.to_dict(), self._domain_dict)
            except ActionRejected as rejection:
                logger.info("action %s rejected: %s", name, rejection)
                responses, events = [{"response": "utter_default"}], []
            except Exception:
                logger.exception("action %s failed", name)
                responses, events = [{"response": "utter_internal_error"}], []
            else:
                responses, events = result.responses, result.events
        record(events)
        for response in responses:
            reply = self._render(response, tracker)
            if reply is not None:
                replies.append(reply)
                record([bot_event(reply.text, reply.to_event_data())])
        followups = [e.get("name") for e in events if e.get("event") == "followup"]
        return str(followups[-1]) if followups and followups[-1] else None

    def _render(self, response: dict[str, Any], tracker: ConversationTracker) -> BotMessage | None:
        """A dispatcher message as a `BotMessage`, filling `response` templates from the domain."""
        template_name = response.get("response") or response.get("template")
        if not template_name:
            message = BotMessage.from_dispatcher(response)
            empty = not (message.text or message.buttons or message.image or message.custom)
            return None if empty else message
        variation = self.domain.pick_response(str(template_name), tracker.slots)
        if variation is None:
            logger.error("response %s is not in the domain", template_name)
            return None
        values = {**tracker.slots, **response}
        buttons = (
            tuple(
                Button(title=render_template(b["title"], values), payload=b["payload"])
                for b in variation.buttons
            )
            + BotMessage.from_dispatcher(response).buttons
        )
        return BotMessage(
            text=render_template(variation.text, values) if variation.text else None,
            buttons=buttons,
            image=variation.image or response.get("image"),
            custom=variation.custom or response.get("custom"),
        )
