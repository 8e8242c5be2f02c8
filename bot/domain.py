"""The domain file: intents, slots, responses in both languages, and the policy's rules."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field


class SlotCondition(BaseModel):
    """A Rasa response condition: `{type: slot, name, value}`."""

    type: str = "slot"
    name: str
    value: Any = None


class ResponseVariation(BaseModel):
    text: str | None = None
    buttons: list[dict[str, str]] = Field(default_factory=list)
    image: str | None = None
    custom: dict[str, Any] | None = None
    condition: list[SlotCondition] = Field(default_factory=list)

    def matches(self, slots: dict[str, Any]) -> bool:
        return all(slots.get(c.name) == c.value for c in self.condition)


class Rule(BaseModel):
    """Intent plus optional state -> actions. The first matching rule wins."""

    intent: str
    actions: list[str]
    slots: dict[str, Any] = Field(default_factory=dict)
    slots_set: list[str] = Field(default_factory=list)
    any_slot_set: list[str] = Field(default_factory=list)  # at least one of these is set
    active_loop: str | None = None
    # entities the message must carry; such a rule holds even when the intent is in doubt,
    # as the entity is the evidence ("第二个呢?" with results shown means that product)
    entities: list[str] = Field(default_factory=list)


class PolicyConfig(BaseModel):
    fallback_action: str = "action_default_fallback"
    rules: list[Rule] = Field(default_factory=list)


class SlotMapping(BaseModel):
    """Rasa's slot mappings: `from_entity` (any turn) and `from_text` (when requested)."""

    type: str = "from_entity"
    entity: str | None = None
    not_intent: list[str] = Field(default_factory=list)
    conditions: list[dict[str, Any]] = Field(default_factory=list)

    def active_in(self, loop: str | None, requested: str | None) -> bool:
        if not self.conditions:
            return True
        return any(
            c.get("active_loop") == loop
            and ("requested_slot" not in c or c["requested_slot"] == requested)
            for c in self.conditions
        )


class SlotSpec(BaseModel):
    type: str = "any"
    initial_value: Any = None
    influence_conversation: bool = False
    mappings: list[SlotMapping] = Field(default_factory=list)


class FormSpec(BaseModel):
    """A Rasa form, plus what this project adds: the action run once it is complete,
    and intents that leave it (Rasa expresses both as rules)."""

    required_slots: list[str]
    submit: str | None = None
    interrupt_intents: list[str] = Field(default_factory=list)
    # Rasa's unhappy paths: a question mid-form is answered and the form asked again once;
    # after `max_invalid_answers` rejected answers the form ends with `on_give_up`
    max_invalid_answers: int | None = None
    on_give_up: str | None = None
    # questions answered mid-form before the form asks again; any other request leaves it
    question_intents: list[str] = Field(default_factory=list)


class Domain(BaseModel):
    """A Rasa-compatible domain, plus the `policy` section this project adds."""

    version: str = "3.1"
    intents: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    slots: dict[str, SlotSpec] = Field(default_factory=dict)
    responses: dict[str, list[ResponseVariation]] = Field(default_factory=dict)
    actions: list[str] = Field(default_factory=list)
    forms: dict[str, FormSpec] = Field(default_factory=dict)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)

    @classmethod
    def load(cls, path: Path) -> Domain:
        with path.open(encoding="utf-8") as file:
            return cls.model_validate(yaml.safe_load(file))

    @property
    def slot_defaults(self) -> dict[str, Any]:
        return {name: spec.initial_value for name, spec in self.slots.items()}

    def action_names(self) -> set[str]:
        """Every action the policy and the forms can run (forms themselves excluded)."""
        names = {self.policy.fallback_action}
        for rule in self.policy.rules:
            names.update(name for name in rule.actions if name not in self.forms)
        names.update(form.submit for form in self.forms.values() if form.submit)
        names.update(form.on_give_up for form in self.forms.values() if form.on_give_up)
        names.update(
            f"utter_ask_{slot}" for form in self.forms.values() for slot in form.required_slots
        )
        return names

    def pick_response(self, name: str, slots: dict[str, Any]) -> ResponseVariation | None:
        """A variation of `name` whose conditions hold; conditional ones first, as in Rasa."""
        variations = self.responses.get(name) or []
        conditional = [v for v in variations if v.condition and v.matches(slots)]
        plain = [v for v in variations if not v.condition]
        candidates = conditional or plain
        return random.choice(candidates) if candidates else None

    def to_rasa_dict(self) -> dict[str, Any]:
        """The domain as rasa-sdk actions receive it (without the policy section)."""
        data = self.model_dump(mode="json", exclude={"policy"}, exclude_none=True)
        return data
