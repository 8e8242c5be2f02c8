"""Text that arrives in pieces (a description being generated), fanned out to listeners.

An action publishes to its conversation; channels that can stream (the web widget) listen
and forward, the others ignore it and send only the final message. In-process only: an
action on a remote action server has no listeners, and its reply arrives whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

Listener = Callable[[str, dict[str, Any]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Callable[[], None]:
    """Call `listener(conversation_id, event)` for every event; returns the unsubscribe."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def publish(conversation_id: str, event: dict[str, Any]) -> None:
    for listener in list(_listeners):
        try:
            listener(conversation_id, event)
        except Exception:  # a broken listener must not break the action that publishes
            logger.exception("stream listener failed")
