"""The bot: one turn of one conversation, from a `UserMessage` to the messages that answer it."""

from __future__ import annotations

import asyncio
import logging
import string
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from bot.action_runner import ActionRejected, ActionRunner
from bot.domain import Domain, FormSpec
from bot.forms import (
    DIGRESSED_SLOT,
    INVALID_SLOT,
    REQUESTED_SLOT,
    activation_events,
    deactivation_events,
    entities_fill,
    extract_slots,
    missing_slots,
)
from bot.handoff import (
    STATE_SLOT,
    TOLD_SLOT,
    WAITING,
    Desk,
    HandoffSettings,
    NoDesk,
    escalation_reason,
    summarise,
)
from bot.identity import (
    CUSTOMER_SLOT,
    CUSTOMER_UNTIL_SLOT,
    CustomerVerifier,
    without_credentials,
)
from bot.interpreter import Interpreter, Overloaded, ParseResult
from bot.locks import ConversationLocks, Locks
from bot.messages import BotMessage, Button, UserMessage, log_id
from bot.metrics import Metrics
from bot.policy import RulePolicy
from bot.store import ConversationStore, Unavailable
from bot.text import readable
from bot.tracker import (
    ConversationTracker,
    Event,
    action_event,
    bot_event,
    slot_event,
    user_event,
)
from bot.typed_answers import as_button
from nlu.language import has_chinese

logger = logging.getLogger(__name__)

MAX_FOLLOWUPS = 5
# while a form waits for an answer, a request recognised with less confidence than this
# is taken as the answer ("384920174650101" may look like anything to the classifier)
FORM_ANSWER_DOUBT = 0.5
ACTION_LISTEN = "action_listen"


class StartupError(Exception):
    """The configuration cannot work; raised before the service takes traffic."""


@dataclass(frozen=True)
class TurnLimits:
    max_message_chars: int = 2000
    # past `max_events`, all but the last `keep_events` are folded into one snapshot event,
    # so a long conversation costs the same to load as a short one
    max_events: int = 400
    keep_events: int = 100


