"""Everything that reaches a shopper outside the turn that answers them, in one place per app.

Generated text in pieces while it is written (`bot_stream`), a person joining, writing in or
leaving the conversation (`agent_joined`, `bot_uttered`, `agent_left`), and later late
replies and alerts. Whoever has something to say publishes it for a conversation id; each
channel that can push (the widget's socket.io today; Slack, WeChat's customer-service API
and a Redis pub/sub between instances later) subscribes and delivers what is for
conversations it holds. One `Outbox` per app, passed to whoever needs it: nothing global.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

# (conversation_id, event, payload)
Delivery = Callable[[str, str, dict[str, Any]], None]


class Outbox:
    def __init__(self) -> None:
        self._deliveries: list[Delivery] = []

    def subscribe(
        self, deliver: Delivery, *, from_every_instance: bool = False
    ) -> Callable[[], None]:
        """Call `deliver(conversation_id, event, payload)` for everything published from now
        on; returns the unsubscribe.

        With several instances (`bot.outbox_redis.RedisOutbox`), `from_every_instance=True`
        also delivers what other instances publish: for channels whose connections live in
        this process (sockets: only the instance holding one has anybody to send to). Channels
        that push to an outside API (REST callbacks, WeChat) leave it False, so a line is sent
        once, by the instance where it was published. One instance: the same either way."""
        self._deliveries.append(deliver)
        return lambda: self._deliveries.remove(deliver) if deliver in self._deliveries else None

    def publish(
        self, conversation_id: str, payload: dict[str, Any], event: str = "bot_stream"
    ) -> None:
        for deliver in list(self._deliveries):
            try:
                deliver(conversation_id, event, payload)
            except Exception:  # a broken channel must not break whoever publishes
                logger.exception("outbox delivery failed")
