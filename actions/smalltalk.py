"""Greeting, goodbye, help and fallback: answers from the domain's responses."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import language
from actions.shop import ShopAction

# cosine similarity above which a policy answers a question the classifier was unsure of
POLICY_MATCH = 0.45


class ResponseAction(ShopAction, ABC):
    """Answers with one response of the domain (rendered in the shopper's language)."""

    response: ClassVar[str]
    offers_help: ClassVar[bool] = False  # add the quick replies of what the bot can do

    @abstractmethod
    def name(self) -> str: ...

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        buttons = self.shop.replies.help_buttons(tracker) if self.offers_help else None
        dispatcher.utter_message(response=self.response, buttons=buttons)
        return []


class ActionGreet(ResponseAction):
    response, offers_help = "utter_greet", True

    def name(self) -> str:
        return "action_greet"


class ActionGoodbye(ResponseAction):
    response = "utter_goodbye"

    def name(self) -> str:
        return "action_goodbye"


class ActionHelp(ResponseAction):
    response, offers_help = "utter_help", True

    def name(self) -> str:
        return "action_help"


class ActionDefaultFallback(ShopAction):
    """When the intent is unclear: a store policy that clearly matches the question answers
    it (retrieval by similarity); otherwise say so and offer what the bot can do."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = str(tracker.latest_message.get("text") or "")
        if question and not question.startswith("/"):
            book = self.shop.policies
            match = await book.closest(question, self.shop.queries)
            if match is not None and match[1] >= POLICY_MATCH:
                answer = book.answer(match[0], language(tracker))
                if answer:
                    buttons = self.shop.replies.help_buttons(tracker)
                    dispatcher.utter_message(text=answer, buttons=buttons)
                    return []
        buttons = self.shop.replies.help_buttons(tracker)
        dispatcher.utter_message(response="utter_default", buttons=buttons)
        return []
