"""/metrics: a turn moves the counters; each app counts in its own registry."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app
from bot.metrics import Metrics
from bot.settings import Settings


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_a_turn_moves_the_counters(aiohttp_client: Any, settings: Settings) -> None:
    client: TestClient = await aiohttp_client(create_app(settings))
    before = await client.get("/metrics")
    assert before.status == 200 and before.content_type == "text/plain"
    assert (
        _samples(await before.text()).get(("shopbot_turns_total", (("channel", "rest"),))) is None
    )

    for text in ("hello", "show me laptops under 500", "/no_such_intent"):
        response = await client.post(
            "/webhooks/rest/webhook", json={"sender": "m1", "message": text}
        )
        assert response.status == 200

    after = _samples(await (await client.get("/metrics")).text())
    assert after[("shopbot_turns_total", (("channel", "rest"),))] == 3
    assert after[("shopbot_turn_seconds_count", (("channel", "rest"),))] == 3
    assert after[("shopbot_turn_seconds_bucket", (("channel", "rest"), ("le", "+Inf")))] == 3
    intents = {labels: v for (name, labels), v in after.items() if name == "shopbot_intents_total"}
    assert sum(intents.values()) == 3 and (("intent", "greet"),) in intents
    assert after[("shopbot_model_queue_depth", ())] == 0
    fallbacks = [v for (name, _), v in after.items() if name == "shopbot_fallbacks_total"]
    assert sum(fallbacks) == 1  # the intent no rule answers


def test_two_metrics_never_share_figures() -> None:
    first, second = Metrics(), Metrics()
    first.turn_answered("rest", 0.01)
    first.error("http")
    text = second.exposition()[0].decode()
    assert 'shopbot_turns_total{channel="rest"}' not in text
    assert 'shopbot_errors_total{kind="http"}' not in text
    assert 'shopbot_turns_total{channel="rest"} 1.0' in first.exposition()[0].decode()
