"""Forms: slots filled from entities (or the whole text) across turns, validated by the
form's rasa-sdk `FormValidationAction`, then submitted. Rasa runs this loop in its
`FormAction`; here it is a small part of the engine."""

from __future__ import annotations

from typing import Any

from bot.domain import Domain, FormSpec
from bot.tracker import ConversationTracker, Event, slot_event

REQUESTED_SLOT = "requested_slot"
# per form run: whether the form was asked again after a digression, and rejected answers
DIGRESSED_SLOT = "form_digressed"
INVALID_SLOT = "form_invalid_answers"


def extract_slots(
    domain: Domain, tracker: ConversationTracker, with_text: bool = True
) -> list[Event]:
    """SlotSet events for the latest message's entities (and, `with_text`, its whole text
    for a requested slot)."""
    message = tracker.latest_message
    intent = str((message.get("intent") or {}).get("name") or "")
    loop = tracker.active_loop.get("name")
    requested = tracker.slots.get(REQUESTED_SLOT)
    entities: dict[str, Any] = {}
    for entity in message.get("entities") or []:
        entities.setdefault(str(entity.get("entity")), entity.get("value"))
    events: list[Event] = []
    for name, spec in domain.slots.items():
        for mapping in spec.mappings:
            if intent in mapping.not_intent or not mapping.active_in(loop, requested):
                continue
            value: Any = None
            if mapping.type == "from_entity" and mapping.entity in entities:
                value = entities[mapping.entity]
            elif mapping.type == "from_text" and with_text and loop and requested == name:
                value = message.get("text")
            if value is not None:
                if tracker.slots.get(name) != value:
                    events.append(slot_event(name, value))
                break
    return events


def entities_fill(domain: Domain, form: FormSpec, tracker: ConversationTracker) -> bool:
    """Whether the latest message has an entity that a required slot of the form maps."""
    found = {str(e.get("entity")) for e in tracker.latest_message.get("entities") or []}
    return any(
        mapping.type == "from_entity" and mapping.entity in found
        for slot in form.required_slots
        for mapping in domain.slots[slot].mappings
    )


def missing_slots(form: FormSpec, tracker: ConversationTracker) -> list[str]:
    return [slot for slot in form.required_slots if tracker.slots.get(slot) in (None, "")]


def activation_events(name: str) -> list[Event]:
    return [
        {"event": "active_loop", "name": name},
        slot_event(DIGRESSED_SLOT, None),
        slot_event(INVALID_SLOT, None),
    ]


def deactivation_events() -> list[Event]:
    return [
        {"event": "active_loop", "name": None},
        slot_event(REQUESTED_SLOT, None),
        slot_event(DIGRESSED_SLOT, None),
        slot_event(INVALID_SLOT, None),
    ]
