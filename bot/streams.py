"""Events for a conversation that do not answer a turn, fanned out to listening channels.

Two kinds today: text an action generates, published in pieces while it is written
(`bot_stream`), and a person joining, leaving or writing in the conversation
(`agent_joined`, `agent_left`, `bot_uttered`). Channels that can push (the web widget's
socket.io) listen and forward; the others send only what the turn returns. In-process
only: an action on a remote action server has no listeners, and its reply arrives whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

Listener = Callable[[str, str, dict[str, Any]], None]  # (conversation_id, event, payload)
_listeners: list[Listener] = []


def listen(listener: Listener) -> Callable[[], None]:
    """Call `listener(conversation_id, event, payload)` for every event; returns the unsubscribe."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def publish(conversation_id: str, payload: dict[str, Any], event: str = "bot_stream") -> None:
    for listener in list(_listeners):
        try:
            listener(conversation_id, event, payload)
        except Exception:  # a broken listener must not break the action that publishes
            logger.exception("stream listener failed")
