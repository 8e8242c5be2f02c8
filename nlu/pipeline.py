"""The shop's interpreter: payload shortcuts, intents (micro-batched), entities, language."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from nlu.batching import MicroBatcher
from nlu.chinese import to_simplified
from nlu.classifier import IntentClassifier
from nlu.entities import IDENTIFIERS, extract_entities
from nlu.evaluation import apply_threshold
from nlu.guards import (
    OUT_OF_SCOPE,
    QUESTION_INTENT,
    SEARCH_INTENT,
    STOP_INTENT,
    intent_from_evidence,
    is_focus_question,
    is_gibberish,
    is_injection,
    is_stop,
)
from nlu.language import language_of
from nlu.lookups import CatalogLookups
from nlu.model_store import ensure_intent_model
from nlu.results import IntentScore, ParseResult
from nlu.settings import NluSettings
from nlu.training import TrainingRecipe

log = logging.getLogger(__name__)

# Rasa's button payload syntax: /intent or /intent{"entity": "value"}
_PAYLOAD = re.compile(r"^/([A-Za-z_][\w-]*)(\{.*\})?$", re.DOTALL)


def recipe_from(nlu: NluSettings) -> TrainingRecipe:
    return TrainingRecipe(
        epochs=nlu.epochs,
        batch_size=nlu.batch_size,
        learning_rate=nlu.learning_rate,
        max_length=nlu.max_length,
        seed=nlu.seed,
    )


def parse_payload(text: str) -> ParseResult | None:
    """`/product_details{"product_id": "p1"}` -> that intent with confidence 1, as Rasa does."""
    match = _PAYLOAD.match(text.strip())
    if not match:
        return None
    entities: list[dict[str, Any]] = []
    if match.group(2):
        try:
            values = json.loads(match.group(2))
        except (json.JSONDecodeError, RecursionError):
            return None
        if not isinstance(values, dict):
            return None
        entities = [
            {"entity": str(k), "value": v, "extractor": "payload"} for k, v in values.items()
        ]
    score = IntentScore(name=match.group(1), confidence=1.0)
    return ParseResult(text=text, intent=score, intent_ranking=[score], entities=entities)


# a model this sure of an intent for unknown letters ("yesss" is affirm) is left alone
GIBBERISH_DOUBT = 0.9
RANKING_LENGTH = 10  # intents kept in the parse data (and every stored user event), as Rasa


def _without(text: str, entities: list[dict[str, Any]], names: frozenset[str]) -> str:
    """`text` with the spans of the named entities blanked out."""
    chars = list(text)
    for entity in entities:
        if entity.get("entity") in names:
            for i in range(int(entity["start"]), int(entity["end"])):
                chars[i] = " "
    return "".join(chars)


class ShopNLU:
    """An interpreter (`bot.interpreter.Interpreter`) over the fine-tuned MiniLM classifier."""

    def __init__(
        self,
        classifier: IntentClassifier,
        max_batch: int = 32,
        lookups: CatalogLookups | None = None,
        max_waiting: int = 256,
        worker: Executor | None = None,
        after_read: Callable[[list[ParseResult]], None] | None = None,
    ) -> None:
        """`worker`: the thread the app runs its models on (None: one of its own).
        `after_read`: more model work for what a batch says, in the same job on that thread
        (the shop embeds the searches' queries: a search then waits for the model once)."""
        self.classifier = classifier
        self.lookups = lookups or CatalogLookups()
        self._after_read = after_read
        # intents and entities both run in the batch worker: nothing here blocks the event loop
        self._batcher: MicroBatcher[str, ParseResult] = MicroBatcher(
            self._read, max_batch, max_waiting, worker
        )

    def _read(self, texts: list[str]) -> list[ParseResult]:
        rankings = self.classifier.rank(texts, top=RANKING_LENGTH)
        results = [self.read(text, ranking) for text, ranking in zip(texts, rankings, strict=True)]
        if self._after_read is not None:
            try:
                self._after_read(results)
            except Exception:  # only a head start lost: the action does it again
                log.exception("the work after reading a batch failed")
        return results

    def read(self, text: str, ranking: list[IntentScore]) -> ParseResult:
        """Intent, entities and typo corrections of one message, given the model's ranking.

        The classifier reads the shopper's own words (it is trained on typos); entities are
        read from the corrected text, their offsets pointing back into the original.
        Traditional Chinese is read as Simplified throughout (character for character, so
        offsets hold).
        """
        simplified = to_simplified(text)
        reading = self.lookups.spelling.read(simplified)
        entities = extract_entities(reading.text, self.lookups)
        for entity in entities:
            entity["start"], entity["end"] = reading.original_span(entity["start"], entity["end"])
        result = ParseResult(
            text=text,
            intent=self._judge(ranking[0]),
            intent_ranking=ranking[:RANKING_LENGTH],
            entities=entities,
        )
        if reading.corrections:
            result["corrected_text"] = reading.text
        language = language_of(_without(text, entities, IDENTIFIERS))
        if language is not None:
            result["language"] = language
        ruled = self._ruled_intent(simplified, entities, result["intent"])
        if ruled is not None:
            result["intent"] = IntentScore(name=ruled, confidence=1.0)
        elif result["intent"]["name"] in (OUT_OF_SCOPE, SEARCH_INTENT) and is_focus_question(
            simplified
        ):
            result["intent"] = IntentScore(name=QUESTION_INTENT, confidence=1.0)
        elif result["intent"]["name"] == OUT_OF_SCOPE:
            implied = intent_from_evidence(simplified, entities)
            if implied is not None:  # the model's doubt, settled by the message's evidence
                result["intent"] = IntentScore(name=implied, confidence=1.0)
        return result

    def _ruled_intent(
        self, text: str, entities: list[dict[str, Any]], model: IntentScore
    ) -> str | None:
        """Injections are never the model's to read; "never mind" leaves whatever is going on
        (the model's "deny" does that too); keyboard mashes the model is unsure of are noise."""
        if is_injection(text):
            return OUT_OF_SCOPE
        if is_stop(text) and model["name"] != "deny":
            return STOP_INTENT
        if (
            not entities
            and model["confidence"] < GIBBERISH_DOUBT
            and is_gibberish(text, self.lookups.spelling)
        ):
            return OUT_OF_SCOPE
        return None

    @classmethod
    def prepare(cls, nlu: NluSettings, training_data: Path, models: Path) -> Path:
        """Train the model for the current data unless it is cached already."""
        return ensure_intent_model(training_data, models, recipe_from(nlu))

    @classmethod
    def open(
        cls,
        nlu: NluSettings,
        training_data: Path,
        models: Path,
        catalog_db: Path,
        max_waiting: int = 256,
        worker: Executor | None = None,
        after_read: Callable[[list[ParseResult]], None] | None = None,
    ) -> ShopNLU:
        """Train if needed (cached by data hash), then load; call off the event loop."""
        classifier = IntentClassifier.load(cls.prepare(nlu, training_data, models), nlu.runtime)
        lookups = CatalogLookups.from_catalog(catalog_db)
        _ = lookups.spelling  # built now (a second or two), not on a shopper's first message
        return cls(classifier, nlu.max_batch, lookups, max_waiting, worker, after_read)

    @classmethod
    def from_model(cls, directory: Path, max_batch: int = 32, runtime: str = "torch") -> ShopNLU:
        return cls(IntentClassifier.load(directory, runtime), max_batch)

    async def parse(self, text: str) -> ParseResult:
        payload = parse_payload(text)
        if payload is not None:  # a button keeps the conversation's language
            return payload
        return await self._batcher.submit(text)

    def _judge(self, top: IntentScore) -> IntentScore:
        """Doubt below the calibrated threshold means the message is out of the shop's scope."""
        name = apply_threshold(top["name"], top["confidence"], self.classifier.threshold)
        return IntentScore(name=name, confidence=top["confidence"])

    async def close(self) -> None:
        await self._batcher.close()
