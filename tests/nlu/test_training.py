"""A tiny real fine-tuning run: train, save with labels and data hash, load, rank."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlu.classifier import IntentClassifier
from nlu.training import TrainingRecipe, stratified_split, train_intent_model
from nlu.training_data import Example

EXAMPLES = [
    *(Example(t, "greet") for t in ["hi", "hello", "hey there", "good morning", "你好", "嗨"]),
    *(Example(t, "goodbye") for t in ["bye", "see you", "goodbye", "later", "再见", "拜拜"]),
    *(
        Example(t, "search_product")
        for t in [
            "laptops",
            "show me tvs",
            "headphones under 100",
            "find a monitor",
            "笔记本",
            "耳机",
        ]
    ),
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("tiny") / "model"
    recipe = TrainingRecipe(epochs=2, min_epochs=1, batch_size=8, max_length=16, dev_fraction=0.2)
    report = train_intent_model(EXAMPLES, output, "hash-123", recipe, show_progress=False)
    assert report.epochs_run == 2 and report.train_examples + report.dev_examples == len(EXAMPLES)
    return output


def test_saved_model_has_labels_hash_and_metrics(tiny_model: Path) -> None:
    meta = json.loads((tiny_model / "meta.json").read_text())
    assert meta["labels"] == ["goodbye", "greet", "search_product"]
    assert meta["data_hash"] == "hash-123"
    assert meta["metrics"]["epochs_run"] == 2
    assert not tiny_model.with_name("model.partial").exists()


def test_loaded_model_ranks_every_intent(tiny_model: Path) -> None:
    classifier = IntentClassifier.load(tiny_model)
    [ranking] = classifier.rank(["hello there"])
    assert sorted(score["name"] for score in ranking) == ["goodbye", "greet", "search_product"]
    confidences = [score["confidence"] for score in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert abs(sum(confidences) - 1.0) < 1e-4


def test_chinese_characters_get_their_own_tokens(tiny_model: Path) -> None:
    classifier = IntentClassifier.load(tiny_model)
    assert "[UNK]" not in classifier.tokenizer.tokenize("拜拜 耳机")


def test_split_keeps_every_intent_in_training() -> None:
    train, dev = stratified_split(EXAMPLES, 0.2, seed=1)
    assert {e.intent for e in train} == {e.intent for e in EXAMPLES}
    assert len(dev) == 3 and not set(train) & set(dev)
