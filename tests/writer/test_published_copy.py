"""The writer never publishes a sentence the copy checker or the wording rules reject: on the
20 sample products of `bench/results/describe_samples.md`, with a model that keeps making the
issue's false claims, and from the record alone."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bench.copy_claims import catalog_records
from bench.describe_catalog import SAMPLE_IDS
from tests.writer.fake_models import OneByOne
from writer.backends import Generation, GenerationRequest
from writer.copy_check import SUPERLATIVES, CopyChecker, split_sentences
from writer.describe import Description, DescriptionWriter
from writer.records import ProductRecord
from writer.wording import check_wording
from writer.words import tokens

RECORDS = catalog_records()
SAMPLES = [RECORDS[product_id] for product_id in SAMPLE_IDS]
PLAIN = " makes everyday work smooth."
# what a small model adds to a fact, false ones from the issue among them
CLAUSES = (
    " is the best on the market.",
    PLAIN,
    " is a great TV for your home.",
    " is perfect for gamers.",
    " lets you stream to your iPhone.",
    " comes with its stand included.",  # true of the monitor with its stand, not the OLED
    " with long lasting all-day battery life.",
    " needs no wiring.",
    " and a weatherproof design.",
    ".",
)


class ScriptedModel(OneByOne):
    """Continues each prompt's opening words with the next clause, round and round."""

    name = "scripted"
    languages = frozenset({"en"})

    def __init__(self) -> None:
        self._next = itertools.cycle(CLAUSES)

    def answer(self, request: GenerationRequest) -> Generation:
        texts = [request.prefix + next(self._next) for _ in range(request.candidates)]
        return Generation(texts[0], 6, 0.0, tuple(texts[1:]))


class NoModel(ScriptedModel):
    languages = frozenset()  # writes no language: every description comes from the record


def rejected(description: Description, record: ProductRecord) -> list[str]:
    checker = CopyChecker(record)
    return [
        sentence
        for sentence in split_sentences(description.text)
        if not checker.sentence(sentence).supported or check_wording(sentence, checker.text)
    ]


def write(model: ScriptedModel) -> list[Description]:
    return asyncio.run(DescriptionWriter(model).write_batch(SAMPLES))


@pytest.mark.parametrize("model", [ScriptedModel, NoModel], ids=["boastful-model", "no-model"])
def test_no_published_sentence_is_rejected(model: type[ScriptedModel]) -> None:
    descriptions = write(model())
    for description, record in zip(descriptions, SAMPLES, strict=True):
        assert description.text, record.id
        assert rejected(description, record) == [], (record.id, description.text)
        words = set(tokens(description.text))
        assert not words & SUPERLATIVES, (record.id, words & SUPERLATIVES)
        assert description.check["copy_check"] == "passed"


def test_the_model_keeps_only_its_true_clauses() -> None:
    descriptions = write(ScriptedModel())
    text = " ".join(description.text for description in descriptions)
    assert PLAIN.strip(" .") in text  # the model's sentences are published where true
    for clause in CLAUSES:
        if clause not in (PLAIN, ".", " comes with its stand included."):
            assert clause.strip(" .") not in text, clause
    assert sum(d.path != "record" for d in descriptions) >= len(descriptions) // 2


def test_the_issues_sample_sentences_are_gone() -> None:
    """The named failures of the 20 samples: wrong type, contradicted negation, fragments."""
    by_id = {d.product_id: d.text for d in write(ScriptedModel())}
    assert "a TV" not in by_id["p7258a52505"] and "great TV" not in by_id["p1d06114fd4"]
    assert "The stand is not included." in by_id["p1d5b88849d"]
    assert "stand included" not in by_id["p1d5b88849d"]
    assert "no wiring" not in by_id["p47b426cf1d"]
    assert "’s ’s" not in by_id["p47b426cf1d"]
    for text in by_id.values():
        assert not any(s.rstrip(".").strip() in {"Processor", ""} for s in split_sentences(text))
        assert "³" not in text and "¹" not in text


def test_a_record_claim_that_needs_proof_is_not_published() -> None:
    record = ProductRecord(
        id="t-battery",
        title="Duracell Coppertop AA Batteries (20 Pack)",
        category="Batteries",
        brand="Duracell",
        bullets=["#1 Trusted Battery Brand", "Long-lasting power for everyday devices"],
    )
    [description] = asyncio.run(DescriptionWriter(NoModel()).write_batch([record]))
    assert "#1" not in description.text and "long-lasting power" in description.text.lower()
    [dropped] = description.check["dropped_sentences"]
    assert "#1 trusted" in dropped["text"].lower() and dropped["why"]
