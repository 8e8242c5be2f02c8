"""Nothing a shopper types can make reading it slow: every pattern in `nlu/` and `writer/`
on 2,000-character adversarial inputs, and random Unicode through the whole parser."""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nlu
import writer
from nlu.entities import extract_entities
from nlu.language import detect_language
from nlu.lookups import CatalogLookups
from nlu.pipeline import parse_payload

LENGTH = 2000
# generous: a linear pattern takes well under a millisecond on these; the cubic ones this
# replaced took 40-220 s on the first three
BUDGET_S = 0.25
LOOKUPS = CatalogLookups(brands=("Apple", "Western Digital", "HP", "LG"))


def _fill(unit: str, prefix: str = "", suffix: str = "") -> str:
    room = LENGTH - len(prefix) - len(suffix)
    return prefix + (unit * (room // len(unit) + 1))[:room] + suffix


ADVERSARIAL = {
    "spaces": " " * LENGTH,
    "1, spaces, x": _fill(" ", "1", "x"),
    "between 1, spaces": _fill(" ", "between 1"),
    "order, spaces": _fill(" ", "order", "x"),
    "tabs and newlines": _fill("\t\n "),
    "digits": "1" * LENGTH,
    "digits with commas": _fill("1,"),
    "digits with dots": _fill("1."),
    "price then spaces": _fill(" ", "under $1"),
    "dollars and spaces": _fill("$ "),
    "half ranges": _fill("1 to "),
    "half prices": _fill("under $", suffix="!"),
    "letters": "a" * LENGTH,
    "letters and at": _fill("a@"),
    "email local parts": _fill("a.", suffix="@"),
    "dashes": "-" * LENGTH,
    "digits and dashes": _fill("1-"),
    "stars": _fill("5 stars "),
    "han": "第" * LENGTH,
    "han prices": _fill("元 "),
    "k suffixes": _fill("1k "),
    "slash payload": _fill("a", "/", "{"),
    "braces": _fill("{", "/a"),
    "inches": _fill('1" '),
    "gb runs": _fill("1 gb "),
    "ignore instructions": _fill("ignore ", suffix="instructions"),
}


def _modules(package: object) -> Iterator[object]:
    path = package.__path__  # type: ignore[attr-defined]
    for info in pkgutil.iter_modules(path, prefix=f"{package.__name__}."):  # type: ignore[attr-defined]
        yield importlib.import_module(info.name)


def _found_in(name: str, value: object) -> Iterator[tuple[str, re.Pattern[str]]]:
    """Compiled patterns held by a module-level name, directly or in a tuple, list or dict."""
    if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
        yield name, value
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from _found_in(f"{name}[{index}]", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _found_in(f"{name}[{key!r}]", item)


def _patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    for package in (nlu, writer):
        for module in _modules(package):
            for name, value in vars(module).items():
                if not name.startswith("__"):
                    yield from _found_in(f"{module.__name__}.{name}", value)
    yield "nlu.lookups.brand_pattern", LOOKUPS.brand_pattern()


PATTERNS = dict(_patterns())


def test_the_patterns_are_all_found() -> None:
    assert len(PATTERNS) > 80
    assert "nlu.entities._RANGE" in PATTERNS and "nlu.entities._ORDER_ID" in PATTERNS


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_pattern_is_fast_on_adversarial_input(name: str) -> None:
    pattern = PATTERNS[name]
    slowest, worst = 0.0, ""
    for label, text in ADVERSARIAL.items():
        started = time.perf_counter()
        for _ in pattern.finditer(text):
            pass
        pattern.match(text)
        took = time.perf_counter() - started
        if took > slowest:
            slowest, worst = took, label
    assert slowest < BUDGET_S, f"{name} took {slowest:.3f} s on {worst!r}"


@pytest.mark.parametrize("label", sorted(ADVERSARIAL))
def test_the_whole_reading_is_fast_on_adversarial_input(label: str) -> None:
    text = ADVERSARIAL[label]
    started = time.perf_counter()
    extract_entities(text, LOOKUPS)
    parse_payload(text)
    detect_language(text)
    assert time.perf_counter() - started < BUDGET_S * 4


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_random_unicode_never_breaks_the_parser(text: str) -> None:
    entities = extract_entities(text, LOOKUPS)
    for entity in entities:
        assert 0 <= entity["start"] < entity["end"] <= len(text)
    parse_payload(text)
    assert detect_language(text) in ("en", "zh")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["under", "$", "1", "0", ",", ".", " ", "\t", "to", "k", "元", "order"]),
        max_size=120,
    )
)
def test_fragments_of_prices_never_break_the_parser(parts: list[str]) -> None:
    text = "".join(parts)
    for entity in extract_entities(text, LOOKUPS):
        assert 0 <= entity["start"] < entity["end"] <= len(text)


def test_offsets_point_into_the_original_text_after_whitespace_runs() -> None:
    text = "laptops   under \t $800   for order   384920174650001"
    entities = {e["entity"]: e for e in extract_entities(text, LOOKUPS)}
    price = entities["price_max"]
    assert text[price["start"] : price["end"]] == "800" and price["value"] == 800
    order = entities["order_id"]
    assert text[order["start"] : order["end"]] == "384920174650001"


def test_runs_of_whitespace_read_like_one_space() -> None:
    spaced = {(e["entity"], e["value"]) for e in extract_entities("between  $100\n\nand  $300")}
    plain = {(e["entity"], e["value"]) for e in extract_entities("between $100 and $300")}
    assert spaced == plain == {("price_min", 100.0), ("price_max", 300.0)}
