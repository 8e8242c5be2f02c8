"""What may never be published: personal data, profanity, and talk of other brands."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from better_profanity import Profanity

from nlu.brands import COMMON_BRANDS
from nlu.identifiers import EMAIL, PHONE_ANYWHERE

_URL = re.compile(r"\bhttps?://|\bwww\.", re.IGNORECASE)
_DISPARAGING = re.compile(
    r"\b(unlike|better than|worse than|superior to|inferior|knock-?off|cheap copy|"
    r"rip-?off|garbage|trash|junk|crap|scam|beats? the competition)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SafetyReport:
    problems: list[str] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        return not self.problems


class SafetyFilter:
    """Rejects text with emails, phone numbers, links, profanity, or other brands' names."""

    def __init__(self, brands: Iterable[str] = COMMON_BRANDS) -> None:
        # the catalog's brand column is the title's first word, too noisy to use here
        self._profanity = Profanity()
        self._profanity.load_censor_words()
        self._brands = sorted({brand for brand in brands if len(brand) > 1}, key=len, reverse=True)

    def check(self, text: str, own_words: str = "") -> SafetyReport:
        """Problems in `text`; brands named in `own_words` (the record) are allowed."""
        problems = []
        if EMAIL.search(text):
            problems.append("email address")
        if PHONE_ANYWHERE.search(text):
            problems.append("phone number")
        if _URL.search(text):
            problems.append("link")
        # digits read as leetspeak ("A 55-inch" -> "ass"), and the list has words a listing
        # uses innocently ("Facial recognition"): judge only words the record does not have
        record_words = set(re.findall(r"[^\W\d_]+", own_words.lower()))
        added = " ".join(
            word for word in re.findall(r"[^\W\d_]+", text) if word.lower() not in record_words
        )
        if self._profanity.contains_profanity(added):
            problems.append("profanity")
        if _DISPARAGING.search(text):
            problems.append("comparison with other products")
        own = own_words.lower()
        for brand in self._brands:
            if brand.lower() not in own and re.search(
                rf"(?<!\w){re.escape(brand)}(?!\w)", text, re.I
            ):
                problems.append(f"names another brand: {brand}")
        return SafetyReport(problems)
