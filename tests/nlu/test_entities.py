import pytest

from nlu.entities import extract_entities
from nlu.language import detect_language


def _values(text: str) -> list[tuple[str, object]]:
    return [(e["entity"], e["value"]) for e in extract_entities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("show me laptops under $800", [("price_max", 800.0)]),
        ("tv between $200 and $400", [("price_min", 200.0), ("price_max", 400.0)]),
        ("gaming pc 1000-1500", [("price_min", 1000.0), ("price_max", 1500.0)]),
        ("anything below 1.5k", [("price_max", 1500.0)]),
        ("headphones over 300 dollars", [("price_min", 300.0)]),
        ("500元以内的耳机", [("price_max", 500.0)]),
        ("200到400块的音箱", [("price_min", 200.0), ("price_max", 400.0)]),
        ("the second one", [("ordinal", 2)]),
        ("what about the last one", [("ordinal", -1)]),
        ("第三个", [("ordinal", 3)]),
        ("i5-13420H laptop with 16GB", []),
    ],
)
def test_entities(text: str, expected: list[tuple[str, object]]) -> None:
    assert _values(text) == expected


def test_entities_carry_rasa_fields_and_positions() -> None:
    text = "where is order 123456789012345? my email is a.b@shop.com"
    entities = extract_entities(text)
    order = next(e for e in entities if e["entity"] == "order_id")
    assert text[order["start"] : order["end"]] == "123456789012345"
    assert order["extractor"] == "RegexEntityExtractor"
    assert any(e["entity"] == "email" and e["value"] == "a.b@shop.com" for e in entities)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("show me laptops", "en"),
        ("给我看看电视", "zh"),
        ("iPhone 12 多少钱", "zh"),
        ("is the Sony 耳机 good for running", "en"),
        ("", "en"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language
