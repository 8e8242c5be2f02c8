"""The interpreter with the session's trained model: intents, entities, payloads, batching."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.settings import PROJECT_ROOT
from nlu.classifier import IntentClassifier
from nlu.pipeline import ShopNLU, parse_payload
from nlu.training_data import load_examples


async def test_shopper_message_is_understood(intent_model_dir: Path) -> None:
    nlu = ShopNLU.from_model(intent_model_dir)
    result = await nlu.parse("show me laptops under $800")
    assert result["intent"]["name"] == "search_product"
    assert result["language"] == "en"
    assert {"entity": "price_max", "value": 800.0}.items() <= result["entities"][0].items()
    zh = await nlu.parse("给我看看电视")
    assert zh["intent"]["name"] == "search_product" and zh["language"] == "zh"
    await nlu.close()


def test_held_out_accuracy(intent_model_dir: Path) -> None:
    """The default model on data it never saw (the figure the closing note reports)."""
    classifier = IntentClassifier.load(intent_model_dir)
    examples = load_examples(PROJECT_ROOT / "data" / "nlu_test.yml")
    rankings = classifier.rank([e.text for e in examples])
    correct = sum(r[0]["name"] == e.intent for r, e in zip(rankings, examples, strict=True))
    assert correct / len(examples) >= 0.85


def test_button_payloads_bypass_the_model() -> None:
    result = parse_payload('/product_details{"product_id": "p123"}')
    assert result is not None
    assert result["intent"] == {"name": "product_details", "confidence": 1.0}
    assert result["entities"][0]["value"] == "p123"
    assert parse_payload("/broken{not json") is None
    assert parse_payload("not a payload") is None


async def test_concurrent_messages_share_batches(intent_model_dir: Path) -> None:
    nlu = ShopNLU.from_model(intent_model_dir, max_batch=8)
    texts = [f"show me laptops under {100 + i}" for i in range(20)]
    results = await asyncio.gather(*(nlu.parse(t) for t in texts))
    sizes = nlu._batcher.batch_sizes
    assert sum(sizes) == 20 and max(sizes) > 1 and max(sizes) <= 8
    alone = await nlu.parse(texts[5])
    assert results[5]["intent"]["name"] == alone["intent"]["name"]
    await nlu.close()
