"""Channel-neutral message types: what a connector hands the bot and gets back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4


@dataclass(frozen=True)
class Button:
    """A quick reply: `title` is shown, `payload` is sent back when clicked."""

    title: str
    payload: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class UserMessage:
    """One message from a shopper (or agent) on some channel.

    `sender_id` is what the channel calls the sender; the conversation is
    `<channel>:<sender_id>`, so no channel can name another channel's conversation.
    """

    text: str
    sender_id: str
    channel: str = "rest"
    metadata: dict[str, Any] = field(default_factory=dict)
    message_id: str = field(default_factory=lambda: uuid4().hex)

    @property
    def conversation_id(self) -> str:
        return conversation_id(self.channel, self.sender_id)


def conversation_id(channel: str, sender_id: str) -> str:
    """The store's key for a channel's sender (`rest:alice`, `web:3f9c…`)."""
    return f"{channel}:{sender_id}"


def log_id(conversation: str) -> str:
    """A short digest that lets log lines of one conversation be joined, without the id."""
    return hashlib.sha256(conversation.encode("utf-8", "surrogatepass")).hexdigest()[:12]


@dataclass(frozen=True)
class BotMessage:
    """One message from the bot: text, quick replies, an image, or a custom payload.

    A product card travels as `custom={"type": "product_card", "products": [...]}`.
    """

    text: str | None = None
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    custom: dict[str, Any] | None = None

    def to_rasa_rest(self, recipient_id: str) -> dict[str, Any]:
        """The element of Rasa's REST channel response array for this message."""
        payload: dict[str, Any] = {"recipient_id": recipient_id}
        if self.text is not None:
            payload["text"] = self.text
        if self.buttons:
            payload["buttons"] = [button.to_dict() for button in self.buttons]
        if self.image is not None:
            payload["image"] = self.image
        if self.custom is not None:
            payload["custom"] = self.custom
        return payload

    def to_event_data(self) -> dict[str, Any]:
        """The `data` field of a Rasa `bot` event."""
        return {
            "buttons": [button.to_dict() for button in self.buttons] or None,
            "image": self.image,
            "custom": self.custom,
        }

    @classmethod
    def from_dispatcher(cls, message: dict[str, Any]) -> BotMessage:
        """Build from one entry of rasa-sdk's `CollectingDispatcher.messages`."""
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in message.get("buttons") or []
        )
        custom = message.get("custom") or message.get("json_message") or None
        return cls(
            text=message.get("text"),
            buttons=buttons,
            image=message.get("image"),
            custom=custom,
        )
