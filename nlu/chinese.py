"""Traditional Chinese read as Simplified (OpenCC's `t2s`), keeping every offset valid."""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """`text` with Traditional characters in their Simplified form.

    Only a character-for-character conversion is kept, so entity spans found in the result
    point at the same characters of the shopper's text; OpenCC's rare phrase conversions that
    change the length leave the text as it was.
    """
    if text.isascii():
        return text
    simplified: str = _converter().convert(text)
    return simplified if len(simplified) == len(text) else text