@dataclass
class Turn:
    """One turn in progress: the tracker, the events it adds, the replies it sends."""

    tracker: ConversationTracker
    new_events: list[Event] = field(default_factory=list)
    replies: list[BotMessage] = field(default_factory=list)
    slot_candidates: list[Event] = field(default_factory=list)

    def record(self, events: Iterable[Event]) -> None:
        for event in events:
            event.setdefault("timestamp", time.time())
            self.tracker.apply(event)
            self.new_events.append(event)


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
        action_names: set[str],
        limits: TurnLimits | None = None,
        customers: CustomerVerifier | None = None,
        handoff: HandoffSettings | None = None,
        desk: Desk | None = None,
        locks: Locks | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """Raises `StartupError` if the policy names an action or response that does not
        exist among `action_names` (what `actions` runs) and the domain's responses."""
        self.domain = domain
        self.store = store
        self.interpreter = interpreter
        self.actions = actions
        self.policy = policy
        self.limits = limits or TurnLimits()
        self.customers = customers or CustomerVerifier(None)
        self.handoff = handoff or HandoffSettings()
        self.desk: Desk = desk or NoDesk()
        self._locks: Locks = locks or ConversationLocks()  # across instances: on Redis
        self.metrics = metrics or Metrics()
        self._domain_dict = domain.to_rasa_dict()
        self._action_names = action_names
        missing = sorted(
            name
            for name in domain.action_names()
            if name not in action_names and name not in domain.responses
        )
        if missing:
            raise StartupError(f"the policy names actions that do not exist: {', '.join(missing)}")

    @classmethod
    async def start(
        cls,
        domain: Domain,
        store: ConversationStore,
        interpreter: Interpreter,
        actions: ActionRunner,
        policy: RulePolicy,
        limits: TurnLimits | None = None,
        customers: CustomerVerifier | None = None,
        handoff: HandoffSettings | None = None,
        desk: Desk | None = None,
        locks: Locks | None = None,
        metrics: Metrics | None = None,
    ) -> Bot:
        """A bot over the actions `actions` runs (asked once, here): valid when returned."""
        names = await actions.names()
        return cls(
            domain,
            store,
            interpreter,
            actions,
            policy,
            names,
            limits,
            customers,
            handoff,
            desk,
            locks,
            metrics,
        )

    async def tracker(self, conversation_id: str) -> ConversationTracker:
        events = await self.store.load(conversation_id)
        return ConversationTracker.from_events(conversation_id, events, self.domain.slot_defaults)

    async def handle(self, message: UserMessage) -> list[BotMessage]:
        """Answer one message; turns of one conversation never interleave."""
        message = replace(message, text=readable(message.text))
        if len(message.text) > self.limits.max_message_chars:
            return [self._refuse_long_message(message)]
        started = time.perf_counter()
        # the model reads the text while the conversation is locked and loaded: the parse
        # needs nothing of its state, and a turn waits for one queue instead of two in a row
        parsing = asyncio.ensure_future(self._parse(message.text))
        try:
            async with self._locks.hold(message.conversation_id):
                replies = await self._turn(message, parsing)
        except Unavailable:
            self.metrics.error("unavailable")
            raise
        except Overloaded:
            self.metrics.error("overloaded")
            raise
        except Exception:
            self.metrics.error("turn")
            raise
        finally:
            _abandon(parsing)
        self.metrics.turn_answered(message.channel, time.perf_counter() - started)
        return replies

    async def record_decided(
        self, conversation_id: str, decide: Callable[[ConversationTracker], list[Event]]
    ) -> bool:
        """Add the events `decide` chooses from the conversation's state, between its turns
        (so a check and its write are one step); False if there is no such conversation.
        Whatever `decide` raises propagates and nothing is written."""
        async with self._locks.hold(conversation_id):
            events = await self.store.load(conversation_id)
            if not events:
                return False
            tracker = ConversationTracker.from_events(
                conversation_id, events, self.domain.slot_defaults
            )
            new = decide(tracker)
            for event in new:
                event.setdefault("timestamp", time.time())
            await self.store.append(conversation_id, new)
            return True

    def say(self, name: str, tracker: ConversationTracker, values: dict[str, Any]) -> str:
        """Response `name` in the conversation's language, filled with `values`."""
        variation = self.domain.pick_response(name, tracker.slots)
        return render_template(variation.text or "", values) if variation else name

    async def record(self, conversation_id: str, events: list[Event]) -> bool:
        """Add events that no turn produced (a person's line, a system line) to a conversation
        that exists, between its turns; False if there is no such conversation."""
        return await self.record_decided(conversation_id, lambda _: events)

    def _refuse_long_message(self, message: UserMessage) -> BotMessage:
        language = "zh" if has_chinese(message.text[:200]) else "en"
        variation = self.domain.pick_response("utter_message_too_long", {"language": language})
        limit = self.limits.max_message_chars
        text = variation.text if variation and variation.text else "That message is too long."
        return BotMessage(text=render_template(text, {"max_chars": limit}))

    async def _turn(
        self, message: UserMessage, parsing: asyncio.Future[ParseResult]
    ) -> list[BotMessage]:
        conversation = message.conversation_id
        turn = Turn(await self.tracker(conversation))
        if not turn.tracker.events:
            turn.record([{"event": "session_started"}, action_event(ACTION_LISTEN)])

        if turn.tracker.paused:  # a person has it: record and pass on, never answer
            return await self._pass_to_person(message, turn)
        parse = as_button(turn.tracker, message.text, dict(await parsing))
        metadata = without_credentials(message.metadata)
        turn.record(
            [user_event(message.text, parse, message.channel, message.message_id, metadata)]
        )
        customer = self.customers.customer(message.metadata)
        if customer is not None:
            turn.record(
                [
                    slot_event(CUSTOMER_SLOT, customer.customer_id),
                    slot_event(CUSTOMER_UNTIL_SLOT, customer.until),
                ]
            )
        language = parse.get("language")
        if language and turn.tracker.slots.get("language") != language:
            turn.record([slot_event("language", language)])
        # a requested slot takes the whole text only once the turn is judged an answer
        turn.slot_candidates = extract_slots(self.domain, turn.tracker, with_text=False)
        turn.record(turn.slot_candidates)

        actions, reason = self._next_actions(turn)
        self.metrics.intents.labels(str((parse.get("intent") or {}).get("name") or "none")).inc()
        if reason in ("low_confidence", "no_rule"):
            self.metrics.fallbacks.labels(reason).inc()
        logger.info(
            "turn conversation=%s intent=%s actions=%s reason=%s",
            log_id(conversation),
            (parse.get("intent") or {}).get("name"),
            actions,
            reason,
        )
        queue = list(actions)
        steps = 0
        while queue and steps < len(actions) + MAX_FOLLOWUPS:
            steps += 1
            followup = await self._run_action(queue.pop(0), turn)
            if followup:
                queue.insert(0, followup)
        self._escalate_if_needed(turn)
        turn.record([action_event(ACTION_LISTEN)])
        await self.store.append(conversation, turn.new_events)
        await self._compact(turn.tracker)
        return turn.replies

    async def _parse(self, text: str) -> ParseResult:
        self.metrics.model_waiting.inc()
        try:
            return await self.interpreter.parse(text)
        finally:
            self.metrics.model_waiting.dec()

    async def _pass_to_person(self, message: UserMessage, turn: Turn) -> list[BotMessage]:
        metadata = without_credentials(message.metadata)
        parse = {"intent": {}, "entities": [], "text": message.text}
        turn.record(
            [
                user_event(message.text, parse, message.channel, message.message_id, metadata),
                action_event(ACTION_LISTEN),
            ]
        )
        await self.store.append(message.conversation_id, turn.new_events)
        logger.info("turn conversation=%s passed to a person", log_id(message.conversation_id))
        self.desk.shopper_wrote(message.conversation_id, message.text)
        return []

    def _escalate_if_needed(self, turn: Turn) -> None:
        """A trigger in this turn (a request for a person, fallbacks, repetition) pauses the
        bot and puts the conversation in the agents' queue."""
        reason = escalation_reason(turn.tracker, turn.new_events, self.handoff)
        if reason is None:
            return
        turn.record(
            [{"event": "pause"}, slot_event(STATE_SLOT, WAITING), slot_event(TOLD_SLOT, None)]
        )
        turn.record([action_event("utter_handoff_connecting")])
        self._reply([{"response": "utter_handoff_connecting"}], turn)
        logger.info("handoff conversation=%s reason=%s", log_id(turn.tracker.sender_id), reason)
        self.metrics.handoffs.labels(reason).inc()
        self.desk.escalated(summarise(turn.tracker, reason, self.handoff))

    async def _compact(self, tracker: ConversationTracker) -> None:
        """Fold all but the newest events into one snapshot once there are too many."""
        if len(tracker.events) <= self.limits.max_events:
            return
        folded = len(tracker.events) - self.limits.keep_events
        older = ConversationTracker.from_events(
            tracker.sender_id, tracker.events[:folded], self.domain.slot_defaults
        )
        await self.store.compact(tracker.sender_id, folded, older.snapshot())

    def _next_actions(self, turn: Turn) -> tuple[list[str], str]:
        """An active form keeps the turn while the shopper answers it; a question is
        answered and the form asked again once; "stop", a change of topic or a second
        question leaves it."""
        tracker = turn.tracker
        loop = tracker.active_loop.get("name")
        if loop not in self.domain.forms:
            decision = self.policy.decide(tracker)
            return decision.actions, decision.reason
        form = self.domain.forms[loop]
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        if entities_fill(self.domain, form, tracker):  # an order number, an email
            return [loop], "active_loop"
        confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0)
        if intent in form.interrupt_intents and confidence >= FORM_ANSWER_DOUBT:
            turn.record(deactivation_events())
            decision = self.policy.decide(tracker)
            return decision.actions, "left_form"
        decision = self.policy.decide(tracker)
        if (
            loop in decision.actions
            or decision.reason != "rule"
            or intent == "out_of_scope"
            or confidence < FORM_ANSWER_DOUBT
        ):
            # no other request recognised (or this form's own): the text is the answer
            text_candidates = extract_slots(self.domain, tracker, with_text=True)
            answers = [e for e in text_candidates if e["name"] in form.required_slots]
            turn.slot_candidates += answers
            turn.record(answers)
            return [loop], "active_loop"
        requested = tracker.slots.get(REQUESTED_SLOT)
        question = intent in form.question_intents
        if not question or tracker.slots.get(DIGRESSED_SLOT) or not requested:
            turn.record(deactivation_events())
            return decision.actions, "left_form"
        turn.record([slot_event(DIGRESSED_SLOT, True)])
        return [*decision.actions, f"utter_ask_{requested}"], "digression"

    async def _run_action(self, name: str, turn: Turn) -> str | None:
        """Run one action, record its events and replies; return a follow-up action, if any."""
        if name in self.domain.forms:
            return await self._run_form(name, turn)
        turn.record([action_event(name)])
        if name in self.domain.responses:
            self._reply([{"response": name}], turn)
            return None
        events = await self._call(name, turn.tracker.to_dict(), turn)
        followups = [e.get("name") for e in events if e.get("event") == "followup"]
        return str(followups[-1]) if followups and followups[-1] else None

    async def _call(self, name: str, tracker: dict[str, Any], turn: Turn) -> list[Event]:
        """Run a custom action; a failure is logged and answered, never raised to the channel,
        except `Unavailable`, which fails the turn as the conversation store's would."""
        responses: list[dict[str, Any]]
        events: list[Event]
        try:
            result = await self.actions.run(name, tracker, self._domain_dict)
        except ActionRejected as rejection:
            logger.info("action %s rejected: %s", name, rejection)
            responses, events = [{"response": "utter_default"}], []
        except Unavailable:  # a shared store the action reads (orders) is away: a 503
            raise
        except Exception:
            logger.exception("action %s failed", name)
            self.metrics.error("action")
            responses, events = [{"response": "utter_internal_error"}], []
        else:
            responses, events = result.responses, result.events
        turn.record(events)
        self._reply(responses, turn)
        return events

    async def _run_form(self, name: str, turn: Turn) -> str | None:
        """One step of a form: validate what the shopper gave, ask for what is missing, or
        finish and hand over to the form's submit action."""
        form = self.domain.forms[name]
        tracker = turn.tracker
        turn.record([action_event(name)])
        if tracker.active_loop.get("name") != name:
            turn.record(activation_events(name))
        validator = f"validate_{name}"
        if validator in self._action_names:
            # rasa-sdk validates the slot candidates found at the end of the events
            state = tracker.to_dict()
            candidates = [e for e in turn.slot_candidates if e["name"] in form.required_slots]
            state["events"] = [*state["events"], *[dict(e) for e in candidates]]
            await self._call(validator, state, turn)
            rejected = [e for e in candidates if tracker.slots.get(e["name"]) in (None, "")]
            if rejected and self._gives_up(form, turn):
                return None
        missing = missing_slots(form, tracker)
        if missing:
            turn.record([slot_event(REQUESTED_SLOT, missing[0])])
            self._reply([{"response": f"utter_ask_{missing[0]}"}], turn)
            return None
        turn.record(deactivation_events())
        return form.submit

    def _gives_up(self, form: FormSpec, turn: Turn) -> bool:
        """Count a rejected answer; at the form's limit, end it and offer its way out."""
        invalid = int(turn.tracker.slots.get(INVALID_SLOT) or 0) + 1
        turn.record([slot_event(INVALID_SLOT, invalid)])
        if form.max_invalid_answers is None or invalid < form.max_invalid_answers:
            return False
        turn.record(deactivation_events())
        if form.on_give_up:
            turn.record([action_event(form.on_give_up)])
            self._reply([{"response": form.on_give_up}], turn)
        return True

    def _reply(self, responses: list[dict[str, Any]], turn: Turn) -> None:
        for response in responses:
            reply = self._render(response, turn.tracker)
            if reply is not None:
                turn.replies.append(reply)
                turn.record([bot_event(reply.text, reply.to_event_data())])

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


def _abandon(parsing: asyncio.Future[ParseResult]) -> None:
    """A parse the turn never read (a paused conversation, a failed lock or load) is cancelled,
    and its failure, if it had one, is taken so that it is not logged as never retrieved."""
    if not parsing.done():
        parsing.cancel()
    elif not parsing.cancelled():
        parsing.exception()
