"""What the service counts for Prometheus (`GET /metrics`): one `Metrics` per app, each with
its own registry, so two apps in one process (tests, two instances) never mix their figures."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

# a turn's seconds: the goal is p99 under 0.1 s, the model alone takes a few milliseconds
TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Turns and their latency by channel, intents, fallbacks, handoffs, the model's queue
    and errors by kind. Labels have few values: channel names, the domain's intents, the
    policy's reasons, error kinds; never a conversation or a text."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.turns = Counter("shopbot_turns", "Turns answered", ["channel"], registry=self.registry)
        self.turn_seconds = Histogram(
            "shopbot_turn_seconds",
            "Seconds from a message to its answer, waiting for the conversation included",
            ["channel"],
            buckets=TURN_BUCKETS,
            registry=self.registry,
        )
        self.intents = Counter(
            "shopbot_intents", "Messages by recognised intent", ["intent"], registry=self.registry
        )
        self.fallbacks = Counter(
            "shopbot_fallbacks",
            "Turns answered by the fallback, by the policy's reason",
            ["reason"],
            registry=self.registry,
        )
        self.handoffs = Counter(
            "shopbot_handoffs",
            "Conversations handed to a person",
            ["reason"],
            registry=self.registry,
        )
        self.model_waiting = Gauge(
            "shopbot_model_queue_depth",
            "Messages waiting for or being read by the intent model",
            registry=self.registry,
        )
        self.errors = Counter(
            "shopbot_errors",
            "Failures by kind: turn (a turn raised), action (an action failed and was "
            "answered), http (a request ended in a 500), overloaded (the model's queue was full), "
            "unavailable (a shared store did not answer)",
            ["kind"],
            registry=self.registry,
        )

    def turn_answered(self, channel: str, seconds: float) -> None:
        self.turns.labels(channel).inc()
        self.turn_seconds.labels(channel).observe(seconds)

    def error(self, kind: str) -> None:
        self.errors.labels(kind).inc()

    def exposition(self) -> tuple[bytes, str]:
        """The registry in Prometheus's text format, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
