from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from nlu.training_data import load_examples, strip_annotations


def test_rasa_yaml_examples_lose_entity_annotations(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: search_product\n  examples: |\n'
        '    - laptops under [800](price_max)\n    - a [red]{"entity": "color"} phone\n'
        "- synonym: tv\n  examples: |\n    - television\n",
        encoding="utf-8",
    )
    examples = load_examples(path)
    assert [(e.text, e.intent) for e in examples] == [
        ("laptops under 800", "search_product"),
        ("a red phone", "search_product"),
    ]


def test_csv_needs_text_and_intent_columns(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text('text,intent\nhello,greet\n"hi, you",greet\n', encoding="utf-8")
    assert [e.text for e in load_examples(good)] == ["hello", "hi, you"]
    bad = tmp_path / "bad.csv"
    bad.write_text("sentence,label\nhello,greet\n", encoding="utf-8")
    with pytest.raises(ValueError, match="text,intent"):
        load_examples(bad)


@pytest.mark.parametrize("held_out", ["nlu_test.yml", "nlu_rough_test.yml"])
def test_held_out_file_shares_no_example_with_training_data(held_out: str) -> None:
    train = {e.text.lower() for e in load_examples(PROJECT_ROOT / "data" / "nlu.yml")}
    test = {e.text.lower() for e in load_examples(PROJECT_ROOT / "data" / held_out)}
    assert test and not train & test


def test_held_out_files_cover_every_trained_intent() -> None:
    trained = {e.intent for e in load_examples(PROJECT_ROOT / "data" / "nlu.yml")}
    for held_out in ("nlu_test.yml", "nlu_rough_test.yml"):
        assert {e.intent for e in load_examples(PROJECT_ROOT / "data" / held_out)} == trained


def test_strip_annotations_leaves_plain_text_alone() -> None:
    assert strip_annotations("plain [text") == "plain [text"
