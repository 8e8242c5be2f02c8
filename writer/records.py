"""What the writer knows about a product: the record every claim is checked against."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from nlu.language import has_chinese
from writer.words import parts_of_speech

# Bullets that address the writer instead of describing the product: record text is data,
# so these are dropped before planning (and the grounding check still guards the output).
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompt|rules|above|previous)\b"
    r"|^\s*you are\b|\byou are (?:a|an|now|no longer)\b"  # not "…Wherever You Are"
    r"|\b(act as|pretend|system prompt|assistant:|user:)\b"
    r"|\bwrite (a|an|me)\b|\b(poem|haiku|song|story|joke)\b",
    re.IGNORECASE,
)
# a field starts at the beginning or after a separator, so text without one is scanned once
_ZH_FIELD = re.compile(r"(?<![^：:，,;；\n])([^：:，,;；\n]+)[：:]\s*([^，,;；\n]+)")
_TITLE_FIELDS = ("商品名称", "名称", "产品名称", "品名", "Product name", "Name", "Title")


class Listing(Protocol):
    """What the writer reads of a catalog's product (the shop's `Product` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def brand(self) -> str: ...
    @property
    def price(self) -> float | None: ...
    @property
    def price_max(self) -> float | None: ...
    @property
    def discount_amount(self) -> float | None: ...
    @property
    def rating(self) -> float | None: ...
    @property
    def review_count(self) -> int: ...
    @property
    def features(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class ProductRecord:
    """A product's facts: title, category, price, feature bullets and named attributes."""

    id: str
    title: str
    category: str = ""
    brand: str = ""
    price: float | None = None
    bullets: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    # the shop's figures of the moment: copy may quote them, the writer never writes them
    price_max: float | None = None
    discount_amount: float | None = None
    rating: float | None = None
    review_count: int = 0

    @classmethod
    def from_product(cls, product: Listing) -> ProductRecord:
        return cls(
            id=product.id,
            title=product.title,
            category=product.category,
            brand=product.brand,
            price=product.price,
            bullets=list(product.features),
            price_max=product.price_max,
            discount_amount=product.discount_amount,
            rating=product.rating,
            review_count=product.review_count,
        )

    @classmethod
    def from_attribute_text(cls, text: str, record_id: str = "input") -> ProductRecord:
        """A record from "商品名称：Apple iPhone 12，颜色：黑色，存储容量：128GB"-style input."""
        attributes = {key.strip(): value.strip() for key, value in _ZH_FIELD.findall(text)}
        if not attributes:
            raise ValueError("no attributes found: write them as 名称：值，名称：值")
        title = next((attributes.pop(key) for key in _TITLE_FIELDS if key in attributes), "")
        if not title:
            raise ValueError("the attributes need a product name (商品名称)")
        language = "zh" if has_chinese(text) else "en"
        return cls(id=record_id, title=title, attributes=attributes, language=language)

    def texts(self) -> list[str]:
        """Every text that states a fact, for the grounding check."""
        price = [f"{self.price:.2f}"] if self.price is not None else []
        attributes = [f"{key} {value}" for key, value in self.attributes.items()]
        texts = [self.title, self.category, self.brand, *self.bullets, *attributes, *price]
        return [clean_text(text) for text in texts]

    def facts(self, limit: int = 5) -> list[str]:
        """The bullets worth a sentence each: cleaned, de-duplicated, instructions dropped."""
        facts: list[str] = []
        for bullet in self.bullets:
            fact = clean_fact(bullet)
            if facts and _is_fragment(fact):  # "Processor" continues the bullet before it
                facts[-1] = f"{facts[-1]} {fact}"
                continue
            if fact and not _INSTRUCTION.search(fact) and fact.lower() not in map(str.lower, facts):
                facts.append(fact)
        return [fact for fact in facts if not _is_fragment(fact)][:limit]


def clean_text(text: str) -> str:
    """Listing text without trademark signs and runs of spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[®™©℠]", "", text)).strip()


_FOOTNOTE = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\*+|(?<=[a-z]{4})[1-9](?=[\s,.;)]|$)")
_SHOUTED = re.compile(r"\b[A-Z]{6,}\b")
# merged or misspelt words listings share, each mapped to its usual spelling
_SPELLINGS = {"upto": "up to", "wifi": "Wi-Fi", "bluetooth": "Bluetooth", "builtin": "built-in"}
_SPELLING = re.compile(r"\b(" + "|".join(_SPELLINGS) + r")\b", re.IGNORECASE)
_INCH = re.compile(r"(?<=\d)[”″]")  # one inch mark in a paragraph, the title's straight one
_RESOLUTION = re.compile(r"\b(480|720|1080|1440|1536|2160)P\b")  # "1080P" -> "1080p"
_TIMES = re.compile(r"\b(\d{1,2}(?:\.\d+)?)X\b")  # "4X Greater" -> "4x"
_INTEL_CORE = re.compile(r"\bCore I([3579])-")  # "Core I7-13650HX": Intel writes i7
# "DTS Virtual: X" is the name "Virtual:X"
_TIGHT_COLON = re.compile(r"(?<=[A-Za-z]): (?=[A-Z0-9](?:$|[.,;)]))")


def _respelt(text: str) -> str:
    def spelling(match: re.Match[str]) -> str:
        word, usual = match.group(0), _SPELLINGS[match.group(0).lower()]
        return usual.capitalize() if word[0].isupper() and usual.islower() else usual

    text = _SPELLING.sub(spelling, text)
    text = _INCH.sub('"', text)
    text = _RESOLUTION.sub(r"\1p", text)
    text = _TIMES.sub(r"\1x", text)
    text = _INTEL_CORE.sub(lambda m: f"Core i{m.group(1)}-", text)
    return _TIGHT_COLON.sub(":", text)


def _unshout(match: re.Match[str]) -> str:
    """A shouted dictionary word is lowered ("WATERPROOF"); a name keeps its capitals
    ("NVIDIA", "SWANN"), as the brand writes it."""
    word = match.group(0)
    return word.lower() if parts_of_speech(word) else word


def clean_fact(bullet: str) -> str:
    """A bullet fit for a sentence: no footnote marks ("Performance³", "Audio4", "***"), no
    shouted words, no dangling "Includes:"."""
    text = _FOOTNOTE.sub("", clean_text(bullet))
    text = _respelt(_SHOUTED.sub(_unshout, text))
    text = re.sub(r"\s+", " ", text).strip(" ,;:-–•")
    if len(text) > 200:  # cut at the last full sentence or clause, never mid-word
        cut = max(text.rfind(". ", 0, 200), text.rfind(", ", 0, 200))
        text = text[: cut if cut > 40 else text.rfind(" ", 0, 200)]
    return text


def _is_fragment(fact: str) -> bool:
    """A lone word ("Processor") or nothing but a number: not a fact on its own."""
    words = len(re.findall(r"[^\W\d_]{2,}", fact))
    return words == 0 or (words == 1 and not re.search(r"\d", fact))


def short_title(title: str) -> str:
    """A listing title without its bundle and marketing tail, for the prompts."""
    segments = [part.strip() for part in re.split(r"\s[-–|]\s|:\s", clean_text(title))]
    head = re.sub(r"\s*\([^()]*\)", "", segments[0])  # innermost only: linear on "((((…"
    head = re.split(r",|\bwith\b|\bBundle\b", head, maxsplit=1)[0].strip()
    if head.endswith("Class") and len(segments) > 1:  # 'LG 50" Class - … - 4K UHD TV'
        tail = next((part for part in segments[1:] if part.endswith("TV")), "")
        head = f"{head} {tail}".strip()
    return head or clean_text(title)
