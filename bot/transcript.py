"""A conversation as the shopper saw it: user and bot messages, from the stored events."""

from __future__ import annotations

from typing import Any

from bot.tracker import Event


def transcript(events: list[Event]) -> list[dict[str, Any]]:
    """`[{sender: "user"|"bot", text, buttons?, custom?, image?, timestamp}]` in order."""
    lines: list[dict[str, Any]] = []
    for event in events:
        if event.get("event") == "user":
            text = str(event.get("text") or "")
            if text.startswith("/"):
                continue  # a button's payload: the click already shows as the bot's answer
            lines.append({"sender": "user", "text": text, "timestamp": event.get("timestamp")})
        elif event.get("event") == "bot":
            data = event.get("data") or {}
            line: dict[str, Any] = {
                "sender": "bot",
                "text": event.get("text"),
                "timestamp": event.get("timestamp"),
            }
            for key in ("buttons", "custom", "image"):
                if data.get(key):
                    line[key] = data[key]
            lines.append(line)
    return lines
