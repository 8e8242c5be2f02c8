"""Greeting, goodbye, help and fallback: answers from the domain's responses."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import help_buttons


class ResponseAction(Action, ABC):
    """Answers with one response of the domain (rendered in the shopper's language)."""

    response: ClassVar[str]
    offers_help: ClassVar[bool] = False  # add the quick replies of what the bot can do

    @abstractmethod
    def name(self) -> str: ...

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        buttons = help_buttons(tracker) if self.offers_help else None
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


class ActionDefaultFallback(ResponseAction):
    """When the bot is not sure: say so, and offer what it can do instead of guessing."""

    response, offers_help = "utter_default", True

    def name(self) -> str:
        return "action_default_fallback"
