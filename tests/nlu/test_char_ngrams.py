"""The character n-gram model beside the encoder, and Traditional Chinese read as Simplified."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlu.char_ngrams import MAX_CHARS, CharNgramModel, fuse, log_softmax, ngram_ids, normalise
from nlu.chinese import to_simplified

TEXTS = ["我的订单到哪了", "查一下订单物流", "快递到哪里了", "我要退款", "怎么申请退款", "钱退给我"]
TARGETS = [0, 0, 0, 1, 1, 1]


def test_traditional_is_read_as_simplified_character_for_character() -> None:
    assert to_simplified("請問訂單發貨了嗎") == "请问订单发货了吗"
    assert to_simplified("order 12345") == "order 12345"
    assert len(to_simplified("這款筆記本電腦支援藍牙嗎")) == len("這款筆記本電腦支援藍牙嗎")


def test_normalise_folds_full_width_forms_and_case() -> None:
    assert normalise("ＵＳＢ　Ｔｙｐｅ－Ｃ  訂單") == "usb type-c 订单"


def test_ngrams_of_a_huge_message_are_bounded() -> None:
    # the model reads the first MAX_CHARS characters: three n-gram sizes, a few ids each
    assert len(ngram_ids("退" * 100_000)) <= 3 * (MAX_CHARS + 2)


def test_a_tiny_model_separates_two_intents_in_either_script(tmp_path: Path) -> None:
    model = CharNgramModel.train(TEXTS, TARGETS, labels=2)
    predicted = model.logits(["订单在哪", "退款呢", "訂單在哪", "退款呢？？"]).argmax(axis=1)
    assert predicted.tolist() == [0, 1, 0, 1]

    model.save(tmp_path)
    loaded = CharNgramModel.load(tmp_path)
    assert loaded is not None
    np.testing.assert_allclose(loaded.logits(TEXTS), model.logits(TEXTS), rtol=1e-6)


def test_a_model_folder_without_ngrams_loads_none(tmp_path: Path) -> None:
    assert CharNgramModel.load(tmp_path) is None


def test_fusion_at_weight_zero_is_the_encoder_alone() -> None:
    encoder = np.array([[2.0, 0.5, -1.0]])
    ngrams = np.array([[-3.0, 4.0, 0.0]])
    np.testing.assert_allclose(fuse(encoder, ngrams, 0.0), log_softmax(encoder))
    assert fuse(encoder, ngrams, 1.0).argmax() == 1  # a confident n-gram model can outvote
