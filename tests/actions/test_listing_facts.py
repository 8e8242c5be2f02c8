"""Numbers read from listings for comparatives, and budgets in another currency."""

from __future__ import annotations

from actions.catalog import Product
from actions.listing_facts import memory_gb, satisfies, screen_inches, storage_gb, weight_pounds
from actions.money import MoneySettings, convert


def _product(title: str, features: list[str], price: float = 500.0) -> Product:
    return Product(
        "p", title, "Laptops", title.split()[0], price, None, None, None, 4.5, 10, features
    )


HP = _product(
    'HP 14" Laptop - Intel Core i3 - 1080p',
    ["8 GB DDR4-3200 RAM", "256 GB PCIe NMVe M.2 Solid-state Drive", "3.2 lbs"],
    399.99,
)
MACBOOK = _product(
    "MacBook Air - (13.6-inch) Apple M2 Chip - 512GB SSD",
    ["2.7 Pounds", "8GB of unified memory makes everything fast"],
    1199.0,
)


def test_sizes_and_weights_are_read_as_listings_write_them() -> None:
    assert screen_inches(HP) == 14.0 and screen_inches(MACBOOK) == 13.6
    assert storage_gb(HP) == 256.0 and storage_gb(MACBOOK) == 512.0
    assert memory_gb(HP) == 8.0 and memory_gb(MACBOOK) == 8.0
    assert weight_pounds(HP) == 3.2 and weight_pounds(MACBOOK) == 2.7


def test_a_comparative_is_strict_and_needs_both_numbers() -> None:
    assert satisfies(HP, MACBOOK, "price<") and not satisfies(MACBOOK, HP, "price<")
    assert satisfies(MACBOOK, HP, "storage>") and satisfies(MACBOOK, HP, "weight<")
    assert not satisfies(HP, MACBOOK, "memory>")  # equal is not more
    unknown = _product("Mystery laptop", [])
    assert not satisfies(unknown, HP, "screen>")


def test_a_budget_in_another_currency_is_converted_or_refused() -> None:
    money = MoneySettings(exchange_rates={"CNY": 0.14})
    assert convert(3000, "CNY", money).converted == 420.0  # type: ignore[union-attr]
    assert convert(50, None, money).converted == 50  # type: ignore[union-attr]
    assert convert(50, "GBP", money) is None  # no rate: the bot asks
