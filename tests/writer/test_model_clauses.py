"""Model clauses are published only where they add an outcome; by default the embedded model's
are not published at all (the v5 samples: 11 of its 14 clauses read worse than the fact)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from actions.database import open_database
from bench.copy_claims import catalog_records
from bench.describe_catalog import SAMPLE_IDS, clause_pairs
from tests.writer.fake_models import OneByOne
from writer.backends import Generation, GenerationRequest, LocalCausalLM
from writer.clause_gate import clause_verdict
from writer.copy_check import SUPERLATIVES, CopyChecker, split_sentences
from writer.describe import DescriptionWriter
from writer.records import ProductRecord
from writer.service import DescriptionService
from writer.settings import WriterSettings
from writer.store import SqliteDescriptionStore
from writer.templates import fact_sentence
from writer.wording import check_wording
from writer.words import tokens

RECORDS = catalog_records()
HISENSE = RECORDS["pa09fcbc507"]  # "Game + Sports Mode" among its bullets


class FixedClause(OneByOne):
    """Continues every prompt's opening words with one clause; counts what it was asked."""

    name = "fixed"
    languages = frozenset({"en"})

    def __init__(self, clause: str) -> None:
        self.clause = clause
        self.requests: list[GenerationRequest] = []

    def answer(self, request: GenerationRequest) -> Generation:
        self.requests.append(request)
        return Generation(request.prefix + self.clause, 6, 0.0)


@pytest.mark.parametrize(
    ("clause", "fact", "title", "why"),
    [  # the v5 samples' clauses, as a person read them
        ("lets you play games and sports with your TV.", "Game + Sports Mode", "TV", "restates"),
        ("lets you double display all day.", "3x DisplayPort", "Desktop", "says nothing"),
        ("keeps the fun out of your life.", "Low-profile Design", "TV Mount", "negates"),
        ("makes the top desktop computer.", "Ryzen 9 Processor", "Desktop", "ranks"),
        ("makes it the #1 laptop.", "1x HDMI", "Laptop", "ranks"),
        ("lets you see everything.", "FHD Display", "Laptop", "says nothing"),
        ("makes your monitor feel smooth.", "Height Adjustable Stand", "Gaming", "names"),
        ("provide a ring and a video Doorbell.", "", "Ring Doorbell", "does not open"),
        ("lets you hear your music.", "Bluetooth 5.3", "Speaker", "no outcome"),
        ("keeps fast action smoothest.", "Refresh Rate 120Hz", "TV", "ranks"),
    ],
)
def test_the_gate_refuses_clauses_that_read_worse(
    clause: str, fact: str, title: str, why: str
) -> None:
    verdict = clause_verdict(clause, fact, title)
    assert verdict is not None and verdict.startswith(why), verdict


@pytest.mark.parametrize(
    ("clause", "fact"),
    [  # the prompt's own examples: an outcome the fact does not already say
        ("keeps fast action smooth and sharp.", "Refresh Rate 120Hz"),
        ("lets you type comfortably in any light.", "Backlit keyboard"),
        ("makes every call look and sound clear.", "1080p Video with Dual Microphones"),
    ],
)
def test_the_gate_keeps_a_clause_that_adds_an_outcome(clause: str, fact: str) -> None:
    assert clause_verdict(clause, fact, "Acme Thing") is None


def test_off_asks_the_model_nothing_and_publishes_each_fact_alone() -> None:
    model = FixedClause(" keeps fast action smooth and sharp.")
    writer = DescriptionWriter(model, model_clauses="off")
    [batched] = asyncio.run(writer.write_batch([HISENSE]))
    streamed = asyncio.run(writer.write(HISENSE))
    assert model.requests == []
    assert batched.path == streamed.path == "facts" and batched.text == streamed.text
    assert batched.tokens == 0 and all(s.source == "record" for s in batched.sentences)
    game = fact_sentence("Game + Sports Mode", HISENSE.title)
    assert game.removeprefix("It has ") in batched.text
    assert "smooth" not in batched.text


