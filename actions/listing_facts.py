"""Numbers a listing states about a product, for comparatives ("bigger screen", "lighter",
"more storage"): read from the title and bullets as the listings write them."""

from __future__ import annotations

import re
from collections.abc import Callable

from actions.catalog import Product

_SCREEN = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d)?) ?(?:\"|”|''|-inch|inch|-in\b| in\b)", re.I)
_SIZE = re.compile(r"(?<![\w.])(\d{1,4}(?:\.\d+)?) ?(GB|TB)\b", re.I)
_STORAGE_NEAR = re.compile(r"SSD|HDD|storage|eMMC|flash|drive|solid", re.I)
_MEMORY_NEAR = re.compile(r"RAM|memory|DDR", re.I)
_WEIGHT = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,2})?) ?(lbs?|pounds?|kg|oz)\b", re.I)
_HOURS = re.compile(r"(?<![\w.])(\d{1,3}) ?(?:-| )?(?:hours?|hrs?)\b", re.I)
_POUNDS_PER = {"lb": 1.0, "lbs": 1.0, "pound": 1.0, "pounds": 1.0, "kg": 2.2046, "oz": 1 / 16}


def _lines(product: Product) -> list[str]:
    return [product.title, *product.features]


def screen_inches(product: Product) -> float | None:
    for line in _lines(product):
        match = _SCREEN.search(line)
        if match and 3 <= float(match.group(1)) <= 120:
            return float(match.group(1))
    return None


def _gigabytes(product: Product, near: re.Pattern[str], within: int) -> float | None:
    """The largest size followed closely by the words that say what it is ("8 GB DDR4 RAM")."""
    sizes = []
    for line in _lines(product):
        for match in _SIZE.finditer(line):
            after = line[match.end() : match.end() + within]
            first_storage = _STORAGE_NEAR.search(after)
            first_memory = _MEMORY_NEAR.search(after)
            said = sorted((m.start(), m.re) for m in (first_storage, first_memory) if m is not None)
            if said and said[0][1] is near:
                value = float(match.group(1))
                sizes.append(value * 1024 if match.group(2).upper() == "TB" else value)
    return max(sizes) if sizes else None


def storage_gb(product: Product) -> float | None:
    return _gigabytes(product, _STORAGE_NEAR, 32)


def memory_gb(product: Product) -> float | None:
    return _gigabytes(product, _MEMORY_NEAR, 20)


def weight_pounds(product: Product) -> float | None:
    for line in _lines(product):
        match = _WEIGHT.search(line)
        if match:
            return float(match.group(1)) * _POUNDS_PER[match.group(2).lower()]
    return None


def battery_hours(product: Product) -> float | None:
    for line in product.features:
        if "batter" in line.lower() and (match := _HOURS.search(line)):
            return float(match.group(1))
    return None


def price(product: Product) -> float | None:
    return product.price


def rating(product: Product) -> float | None:
    return product.rating


# attribute of a comparative ("screen>") -> how to read it from a listing
FACTS: dict[str, Callable[[Product], float | None]] = {
    "price": price,
    "screen": screen_inches,
    "storage": storage_gb,
    "memory": memory_gb,
    "weight": weight_pounds,
    "battery": battery_hours,
    "rating": rating,
}


def satisfies(candidate: Product, focus: Product, comparative: str) -> bool:
    """Whether `candidate` is strictly on the asked side of `focus` ("price<": cheaper)."""
    read = FACTS[comparative[:-1]]
    mine, theirs = read(candidate), read(focus)
    if mine is None or theirs is None:
        return False
    return mine < theirs if comparative.endswith("<") else mine > theirs
