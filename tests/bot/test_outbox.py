"""The app's outbox: each subscriber gets what is published; one failing does not stop others."""

from __future__ import annotations

from typing import Any

from bot.outbox import Outbox


def test_every_subscriber_gets_it_and_a_broken_one_is_skipped() -> None:
    outbox = Outbox()
    got: list[tuple[str, str, dict[str, Any]]] = []

    def broken(conversation_id: str, event: str, payload: dict[str, Any]) -> None:
        raise RuntimeError("channel down")

    outbox.subscribe(broken)
    stop = outbox.subscribe(lambda c, e, p: got.append((c, e, p)))
    outbox.publish("web:1", {"text": "hi"}, event="bot_uttered")
    stop()
    outbox.publish("web:1", {"text": "gone"}, event="bot_uttered")
    assert got == [("web:1", "bot_uttered", {"text": "hi"})]


def test_two_outboxes_never_share_subscribers() -> None:
    first, second = Outbox(), Outbox()
    got: list[str] = []
    first.subscribe(lambda c, e, p: got.append(c))
    second.publish("web:2", {})
    assert got == []
