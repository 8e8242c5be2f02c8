"""Amounts written with Chinese numerals, alone or mixed with digits: 两千五, 3千5, 一万二,
1.5万, 五百, 百 (as in 百元以内).

One pass over at most a few characters per token (the entity patterns bound the token's
length), so reading is linear in the text whatever it holds.
"""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4}
DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
TEN_THOUSAND = "万"
TRADITIONAL_TEN_THOUSAND = "萬"
NUMERALS = "".join(DIGITS) + "".join(UNITS) + TEN_THOUSAND + TRADITIONAL_TEN_THOUSAND
# one piece: a run of digits (with a decimal part) or one numeral character
_PIECE = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,4})?|[" + NUMERALS + "]")


def has_magnitude(token: str) -> bool:
    """Whether the token names a magnitude (十 百 千 万): "两千" is an amount, "两" alone is
    only one when a currency follows ("两块")."""
    return any(unit in token for unit in (*UNITS, TEN_THOUSAND, TRADITIONAL_TEN_THOUSAND))


def chinese_number(token: str) -> float | None:
    """The value of `token`, or None when it is not a well-formed amount ("一二", "千百").

    A digit after the last magnitude counts one magnitude lower, as shoppers abbreviate:
    两千五 = 2500, 3千5 = 3500, 一万二 = 12000; after 零 it counts as written (一千零五 = 1005).
    """
    token = token.replace(TRADITIONAL_TEN_THOUSAND, TEN_THOUSAND)
    high, _, low = token.partition(TEN_THOUSAND)
    if TEN_THOUSAND not in token:
        return _section(token, alone=1)
    if TEN_THOUSAND in low:  # 亿 is not read; 万万 is not an amount
        return None
    above = _section(high, alone=1) if high else 1.0
    below = _section(low, alone=1000) if low else 0.0
    if above is None or below is None or below >= 10_000:
        return None
    return above * 10_000 + below


def _section(text: str, alone: int) -> float | None:
    """A value below 万: numbers and 十/百/千 in descending order. A digit after the last
    unit counts one magnitude lower; a digit with no unit counts `alone` times (一万二)."""
    pieces = _PIECE.findall(text)
    if not pieces or "".join(pieces) != text:
        return None
    total, pending, last_unit, after_zero = 0.0, None, 0, False
    for piece in pieces:
        if piece in UNITS:
            unit = UNITS[piece]
            if last_unit and (unit >= last_unit or pending is None):
                return None  # units descend, each after its number: 千百 is no amount
            total += (1.0 if pending is None else pending) * unit
            pending, last_unit, after_zero = None, unit, False
        elif pending is not None:
            return None  # two numbers in a row: 一二, 3五
        elif DIGITS.get(piece) == 0:
            after_zero = True
        else:
            pending = float(DIGITS[piece]) if piece in DIGITS else float(piece)
    if pending is None:
        return total
    if after_zero:
        return total + pending
    one_digit = pending < 10 and pending.is_integer()
    if not last_unit:  # 一万二 is 12000, 1万2000 as written
        return pending * alone if one_digit else pending
    if not one_digit:
        return None  # 3千500, 3千5.5: not how anyone abbreviates
    return total + pending * (last_unit // 10)
