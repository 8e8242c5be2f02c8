"""Typo tolerance: shoppers' words corrected against the catalog's own vocabulary.

Only a word that is in neither the encoder's English vocabulary nor the catalog's is
corrected ("hedphones" -> "headphones", "undr" -> "under"), and only to a catalog or
shopping word close by optimal string alignment (a transposition costs one) that starts
with the same letter: real words are never "corrected" into product words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

# Words the entity rules and the policy look for, besides the catalog's own.
SHOPPING_WORDS = """
under below between above over less more than cheap cheaper cheapest budget affordable
inexpensive expensive dollars bucks price prices order orders invoice refund cancel
delivery shipping address account password payment return returns tracking track
laptop laptops headphones earbuds monitor monitors keyboard speaker speakers television
tablet tablets camera cameras similar compare recommend bigger larger smaller lighter
screen storage memory battery wireless bluetooth waterproof backlit touchscreen black
white silver gray grey blue red green gold pink purple
hello thanks thank help please yes okay goodbye sorry human agent person account email
"""
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
MAX_LOOKUPS = 32  # unknown words looked up per message; a flood of them is not worth more
MAX_WORD = 24


def max_distance(word: str) -> int:
    return 1 if len(word) <= 6 else 2


@dataclass(frozen=True)
class Correction:
    start: int
    end: int
    original: str
    corrected: str


@dataclass(frozen=True)
class Reading:
    """A message with its typos corrected, and where each corrected character came from."""

    text: str
    origins: list[int]  # for each character of `text`, its index in the original text
    corrections: list[Correction]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.origins[start], self.origins[end - 1] + 1


class SpellingCorrector:
    def __init__(
        self, targets: Iterable[str], known: Iterable[str], preferred: Iterable[str] = ()
    ) -> None:
        """`preferred`: targets that win over equally close ones (the shopping words: "chep"
        is "cheap", not the catalog's far more frequent "chip")."""
        counts = Counter(t.lower() for t in targets if t.isalpha() and len(t) >= 3)
        first = [w.lower() for w in preferred if w.isalpha() and len(w) >= 3]
        self.targets = frozenset(counts) | frozenset(first)
        self.known = frozenset(w.lower() for w in known) | self.targets
        # among equally close words, extractOne keeps the first: the preferred, then the
        # most frequent
        by_letter: dict[str, list[str]] = {}
        for word in dict.fromkeys([*first, *(word for word, _ in counts.most_common())]):
            by_letter.setdefault(word[0], []).append(word)
        self._by_letter = by_letter

    @classmethod
    def for_catalog(cls, catalog_words: Iterable[str]) -> SpellingCorrector:
        return cls(catalog_words, english_words(), preferred=SHOPPING_WORDS.split())

    def is_known(self, word: str) -> bool:
        return word.lower() in self.known

    def suggest(self, word: str) -> str | None:
        lowered = word.lower()
        if len(lowered) < 4 or len(lowered) > MAX_WORD or lowered in self.known:
            return None
        candidates = self._by_letter.get(lowered[0], [])
        best = process.extractOne(
            lowered, candidates, scorer=OSA.distance, score_cutoff=max_distance(lowered)
        )
        return best[0] if best else None

    def read(self, text: str) -> Reading:
        """`text` with unknown words replaced by their nearest catalog word; linear in its
        length (at most `MAX_LOOKUPS` lookups, each over a fixed vocabulary)."""
        pieces: list[str] = []
        origins: list[int] = []
        corrections: list[Correction] = []
        position = 0
        lookups = 0
        for match in _WORD.finditer(text):
            word = match.group(0)
            if len(word) < 4 or len(word) > MAX_WORD or self.is_known(word):
                continue
            lookups += 1
            if lookups > MAX_LOOKUPS:
                break
            suggestion = self.suggest(word)
            if suggestion is None:
                continue
            pieces.append(text[position : match.start()])
            origins.extend(range(position, match.start()))
            pieces.append(suggestion)
            last = match.end() - 1
            origins.extend(min(match.start() + i, last) for i in range(len(suggestion) - 1))
            origins.append(last)
            corrections.append(Correction(match.start(), match.end(), match.group(0), suggestion))
            position = match.end()
        pieces.append(text[position:])
        origins.extend(range(position, len(text)))
        return Reading("".join(pieces), origins, corrections)


@cache
def english_words() -> frozenset[str]:
    """Whole words of the encoder's WordPiece vocabulary: a word list that ships offline."""
    from nlu.encoder import base_model_path

    path: Path = base_model_path() / "vocab.txt"
    words = path.read_text(encoding="utf-8").split("\n")
    return frozenset(w for w in words if w.isalpha() and w.isascii())


def words_of(texts: Iterable[str]) -> list[str]:
    """Lower-case words of the catalog's texts, repeated as often as they occur."""
    return [w.lower() for text in texts for w in _WORD.findall(text)]