def test_gated_publishes_the_fact_alone_for_a_restating_clause() -> None:
    model = FixedClause(" lets you play games and sports with your TV.")
    [description] = asyncio.run(
        DescriptionWriter(model, model_clauses="gated").write_batch([HISENSE])
    )
    assert model.requests, "gated mode asks the model"
    assert "play games and sports" not in description.text
    [game] = [s for s in description.sentences if s.fact == "Game + Sports Mode"]
    assert game.source == "record" and game.text == game.fact_only
    assert game.model_draft.endswith("play games and sports with your TV.")
    assert game.gate.startswith("restates the fact")


def test_gated_publishes_a_clause_that_adds_an_outcome() -> None:
    model = FixedClause(" makes everyday work smooth.")
    [description] = asyncio.run(
        DescriptionWriter(model, model_clauses="gated").write_batch([HISENSE])
    )
    [android] = [s for s in description.sentences if s.fact == "Android TV"]
    assert android.source == "model" and android.gate == ""
    assert "Android TV makes everyday work smooth." in description.text
    assert description.path == "model+record"


def test_auto_is_off_for_the_embedded_model_and_gated_for_another() -> None:
    assert DescriptionWriter(LocalCausalLM()).model_clauses == "off"  # not loaded: no weights
    assert DescriptionWriter(FixedClause(".")).model_clauses == "gated"
    with pytest.raises(ValueError, match="model_clauses"):
        DescriptionWriter(FixedClause("."), model_clauses="on")


def test_the_setting_reaches_the_writer_and_refuses_unknown_values(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        WriterSettings(model_clauses="always")
    settings = WriterSettings(
        backend="openai", base_url="http://127.0.0.1:9/v1", model_clauses="off"
    )
    store = SqliteDescriptionStore(open_database(tmp_path / "descriptions.db"))
    service = DescriptionService.from_settings(settings, catalog=_NoCatalog(), store=store)
    assert service.writer.model_clauses == "off"
    assert WriterSettings().model_clauses == "auto"


class _NoCatalog:
    def get(self, product_id: str) -> None:
        return None

    def all(self) -> list[object]:
        return []


def test_the_20_samples_by_default_have_no_superlative_fragment_or_rejected_sentence() -> None:
    """What `describe_samples.md` shows with the embedded model's default (clauses off)."""
    samples = [RECORDS[product_id] for product_id in SAMPLE_IDS]
    descriptions = asyncio.run(
        DescriptionWriter(FixedClause(" is the best."), model_clauses="off").write_batch(samples)
    )
    for record, description in zip(samples, descriptions, strict=True):
        checker = CopyChecker(record)
        for sentence in split_sentences(description.text):
            verdict = checker.sentence(sentence)
            assert verdict.supported, (record.id, sentence, verdict.rejected_by)
            assert not check_wording(sentence, checker.text), (record.id, sentence)
        assert not set(tokens(description.text)) & SUPERLATIVES, record.id
        assert "Fingertip Tilting and Extends" not in description.text  # a subjectless verb


def test_pairs_hide_which_sentence_is_the_model_s() -> None:
    model = FixedClause(" makes everyday work smooth.")
    records = [RECORDS[product_id] for product_id in SAMPLE_IDS[:8]]
    described = asyncio.run(DescriptionWriter(model, model_clauses="gated").write_batch(records))
    rows = clause_pairs(list(zip(records, described, strict=True)), seed=17)
    assert len(rows) >= 10
    assert {key["model"] for _, key in rows} == {"A", "B"}  # the order is drawn, not fixed
    for blind, key in rows:
        assert set(blind) == {"id", "title", "A", "B"} and blind["id"] == key["id"]
        model_text = blind[key["model"]]
        other = blind["B" if key["model"] == "A" else "A"]
        assert model_text.endswith("work smooth.") and "work smooth" not in other


def test_a_fact_sentence_never_leaves_a_verb_without_a_subject() -> None:
    assert fact_sentence("Fingertip Tilting and Extends up to 5.7”") == (
        'It has fingertip tilting and extends up to 5.7".'
    )
    assert fact_sentence("Safety Tested and Designed for an Easy Install") == (
        "It is safety tested and designed for an easy install."
    )
    record = ProductRecord(id="t", title="Mouse", category="Mice", brand="Acme", bullets=[])
    assert fact_sentence("Compatible with all Devices and Works with all Providers", record.title)
