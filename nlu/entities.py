"""Rule-based entities in Rasa's format: prices and price ranges, ordinals, order ids, emails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nlu.chinese_numbers import NUMERALS, chinese_number, has_magnitude
from nlu.comparatives import comparatives
from nlu.identifiers import EMAIL, PHONE
from nlu.lookups import PART_QUESTION, PART_WORDS, CatalogLookups

EXTRACTOR = "RegexEntityExtractor"

# Every pattern here runs on text whose whitespace runs are collapsed to one space (see
# `_collapse`), so ` ?` stands where `\s*` would be, and every repeat that could meet another
# repeat of the same characters is bounded: matching stays linear in the message length.
# A sign and an exponent are read too, so "under -5" and "$1e99" are refused, not misread.
# Digits are ASCII: `\d` would also take other scripts' digits, which float() cannot read.
# Chinese numerals, alone or after digits (两千五, 3千5, 1.5万), are tried first: otherwise "3"
# of "3千5" would do. `chinese_number` reads them and refuses what is no amount.
_CHINESE_AMOUNT = rf"(?:[0-9]{{1,12}}(?:\.[0-9]{{1,4}})?)?[{NUMERALS}][{NUMERALS}0-9]{{0,10}}"
_NUMBER = (
    r"(?<![A-Za-z0-9.,])("
    + _CHINESE_AMOUNT
    + r"|-?[0-9]{1,12}(?:[.,][0-9]{1,3}){0,4}(?:\.[0-9]{1,4})?(?:e[+-]?[0-9]{1,4})?)"
    r"(?![0-9.,][0-9]) ?(?:k(?![A-Za-z0-9]))?"  # "2k以内": no word boundary before Han
)
_UNIT_AFTER = (
    r"dollars?|bucks|usd|元|[块塊][钱錢]?|美元|人民[币幣]|rmb|cny|yuan|euros?|eur|€|pounds?|gbp|£|¥"
)
_MONEY = r"(?:\$|usd ?|us\$|€|£|¥|rmb ?|cny ?)? ?" + _NUMBER + r" ?(?:" + _UNIT_AFTER + r")?"

_RANGE = re.compile(
    r"(?:between|from)? ?" + _MONEY + r" ?(?:-|–|to|and|~|到|至) ?" + _MONEY,
    re.IGNORECASE,
)
_MAX_EN = re.compile(
    r"(?:under|below|less than|cheaper than|no more than|not more than|at most|max(?:imum)?|"
    r"up to|upto|within|<=?|budget(?: of| is)?) ?" + _MONEY,
    re.IGNORECASE,
)
_MIN_EN = re.compile(
    r"(?:over|above|more than|at least|min(?:imum)?|from|>=?|starting at) ?" + _MONEY,
    re.IGNORECASE,
)
# "50 dollars or less", "$300 and up"
_MAX_AFTER = re.compile(
    _MONEY + r" ?(?:or less|or under|or below|or cheaper|and under|and below|max(?:imum)?|tops)\b",
    re.IGNORECASE,
)
_MIN_AFTER = re.compile(
    _MONEY + r" ?(?:or more|and up|and above|or above|plus\b|\+)", re.IGNORECASE
)
# "around $300", "about 500 bucks": a band of 20% either side
_AROUND = re.compile(
    r"(?:around|about|roughly|approximately|approx\.?|~|大概|大约|差不多|左右的?) ?"
    + _MONEY
    + r"|"
    + _MONEY
    + r" ?(?:左右|上下)",
    re.IGNORECASE,
)
AROUND_BAND = 0.2
# Which currency a price names; none named means the store's own.
_CURRENCIES = (
    (re.compile(r"\$|dollar|bucks|usd|美元|美金", re.IGNORECASE), "USD"),
    (re.compile(r"(?<!美)元|[块塊]|人民[币幣]|rmb|cny|yuan|¥", re.IGNORECASE), "CNY"),
    (re.compile(r"€|euro|eur\b", re.IGNORECASE), "EUR"),
    (re.compile(r"£|pound|gbp", re.IGNORECASE), "GBP"),
)
_MAX_ZH = re.compile(
    _MONEY
    + r" ?(?:以[内內]|以下|之[内內]|[内內])"
    + r"|(?:不超[过過]|不高[于於]|不大[于於]|(?<!不)(?:低[于於]|少[于於]|小[于於])|不到|最多|最高"
    + r"|[预預]算(?:是|为|為|有|在)?) ?"
    + _MONEY
)
# "不低于" is a minimum although it holds "低于"
_MIN_ZH = re.compile(
    _MONEY
    + r" ?以上|(?:不低[于於]|不少[于於]|不小[于於]|(?<!不)(?:高[于於]|超[过過]|大[于於])"
    + r"|至少|起[码碼]|最低) ?"
    + _MONEY
)
# a Chinese numeral with no magnitude ("两") is an amount only before a currency ("两块")
_CURRENCY_NEXT = re.compile(r" ?(?:元|[块塊]|人民[币幣])")
_THOUSANDS = re.compile(r" ?k(?![a-z0-9])", re.IGNORECASE)

_ORDINAL_WORDS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
}
# "last" is an ordinal only as "the last (one)", never in "how long does the battery last"
_ORDINAL_EN = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th)\b(?: (?:one|item|product))?"
    r"|(?<=the )(last)\b(?: (?:one|item|product|option)\b| ?[?.!,]| ?$)"
    r"|(?:number|no\.?|#|option|item) ?([1-9])\b",
    re.IGNORECASE,
)
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5}
_ORDINAL_ZH = re.compile(
    r"第 ?([一二两兩三四五1-5]) ?(?:[个個]|款|件|台|[项項])?|最[后後]一(?:[个個]|款|件|台)"
)
_ORDER_ID = re.compile(
    r"(?:order|订单|ord) ?(?:id|number|no\.?|号|#)? ?[:#]? ?([0-9]{5,20})(?![0-9])", re.IGNORECASE
)
_BARE_ORDER_ID = re.compile(r"(?<![0-9A-Za-z.,+-])[0-9]{15}(?![0-9A-Za-z])")
_INVOICE_ID = re.compile(r"\b(INV-\d{4}-\d{4,8})\b", re.IGNORECASE)
# sizes may touch Chinese ("内存16GB的"), so the edges are ASCII letters and digits, not \b
_SIZE = re.compile(
    r"(?<![A-Za-z0-9.])([0-9]{1,6}(?:\.[0-9]{1,3})?) ?(gb|tb)(?![A-Za-z0-9])", re.IGNORECASE
)
_MEMORY_WORDS = re.compile(r"\b(ram|memory|ddr\d?)\b|内存|运存", re.IGNORECASE)
_STORAGE_WORDS = re.compile(
    r"\b(ssd|hdd|storage|emmc|drive)\b|存储|硬盘|固态|内存卡|存储卡", re.IGNORECASE
)
_SCREEN = re.compile(
    r"(?<![A-Za-z0-9.])([0-9]{1,3}(?:\.[0-9])?) ?(?:\"|”|-?inch(?:es)?\b|in\b|英寸|寸)",
    re.IGNORECASE,
)
COLORS = {
    "black": "black",
    "white": "white",
    "silver": "silver",
    "gray": "gray",
    "grey": "gray",
    "blue": "blue",
    "red": "red",
    "green": "green",
    "gold": "gold",
    "pink": "pink",
    "purple": "purple",
    "graphite": "graphite",
    "midnight": "midnight",
    "黑色": "black",
    "白色": "white",
    "银色": "silver",
    "灰色": "gray",
    "蓝色": "blue",
    "红色": "red",
    "绿色": "green",
    "金色": "gold",
    "粉色": "pink",
    "紫色": "purple",
}
_RATING = re.compile(
    r"(?:rated|rating|at least) ?(?:of ?)?([1-5](?:\.\d)?) ?(?:\+|stars?)?"
    r"|([1-5](?:\.\d)?) ?(?:\+ ?)?stars? ?(?:and up|or (?:more|better|higher)|\+)?"
    r"|([1-5](?:\.\d)?) ?星(?:以上)?",
    re.IGNORECASE,
)
_COLOR = re.compile(
    r"(?<![A-Za-z0-9])("  # Chinese colours touch other Han: "黑色的" (so no \b)
    + "|".join(sorted(map(re.escape, COLORS), key=len, reverse=True))
    + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)


_WHITESPACE = re.compile(r"\s+")
# Full-width ASCII (ｏｒｄｅｒ １２３, ＄５０, Chinese keyboards' default) as plain ASCII, one
# character for one, so offsets into the shopper's text stay valid. Not the Chinese comma:
# "，5000元以内" would read as the tail of a number written "1,5000".
HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E) if i != 0xFF0C - 0xFF01} | {0x3000: 0x20}


def half_width(text: str) -> str:
    """`text` with full-width ASCII forms and the ideographic space as ASCII (same length)."""
    return text.translate(HALF_WIDTH)


def _collapse(text: str) -> tuple[str, list[int]]:
    """`text` with each whitespace run as one space, and where each kept character came from."""
    collapsed: list[str] = []
    origins: list[int] = []
    position = 0
    for match in _WHITESPACE.finditer(text):
        collapsed.append(text[position : match.start()])
        origins.extend(range(position, match.start()))
        collapsed.append(" ")
        origins.append(match.start())
        position = match.end()
    collapsed.append(text[position:])
    origins.extend(range(position, len(text)))
    return "".join(collapsed), origins


def _amount(raw: str, text: str, end: int) -> float | None:
    """The number matched as `raw`, ending at `end`; a `k` right after it means thousands."""
    if any(ch in NUMERALS for ch in raw):
        if not has_magnitude(raw) and not _CURRENCY_NEXT.match(text, end):
            return None  # "一到三个", "两台": counts, not prices
        return chinese_number(raw)
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        return None
    if _THOUSANDS.match(text, end, end + 3):
        value *= 1000
    return value


def _entity(name: str, value: Any, start: int, end: int) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": start, "end": end, "extractor": EXTRACTOR}


def _first_group(match: re.Match[str]) -> tuple[str, int, int]:
    for index in range(1, (match.lastindex or 0) + 1):
        if match.group(index) is not None:
            return match.group(index), match.start(index), match.end(index)
    raise ValueError("no group matched")


def _prices(text: str) -> Iterator[dict[str, Any]]:
    taken: list[tuple[int, int]] = []

    def free(match: re.Match[str]) -> bool:
        return all(match.end() <= s or match.start() >= e for s, e in taken)

    for match in _RANGE.finditer(text):
        low = _amount(match.group(1), text, match.end(1))
        high = _amount(match.group(2), text, match.end(2))
        if low is not None and high is not None and low < high:
            taken.append(match.span())
            yield _price("price_min", low, match, match.start(1), match.end(1))
            yield _price("price_max", high, match, match.start(2), match.end(2))
    for match in _AROUND.finditer(text):
        raw, start, end = _first_group(match)
        value = _amount(raw, text, end)
        if value is not None and free(match):
            taken.append(match.span())
            yield _price("price_min", round(value * (1 - AROUND_BAND), 2), match, start, end)
            yield _price("price_max", round(value * (1 + AROUND_BAND), 2), match, start, end)
    for pattern, name in (
        (_MAX_AFTER, "price_max"),
        (_MIN_AFTER, "price_min"),
        (_MAX_EN, "price_max"),
        (_MAX_ZH, "price_max"),
        (_MIN_EN, "price_min"),
        (_MIN_ZH, "price_min"),
    ):
        for match in pattern.finditer(text):
            if not free(match):
                continue
            raw, start, end = _first_group(match)
            value = _amount(raw, text, end)
            if value is not None:
                taken.append(match.span())
                yield _price(name, value, match, start, end)


def _price(name: str, value: float, match: re.Match[str], start: int, end: int) -> dict[str, Any]:
    """A price entity; `currency` only where the shopper named one ("3000元", "€50")."""
    entity = _entity(name, value, start, end)
    currency = next((code for unit, code in _CURRENCIES if unit.search(match.group(0))), None)
    if currency is not None:
        entity["currency"] = currency
    return entity


# "邮箱li.wei@example.com谢谢": Chinese runs straight into the address, and `\w` takes Han
_LEADING_NON_ASCII = re.compile(r"[^\x00-\x7f]{1,64}")
_TRAILING_NON_ASCII = re.compile(r"(?<=[A-Za-z0-9])[^\x00-\x7f]{1,63}$")


def _email(match: re.Match[str]) -> dict[str, Any]:
    address = match.group(0)
    lead = _LEADING_NON_ASCII.match(address)
    tail = _TRAILING_NON_ASCII.search(address)
    start = match.start() + (lead.end() if lead else 0)
    end = match.start() + (tail.start() if tail else len(address))
    return _entity("email", match.string[start:end], start, end)


def _ordinals(text: str) -> Iterator[dict[str, Any]]:
    for match in _ORDINAL_EN.finditer(text):
        word = (match.group(1) or match.group(2) or "").lower()
        value = _ORDINAL_WORDS[word] if word else int(match.group(3))
        yield _entity("ordinal", value, match.start(), match.end())
    for match in _ORDINAL_ZH.finditer(text):
        digit = match.group(1)
        value = -1 if digit is None else _ZH_DIGITS.get(digit) or int(digit)
        yield _entity("ordinal", value, match.start(), match.end())


def _specs(text: str) -> Iterator[dict[str, Any]]:
    """Storage and memory sizes (in GB), screen sizes (inches), colours."""
    for match in _SIZE.finditer(text):
        gigabytes = float(match.group(1)) * (1024 if match.group(2).lower() == "tb" else 1)
        after = text[match.end() : match.end() + 10]
        before = text[max(0, match.start() - 10) : match.start()]
        if _STORAGE_WORDS.search(after):
            name = "storage"
        else:
            name = (
                "memory"
                if _MEMORY_WORDS.search(after) or _MEMORY_WORDS.search(before)
                else "storage"
            )
        yield _entity(name, gigabytes, match.start(), match.end())
    for match in _SCREEN.finditer(text):
        yield _entity("screen_size", float(match.group(1)), match.start(), match.end())
    for match in _COLOR.finditer(text):
        yield _entity("color", COLORS[match.group(1).lower()], match.start(), match.end())
    for match in _RATING.finditer(text):
        value, start, end = _first_group(match)
        yield _entity("rating_min", float(value), start, end)


def _catalog_terms(
    text: str, lookups: CatalogLookups, comparatives: list[tuple[int, int]]
) -> Iterator[dict[str, Any]]:
    """Brands, and the category the longest category word names ("gaming laptop" over
    "laptop"), unless that word belongs to a comparative ("bigger display", "屏幕更大") or
    asks about a part of the product ("屏幕多大")."""
    for match in lookups.brand_pattern().finditer(text):
        brand = lookups.canonical_brand(match.group(0))
        yield _entity("brand", brand, match.start(), match.end())
    lowered = text.lower()
    for word in sorted(lookups.category_words, key=len, reverse=True):
        start = lowered.find(word)
        if start < 0 or (word.isascii() and not re.search(rf"\b{re.escape(word)}\b", lowered)):
            continue
        end = start + len(word)
        if any(s <= start < e for s, e in comparatives):
            continue
        if word in PART_WORDS and PART_QUESTION.match(lowered, end):
            continue
        yield _entity("category", lookups.category_words[word], start, end)
        return


IDENTIFIERS = frozenset({"order_id", "invoice_id", "email", "phone"})


def extract_entities(text: str, lookups: CatalogLookups | None = None) -> list[dict[str, Any]]:
    """All rule-based entities found in `text`, in order of position (offsets into `text`).

    Numbers inside identifiers (order ids, phone numbers, emails) are not read as prices;
    full-width digits and letters read as ASCII ones (values are ASCII). Linear in the
    length of `text` whatever it holds.
    """
    collapsed, origins = _collapse(half_width(text))
    entities = _entities_in(collapsed, lookups)
    for entity in entities:
        entity["start"] = origins[entity["start"]]
        entity["end"] = origins[entity["end"] - 1] + 1
    return entities


def _entities_in(text: str, lookups: CatalogLookups | None) -> list[dict[str, Any]]:
    specs = list(_specs(text))
    ratings = [(e["start"], e["end"]) for e in specs if e["entity"] == "rating_min"]
    prices = [
        p
        for p in _prices(text)  # "at least 4 stars" is a rating, not a price
        if not any(s <= p["start"] < e for s, e in ratings)
    ]
    moves = list(comparatives(text))
    entities = [*prices, *_ordinals(text), *specs, *moves]
    if lookups is not None:
        spans = [(e["start"], e["end"]) for e in moves if e["entity"] == "comparative"]
        entities.extend(_catalog_terms(text, lookups, spans))
    for match in _ORDER_ID.finditer(text):
        entities.append(_entity("order_id", match.group(1), match.start(1), match.end(1)))
    named = {(e["start"], e["end"]) for e in entities if e["entity"] == "order_id"}
    for match in _BARE_ORDER_ID.finditer(text):  # the store's order numbers: 15 digits
        if match.span() not in named:
            entities.append(_entity("order_id", match.group(0), match.start(), match.end()))
    for match in _INVOICE_ID.finditer(text):
        entities.append(_entity("invoice_id", match.group(1).upper(), match.start(), match.end()))
    for match in EMAIL.finditer(text):
        entities.append(_email(match))
    taken = [(e["start"], e["end"]) for e in entities if e["entity"] in IDENTIFIERS]
    for match in PHONE.finditer(text):
        if not any(s <= match.start() < end for s, end in taken):
            entities.append(_entity("phone", match.group(0), match.start(), match.end()))
    spans = [(e["start"], e["end"]) for e in entities if e["entity"] in IDENTIFIERS]
    entities = [
        e
        for e in entities
        if e["entity"] in IDENTIFIERS or not any(s <= e["start"] < end for s, end in spans)
    ]
    return sorted(entities, key=lambda e: (e["start"], e["entity"]))
