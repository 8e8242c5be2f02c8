"""Checks on text from outside: valid Unicode, printable ids, bounded metadata."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# Invisible format characters (Unicode category Cf): zero-width spaces, bidi marks,
# embeddings, overrides and isolates, soft hyphens, byte-order marks. They change nothing a
# person reads but split words for the classifier ("lap\u200btop") and can make a line look
# like something else in an agent's view. The two joiners stay: Persian, Indic scripts and
# emoji sequences need them.
_KEPT_FORMAT = {"\u200c", "\u200d"}


def readable(text: str) -> str:
    """A shopper's text as it reads: composed (NFC, so "e" + combining acute is "é") and
    without invisible format characters. Linear in the text's length."""
    composed = unicodedata.normalize("NFC", text)
    return "".join(c for c in composed if c in _KEPT_FORMAT or unicodedata.category(c) != "Cf")


def _parts(value: Any) -> Iterator[Any]:
    """`value` and everything inside it (keys, nested lists and dicts), depth first."""
    pending = [value]  # a stack, not recursion: nesting depth is the client's choice
    while pending:
        item = pending.pop()
        yield item
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_clean_text(value: Any) -> bool:
    """No lone surrogates anywhere in `value` (strings, keys, nested lists and dicts).

    JSON's `\\ud800` escapes and socket.io payloads can carry them; they cannot be encoded,
    so they would fail later, in a tokenizer or a log line, for whoever shares the batch.
    """
    return all(_encodable(item) for item in _parts(value) if isinstance(item, str))


def is_printable_id(value: str) -> bool:
    """An id that can go into a log line or a room name without forging anything."""
    return bool(value) and not _CONTROL.search(value) and is_clean_text(value)


INT64 = range(-(2**63), 2**63)


def has_huge_integer(value: Any) -> bool:
    """An integer beyond 64 bits anywhere in `value` (nested lists and dicts): JSON allows
    one, but the event stores (orjson, PostgreSQL's bigint) cannot keep it."""
    return any(isinstance(item, int) and item not in INT64 for item in _parts(value))


def json_size(value: Any) -> int:
    """Bytes of `value` as compact JSON (what it costs to store with every turn)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
