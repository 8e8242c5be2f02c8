"""Policy, account and order-help questions answered from `data/policies.md`."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import Replies, language
from actions.shop import ShopAction

# Intents a person must handle; the handoff hook is the `handoff_requested` slot.
NEEDS_A_PERSON = frozenset({"delete_account", "contact_human_agent", "complaint"})


ABOUT_ORDERS = frozenset(
    {
        "delivery_options",
        "delivery_period",
        "check_refund_policy",
        "check_cancellation_fee",
        "payment_issue",
    }
)


def follow_ups(intent: str, tracker: Tracker, replies: Replies) -> list[dict[str, str]]:
    """Quick replies for what a shopper usually wants next after this answer."""
    buttons = []
    if intent in ABOUT_ORDERS:
        buttons.append(
            {
                "title": replies.text(tracker, "utter_button_track_order"),
                "payload": "/track_order",
            }
        )
    if intent not in NEEDS_A_PERSON:
        buttons.append(
            {
                "title": replies.text(tracker, "utter_button_talk_to_person"),
                "payload": "/contact_human_agent",
            }
        )
    return buttons


class ActionAnswerPolicy(ShopAction):
    """Answers the latest intent from the store's policies, in the shopper's language."""

    def name(self) -> str:
        return "action_answer_policy"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        answer = self.shop.policies.answer(intent, language(tracker))
        if answer is None:
            dispatcher.utter_message(response="utter_default")
            return []
        buttons = follow_ups(intent, tracker, self.shop.replies)
        dispatcher.utter_message(text=answer, buttons=buttons)
        if intent in NEEDS_A_PERSON:
            return [SlotSet("handoff_requested", intent)]
        return []
