"""The policy: from the latest intent and the conversation state to the actions to run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain import PolicyConfig, Rule
from bot.tracker import ConversationTracker


@dataclass(frozen=True)
class Decision:
    actions: list[str]
    confidence: float
    reason: str  # "rule", "low_confidence" or "no_rule"


class RulePolicy:
    """Ordered rules; the first whose intent and state match wins; doubt leads to fallback."""

    def __init__(self, config: PolicyConfig, fallback_threshold: float) -> None:
        self._rules = config.rules
        self._fallback_action = config.fallback_action
        self._threshold = fallback_threshold

    def decide(self, tracker: ConversationTracker) -> Decision:
        intent = tracker.latest_message.get("intent") or {}
        name = str(intent.get("name") or "")
        confidence = float(intent.get("confidence") or 0.0)
        for rule in self._rules:
            if rule.entities and rule.intent == name and _state_matches(rule, tracker):
                return Decision(list(rule.actions), confidence, "rule")
        if confidence < self._threshold:
            return Decision([self._fallback_action], confidence, "low_confidence")
        for rule in self._rules:
            if rule.intent == name and _state_matches(rule, tracker):
                return Decision(list(rule.actions), confidence, "rule")
        return Decision([self._fallback_action], confidence, "no_rule")


def _state_matches(rule: Rule, tracker: ConversationTracker) -> bool:
    slots: dict[str, Any] = tracker.slots
    if any(slots.get(name) != value for name, value in rule.slots.items()):
        return False
    if any(slots.get(name) in (None, [], "") for name in rule.slots_set):
        return False
    if rule.any_slot_set and all(slots.get(n) in (None, [], "") for n in rule.any_slot_set):
        return False
    found = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
    if any(entity not in found for entity in rule.entities):
        return False
    return rule.active_loop is None or tracker.active_loop.get("name") == rule.active_loop
