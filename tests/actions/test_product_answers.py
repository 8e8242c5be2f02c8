"""Attribute questions answered from real listings, and "I don't know" when they are silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.catalog import Catalog, Product
from actions.catalog_import import ensure_demo_catalog
from actions.product_answers import answer_question
from bot.engine import Bot
from bot.messages import UserMessage


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    catalog = Catalog(tmp_path_factory.mktemp("answers") / "catalog.db")
    ensure_demo_catalog(catalog, show_progress=False)
    return catalog


def _named(catalog: Catalog, words: str) -> Product:
    product = catalog.find_by_name(words)
    assert product is not None
    return product


def test_a_stated_spec_is_quoted(catalog: Catalog) -> None:
    strix = _named(catalog, "ASUS ROG Strix G16 i7-13650HX RTX 4050")
    answer = answer_question("does it support wifi 6e?", strix)
    assert answer.exact and answer.line and "Wi-Fi 6E" in answer.line
    refresh = answer_question("what's the refresh rate", strix)
    assert refresh.exact and refresh.line and "165Hz" in refresh.line


def test_a_different_version_is_not_a_yes(catalog: Catalog) -> None:
    strix = _named(catalog, "ASUS ROG Strix G16 i7-13650HX RTX 4050")
    answer = answer_question("does it have bluetooth 5.3?", strix)
    assert not answer.exact and answer.line and "Bluetooth® 5.2" in answer.line


def test_silence_is_not_guessed(catalog: Catalog) -> None:
    headphones = _named(catalog, "Sony WH1000XM5 Headphones")
    answer = answer_question("is it waterproof?", headphones)
    assert answer.line is None and answer.subject == "water resistance"
    assert answer_question("does it have noise cancelling", headphones).line == "Noise Canceling"


async def test_asking_about_a_shown_product_in_conversation(bot: Bot) -> None:
    await bot.handle(UserMessage("show me the asus rog strix g16", "qa"))
    [reply] = await bot.handle(UserMessage("does the first one support wifi 6e?", "qa"))
    assert reply.text and "the listing says" in reply.text and "Wi-Fi 6E" in reply.text
    [reply] = await bot.handle(UserMessage("is it waterproof?", "qa"))
    assert reply.text and "I don't know from the listing" in reply.text


def test_catalog_fixture_is_real(catalog: Catalog, tmp_path: Path) -> None:
    assert catalog.count() > 500


def test_comparison_aligns_the_attributes_listings_share(catalog: Catalog) -> None:
    from actions.compare import comparison_table

    strix = _named(catalog, "ASUS ROG Strix G16 i7-13650HX RTX 4050")
    other = _named(catalog, "MSI Cyborg Gaming Laptop")
    rows = {", ".join(names): values for names, values in comparison_table([strix, other])}
    assert rows["price"] == [strix.price_label(), other.price_label()]
    graphics = next(values for name, values in rows.items() if "graphics" in name)
    assert "RTX™ 4050" in graphics[0] and "RTX" in graphics[1]
    assert all(len(values) == 2 for values in rows.values())


async def test_what_the_listing_does_not_say_a_person_can_be_asked(bot: Bot) -> None:
    """The bot won't guess; it offers a person, and a typed "yes" takes the offer."""
    await bot.handle(UserMessage("show me the asus rog strix g16", "ask"))
    await bot.handle(UserMessage("the first one", "ask"))
    [reply] = await bot.handle(UserMessage("is it waterproof?", "ask"))
    assert reply.text and "won't guess" in reply.text and reply.text.endswith("?")
    assert [b.payload for b in reply.buttons] == ["/contact_human_agent", "/stop"]
    replies = await bot.handle(UserMessage("yes", "ask"))
    assert "Connecting you to a person" in " ".join(r.text or "" for r in replies)
    assert (await bot.tracker("rest:ask")).paused


async def test_a_question_with_typos_is_read_as_meant(bot: Bot) -> None:
    await bot.handle(UserMessage("show me the asus rog strix g16", "typo"))
    await bot.handle(UserMessage("the first one", "typo"))
    [typed] = await bot.handle(UserMessage("dose it hav a backlit keybord", "typo"))
    [meant] = await bot.handle(UserMessage("does it have a backlit keyboard", "typo"))
    assert typed.text == meant.text
