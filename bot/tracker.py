"""A conversation's state as Rasa events, replayable and serialisable for rasa-sdk."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

Event = dict[str, Any]


def user_event(
    text: str, parse_data: dict[str, Any], channel: str, message_id: str, metadata: dict[str, Any]
) -> Event:
    """A Rasa `user` event carrying the NLU result."""
    return {
        "event": "user",
        "timestamp": time.time(),
        "text": text,
        "parse_data": parse_data,
        "input_channel": channel,
        "message_id": message_id,
        "metadata": metadata,
    }


def action_event(name: str, confidence: float | None = None) -> Event:
    return {"event": "action", "timestamp": time.time(), "name": name, "confidence": confidence}


def bot_event(text: str | None, data: dict[str, Any]) -> Event:
    return {"event": "bot", "timestamp": time.time(), "text": text, "data": data, "metadata": {}}


SNAPSHOT = "snapshot"


def slot_event(name: str, value: Any) -> Event:
    return {"event": "slot", "timestamp": time.time(), "name": name, "value": value}


class ConversationTracker:
    """Events of one conversation plus the state they imply (slots, latest message, loop).

    State is never stored on its own: it is always the result of replaying events,
    so a store only needs to append events.
    """

    def __init__(self, sender_id: str, slot_defaults: dict[str, Any] | None = None) -> None:
        self.sender_id = sender_id
        self._slot_defaults = dict(slot_defaults or {})
        self.events: list[Event] = []
        self.slots: dict[str, Any] = dict(self._slot_defaults)
        self.latest_message: dict[str, Any] = {}
        self.latest_input_channel: str | None = None
        self.latest_action_name: str | None = None
        self.active_loop: dict[str, Any] = {}
        self.followup_action: str | None = None
        self.paused = False  # a person has the conversation (Rasa's pause/resume)

    @classmethod
    def from_events(
        cls, sender_id: str, events: Iterable[Event], slot_defaults: dict[str, Any] | None = None
    ) -> ConversationTracker:
        tracker = cls(sender_id, slot_defaults)
        for event in events:
            tracker.apply(event)
        return tracker

    def apply(self, event: Event) -> None:
        """Append one event and update the state it implies."""
        self.events.append(event)
        kind = event.get("event")
        if kind == "user":
            self.latest_message = {
                "text": event.get("text"),
                "message_id": event.get("message_id"),
                "metadata": event.get("metadata") or {},
                **(event.get("parse_data") or {}),
            }
            self.latest_input_channel = event.get("input_channel")
        elif kind == "slot":
            self.slots[str(event["name"])] = event.get("value")
        elif kind == "action":
            self.latest_action_name = event.get("name")
        elif kind == "active_loop":
            name = event.get("name")
            self.active_loop = {"name": name} if name else {}
        elif kind == "followup":
            self.followup_action = event.get("name")
        elif kind in ("pause", "resume"):
            self.paused = kind == "pause"
        elif kind == SNAPSHOT:  # older events, folded into the state they left behind
            self.slots = {**self._slot_defaults, **(event.get("slots") or {})}
            self.latest_message = dict(event.get("latest_message") or {})
            self.latest_input_channel = event.get("latest_input_channel")
            self.latest_action_name = event.get("latest_action_name")
            self.active_loop = dict(event.get("active_loop") or {})
            self.followup_action = event.get("followup_action")
            self.paused = bool(event.get("paused"))
        elif kind in ("reset_slots", "restart"):
            self.slots = dict(self._slot_defaults)
            if kind == "restart":
                self.active_loop = {}

    def snapshot(self) -> Event:
        """One event that, replayed, leaves the state all events so far left."""
        return {
            "event": SNAPSHOT,
            "timestamp": self.events[-1]["timestamp"] if self.events else time.time(),
            "slots": dict(self.slots),
            "latest_message": dict(self.latest_message),
            "latest_input_channel": self.latest_input_channel,
            "latest_action_name": self.latest_action_name,
            "active_loop": dict(self.active_loop),
            "followup_action": self.followup_action,
            "paused": self.paused,
        }

    def apply_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.apply(event)

    @property
    def language(self) -> str:
        return str(self.slots.get("language") or self.latest_message.get("language") or "en")

    def to_dict(self) -> dict[str, Any]:
        """The tracker JSON that rasa-sdk's `Tracker.from_dict` and action servers expect."""
        latest_event_time = self.events[-1]["timestamp"] if self.events else None
        return {
            "sender_id": self.sender_id,
            "slots": dict(self.slots),
            "latest_message": dict(self.latest_message),
            "latest_event_time": latest_event_time,
            "followup_action": self.followup_action,
            "paused": self.paused,
            "events": list(self.events),
            "latest_input_channel": self.latest_input_channel,
            "active_loop": dict(self.active_loop),
            "latest_action": {"action_name": self.latest_action_name},
            "latest_action_name": self.latest_action_name,
        }
