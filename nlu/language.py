"""Language of a message: Chinese (zh) or English (en)."""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def has_chinese(text: str) -> bool:
    """Whether `text` holds any Han character."""
    return _HAN.search(text) is not None


def detect_language(text: str) -> str:
    """`zh` when Han characters make up at least half of the words, else `en`.

    Each Han character counts as a word, which suits shoppers who mix brand names
    into Chinese ("iPhone 12 多少钱" is zh).
    """
    han = len(_HAN.findall(text))
    if han == 0:
        return "en"
    latin = len(_LATIN_WORD.findall(text))
    return "zh" if han >= latin else "en"


def language_of(text: str) -> str | None:
    """`detect_language`, or None for text with no words in either language ("4567"), so a
    bare number or email keeps the conversation in the language it was in."""
    if not _HAN.search(text) and not any(len(w) > 1 for w in _LATIN_WORD.findall(text)):
        return None
    return detect_language(text)
