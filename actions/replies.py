"""The replies actions compose, from the domain's responses, in the shopper's language."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def language(tracker: Tracker) -> str:
    return "zh" if tracker.get_slot("language") == "zh" else "en"


class _KeepUnknown(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Replies:
    """Every text an action says lives in `data/domain.yml` as a response with a Chinese
    variation (condition `language: zh`) and a plain one, as the engine's own responses do;
    actions ask for it by name with the values to fill in."""

    def __init__(self, responses: dict[str, list[dict[str, Any]]]) -> None:
        self._responses = responses

    @classmethod
    def load(cls, domain_file: Path) -> Replies:
        domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
        return cls(domain.get("responses") or {})

    def text(self, tracker: Tracker, response: str, /, **values: Any) -> str:
        """Response `response` in the shopper's language, its `{placeholders}` filled."""
        variations = self._responses[response]  # a missing reply is a bug: fail loudly
        wanted = language(tracker)
        chosen = next(
            (v for v in variations if _language_of(v) == wanted),
            next(v for v in variations if not v.get("condition")),
        )
        template = str(chosen.get("text") or "")
        return string.Formatter().vformat(template, (), _KeepUnknown(values))

    def label(self, tracker: Tracker, kind: str, name: str) -> str:
        """How `name` (a catalog category, a listing attribute, a currency) reads inside a
        sentence in the shopper's language: response `utter_<kind>_<name as a slug>`, or
        the name itself where there is none (a category the domain does not know yet)."""
        response = f"utter_{kind}_{_slug(name)}"
        if response not in self._responses:
            return name
        return self.text(tracker, response, name=name)

    def join(self, tracker: Tracker, names: list[str]) -> str:
        """Names as a list inside a sentence: "memory, storage" / "内存、存储容量"."""
        return self.text(tracker, "utter_list_separator").join(names)

    def help_buttons(self, tracker: Tracker) -> list[dict[str, str]]:
        """What the bot can do, as quick replies."""
        return [
            {
                "title": self.text(tracker, "utter_button_laptops"),
                "payload": '/search_product{"query": "laptop"}',
            },
            {
                "title": self.text(tracker, "utter_button_headphones"),
                "payload": '/search_product{"query": "headphones"}',
            },
        ]


def _slug(name: str) -> str:
    return _NOT_SLUG.sub("_", name.lower()).strip("_")


def _language_of(variation: dict[str, Any]) -> str | None:
    for condition in variation.get("condition") or []:
        if condition.get("name") == "language":
            return str(condition.get("value"))
    return None


def entity_values(tracker: Tracker, name: str) -> list[object]:
    """Values of entity `name` in the latest message, in order of appearance."""
    return values_in(tracker.latest_message, name)


def values_in(message: Mapping[str, Any], name: str) -> list[object]:
    """Values of entity `name` in a message's parse data, in order of appearance."""
    entities = message.get("entities") or []
    return [e.get("value") for e in entities if e.get("entity") == name]


def first_entity(tracker: Tracker, name: str) -> object | None:
    return first_in(tracker.latest_message, name)


def first_in(message: Mapping[str, Any], name: str) -> object | None:
    values = values_in(message, name)
    return values[0] if values else None
