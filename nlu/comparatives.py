"""Comparatives ("cheaper", "more storage", "屏幕更大") and price levels ("cheap", "budget"):
how a shopper moves from the product in focus, or says what kind of price they want.

A comparative's value is `<attribute><direction>`: `price<`, `storage>`, `screen>`, ...
Every pattern is a plain alternation: linear on any input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_COMPARATIVES: tuple[tuple[str, str], ...] = (
    (
        "price<",
        r"\bcheaper\b|\bless expensive\b|\blower[- ]priced?\b|\bmore affordable\b"
        r"|\bless money\b|便宜一?点|便宜些|更便宜|再便宜|价格低一?点",
    ),
    ("price>", r"\bmore expensive\b|\bpricier\b|\bhigher[- ]end\b|更贵|贵一?点|更高端"),
    (
        "storage>",
        r"\bmore (?:storage|space|disk|ssd)\b"
        r"|\b(?:bigger|larger) (?:storage|ssd|drive|hard drive|disk)\b"
        r"|存储更大|更大的?存储|容量更大|更大的?容量|硬盘更大|更大的?硬盘",
    ),
    (
        "memory>",
        r"\bmore (?:ram|memory)\b|\b(?:bigger|larger) (?:ram|memory)\b|内存更大|更大的?内存",
    ),
    (
        "screen>",
        r"\b(?:bigger|larger) (?:screen|display|size|one)\b|\bbigger\b|\blarger\b"
        r"|屏幕更大|更大的?屏幕?|屏幕大一?点|大一?点的屏幕?|大屏",
    ),
    (
        "screen<",
        r"\bsmaller (?:screen|display|size|one)\b|\bsmaller\b|\bmore compact\b"
        r"|屏幕小一?点|更小",
    ),
    ("weight<", r"\blighter\b|\bless heavy\b|\bmore portable\b|更轻|轻一?点|轻便"),
    ("battery>", r"\b(?:longer|better) battery\b|\bbattery lasts longer\b|续航更长|续航更久"),
    ("rating>", r"\bbetter (?:rated|reviewed|reviews)\b|\bhigher rated\b|评价更好|评分更高"),
)
COMPARATIVES = tuple(
    (value, re.compile(pattern, re.IGNORECASE)) for value, pattern in _COMPARATIVES
)

_PRICE_LEVELS = (
    (
        "low",
        re.compile(
            r"\b(?:cheap|cheapest|budget|affordable|inexpensive|low[- ]cost|bargain|economical)\b"
            r"|便宜|实惠|性价比|平价",
            re.IGNORECASE,
        ),
    ),
    (
        "high",
        re.compile(
            r"\b(?:premium|high[- ]end|top[- ]of[- ]the[- ]line|luxury)\b|高端|旗舰", re.IGNORECASE
        ),
    ),
)


def _entity(name: str, value: str, match: re.Match[str]) -> dict[str, Any]:
    return {
        "entity": name,
        "value": value,
        "start": match.start(),
        "end": match.end(),
        "extractor": "RegexEntityExtractor",
    }


def comparatives(text: str) -> Iterator[dict[str, Any]]:
    """Each attribute once, at its first mention; a price level only when no price comparative
    names the same words ("cheaper" is a comparative, "cheap" a level)."""
    found: set[str] = set()
    spans: list[tuple[int, int]] = []
    for value, pattern in COMPARATIVES:
        attribute = value[:-1]
        match = pattern.search(text)
        if match and attribute not in found and not any(s <= match.start() < e for s, e in spans):
            found.add(attribute)
            spans.append(match.span())
            yield _entity("comparative", value, match)
    for level, pattern in _PRICE_LEVELS:
        match = pattern.search(text)
        if match and not any(s <= match.start() < e for s, e in spans):
            yield _entity("price_level", level, match)
            break
