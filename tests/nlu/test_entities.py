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
        ("i5-13420H laptop with 16GB", [("storage", 16.0)]),
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16gb ram and a 1tb ssd", [("memory", 16.0), ("storage", 1024.0)]),
        ('a 15.6" laptop in silver', [("screen_size", 15.6), ("color", "silver")]),
        ("65 inch tv", [("screen_size", 65.0)]),
        ("黑色 128GB", [("color", "black"), ("storage", 128.0)]),
        ("invoice INV-2024-008812 is wrong", [("invoice_id", "INV-2024-008812")]),
        ("call me on 415-555-0132", [("phone", "415-555-0132")]),
    ],
)
def test_spec_and_identifier_entities(text: str, expected: list[tuple[str, object]]) -> None:
    assert _values(text) == expected


def test_brands_and_categories_come_from_the_catalog() -> None:
    from nlu.lookups import CatalogLookups

    lookups = CatalogLookups(
        brands=("ASUS", "Samsung"),
        categories=("TVs", "Gaming Laptops & Notebook Computers"),
        category_words={
            "tv": "TVs",
            "gaming laptop": "Gaming Laptops & Notebook Computers",
            "游戏本": "Gaming Laptops & Notebook Computers",
        },
    )
    values = [(e["entity"], e["value"]) for e in extract_entities("asus gaming laptop", lookups)]
    assert values == [("brand", "ASUS"), ("category", "Gaming Laptops & Notebook Computers")]
    values = [(e["entity"], e["value"]) for e in extract_entities("华硕游戏本", lookups)]
    assert values == [("brand", "ASUS"), ("category", "Gaming Laptops & Notebook Computers")]
    assert extract_entities("that samsung", lookups)[0]["value"] == "Samsung"
