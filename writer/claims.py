"""Concrete claims in product copy, and whether a product record backs each one.

A claim is anything a shopper could hold the shop to: a number with its unit, a resolution,
a standard (Wi-Fi 6E, Bluetooth 5.2), a model number, a material, a property such as
"waterproof", a warranty. The same extractor reads the record and the generated text, so a
claim is supported when the record yields the same canonical value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Unit spellings -> one canonical unit, so "15.6-inch", '15.6"' and "15.6 in" agree.
_UNITS = {
    "tb": "tb",
    "gb": "gb",
    "mb": "mb",
    "kb": "kb",
    "mah": "mah",
    "wh": "wh",
    "w": "w",
    "watt": "w",
    "watts": "w",
    "kw": "kw",
    "hz": "hz",
    "ghz": "ghz",
    "mhz": "mhz",
    "nit": "nits",
    "nits": "nits",
    "inch": "in",
    "inches": "in",
    "in": "in",
    '"': "in",
    "”": "in",
    "″": "in",
    "-inch": "in",
    "mm": "mm",
    "cm": "cm",
    "m": "m",
    "ft": "ft",
    "feet": "ft",
    "foot": "ft",
    "kg": "kg",
    "g": "g",
    "lb": "lb",
    "lbs": "lb",
    "oz": "oz",
    "mp": "mp",
    "megapixel": "mp",
    "megapixels": "mp",
    "fps": "fps",
    "db": "db",
    "ms": "ms",
    "v": "v",
    "volt": "v",
    "volts": "v",
    "hour": "h",
    "hours": "h",
    "hr": "h",
    "hrs": "h",
    "h": "h",
    "minute": "min",
    "minutes": "min",
    "min": "min",
    "mins": "min",
    "day": "day",
    "days": "day",
    "month": "month",
    "months": "month",
    "year": "year",
    "years": "year",
    "yr": "year",
    "yrs": "year",
    "k": "k",
    "p": "p",
    "%": "%",
    "x": "x",
    "mbps": "mbps",
    "gbps": "gbps",
    "ppi": "ppi",
    "rpm": "rpm",
    "bit": "bit",
    "core": "core",
    "cores": "core",
    "thread": "thread",
    "threads": "thread",
    "port": "port",
    "ports": "port",
    "channel": "ch",
    "ch": "ch",
    "speaker": "speaker",
    "speakers": "speaker",
    "mode": "mode",
    "modes": "mode",
}
_UNIT_PATTERN = "|".join(sorted((re.escape(unit) for unit in _UNITS), key=len, reverse=True))
# bounded repeats: a run like "1,1,1,…" is read in linear time, not once per comma
_NUMBER = r"\d{1,15}(?:[.,]\d{1,15}){0,6}"
_MEASURE = re.compile(
    rf"(?<![\w.])({_NUMBER})\s?(?:-\s?)?({_UNIT_PATTERN})(?![a-z0-9])", re.IGNORECASE
)
_BARE_NUMBER = re.compile(rf"(?<![\w.]){_NUMBER}")
_RESOLUTION = re.compile(r"(?<!\d)(\d{3,4})\s?[x×]\s?(\d{3,4})(?!\d)")
_MODEL_NUMBER = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9]+(?:-[a-z0-9]+)*", re.I)

# Standards: (pattern, canonical form with the version filled in).
_STANDARDS = [
    (re.compile(r"wi-?\s?fi\s?(6e|6|7|5)\b", re.I), "wifi{}"),
    (re.compile(r"bluetooth\s?(\d(?:\.\d)?)", re.I), "bluetooth{}"),
    (re.compile(r"usb\s?-?(c|a|\d(?:\.\d)?)\b", re.I), "usb{}"),
    (re.compile(r"type-?\s?(c)\b", re.I), "usb{}"),
    (re.compile(r"hdmi\s?(\d(?:\.\d)?)", re.I), "hdmi{}"),
    (re.compile(r"thunderbolt\s?(\d)", re.I), "thunderbolt{}"),
    (re.compile(r"\b(lp)?ddr(\d)x?\b", re.I), "ddr{}"),
    (re.compile(r"\bip\s?(\d{2}|x\d)\b", re.I), "ip{}"),
    (re.compile(r"\b([345])g\b", re.I), "{}g"),
    (re.compile(r"\bgen\s?(\d+)\b", re.I), "gen{}"),
]

# Resolution names and the pixel counts they stand for.
_RESOLUTION_NAMES = {
    "fhd": "1920x1080",
    "full hd": "1920x1080",
    "1080p": "1920x1080",
    "uhd": "3840x2160",
    "4k": "3840x2160",
    "2160p": "3840x2160",
    "qhd": "2560x1440",
    "1440p": "2560x1440",
    "2k": "2560x1440",
    "wqhd": "2560x1440",
    "hd": "1280x720",
    "720p": "1280x720",
    "8k": "7680x4320",
    "wuxga": "1920x1200",
}
_RESOLUTION_NAME = re.compile(
    r"(?<![\w-])("
    + "|".join(sorted(map(re.escape, _RESOLUTION_NAMES), key=len, reverse=True))
    + r")(?![\w])",
    re.I,
)

# Words that assert something a listing must state: materials, properties, warranties.
TERM_CLAIMS: dict[str, tuple[str, ...]] = {
    "aluminum": ("aluminum", "aluminium"),
    "stainless steel": ("stainless steel",),
    "metal": ("metal",),
    "leather": ("leather",),
    "glass": ("glass",),
    "plastic": ("plastic",),
    "wood": ("wood", "wooden"),
    "carbon fiber": ("carbon fiber", "carbon fibre"),
    "titanium": ("titanium",),
    "ceramic": ("ceramic",),
    "silicone": ("silicone",),
    "waterproof": ("waterproof", "water-proof"),
    "water resistant": ("water resistant", "water-resistant", "water resistance"),
    "dustproof": ("dustproof", "dust-proof"),
    "shockproof": ("shockproof", "shock-proof", "drop-proof"),
    "wireless": ("wireless", "cordless"),
    "noise cancelling": ("noise cancelling", "noise canceling", "noise-cancelling", "anc"),
    "touchscreen": ("touchscreen", "touch screen", "touch-screen"),
    "backlit": ("backlit", "backlight"),
    "fanless": ("fanless",),
    "foldable": ("foldable",),
    "rechargeable": ("rechargeable",),
    "gaming": ("gaming", "gamer", "games", "game"),
    "oled": ("oled",),
    "amoled": ("amoled",),
    "qled": ("qled",),
    "ips": ("ips",),
    "mini-led": ("mini-led", "mini led"),
    "hdr": ("hdr",),
    "dolby atmos": ("dolby atmos", "atmos"),
    "dolby vision": ("dolby vision",),
    "5g": ("5g",),
    "nfc": ("nfc",),
    "gps": ("gps",),
    "ssd": ("ssd",),
    "nvme": ("nvme",),
    "warranty": ("warranty", "guarantee", "guaranteed"),
    "unlimited": ("unlimited", "limitless"),
    "lifetime": ("lifetime",),
    "free": ("free", "for free", "free of charge"),
    "free shipping": ("free shipping",),
    "certified": ("certified", "certification"),
}
_TERM_PATTERNS = {
    canonical: re.compile(
        r"(?<![\w-])(?:" + "|".join(map(re.escape, spellings)) + r")(?![\w-])", re.I
    )
    for canonical, spellings in TERM_CLAIMS.items()
}
# Words that look like model numbers but say nothing checkable.
_NOT_MODEL_NUMBERS = {"24/7", "a1", "b2"}


@dataclass(frozen=True)
class Claim:
    """One concrete statement: its kind, the words that made it, its canonical value."""

    kind: str
    text: str
    value: str


def _number(raw: str) -> str:
    value = raw.replace(",", "")
    return value.rstrip("0").rstrip(".") if "." in value else value


def extract_claims(text: str) -> list[Claim]:
    """Every concrete claim in `text`, in order of appearance, measures before bare numbers."""
    claims: list[Claim] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, match: re.Match[str], value: str) -> None:
        claims.append(Claim(kind, match.group(0).strip(), value))
        taken.append(match.span())

    def free(match: re.Match[str]) -> bool:
        start, end = match.span()
        return all(end <= s or start >= e for s, e in taken)

    for match in _RESOLUTION.finditer(text):
        add("resolution", match, f"{match.group(1)}x{match.group(2)}")
    for match in _RESOLUTION_NAME.finditer(text):
        if free(match):
            add("resolution", match, _RESOLUTION_NAMES[match.group(1).lower()])
    for pattern, template in _STANDARDS:
        for match in pattern.finditer(text):
            if free(match):
                version = next(group for group in reversed(match.groups()) if group)
                add("standard", match, template.format(version.lower()))
    for match in _MEASURE.finditer(text):
        if free(match):
            unit = _UNITS[match.group(2).lower()]
            add("measure", match, f"{_number(match.group(1))}{unit}")
    for match in _MODEL_NUMBER.finditer(text):
        if free(match) and match.group(0).lower() not in _NOT_MODEL_NUMBERS:
            add("model", match, re.sub(r"[^a-z0-9]", "", match.group(0).lower()))
    for match in _BARE_NUMBER.finditer(text):
        if free(match):
            add("number", match, _number(match.group(0)))
    for canonical, pattern in _TERM_PATTERNS.items():
        for match in pattern.finditer(text):
            if free(match):
                add("term", match, canonical)
    return claims


@dataclass(frozen=True)
class Support:
    """What a record states, in the canonical form `extract_claims` produces."""

    values: frozenset[str]
    numbers: frozenset[str]
    text: str

    @classmethod
    def of(cls, texts: Iterable[str]) -> Support:
        joined = " \n ".join(texts)
        claims = extract_claims(joined)
        values = {claim.value for claim in claims}
        numbers = {_number(raw) for raw in re.findall(_NUMBER, joined)}
        for claim in claims:  # "16GB" also backs a plain "16", and "1920x1080" its halves
            if claim.kind == "resolution":
                numbers.update(claim.value.split("x"))
        return cls(frozenset(values), frozenset(numbers), joined.lower())

    def backs(self, claim: Claim) -> bool:
        if claim.kind == "number":
            return claim.value in self.numbers
        if claim.kind == "model":
            squashed = re.sub(r"[^a-z0-9]", "", self.text)
            return claim.value in self.values or claim.value in squashed
        return claim.value in self.values


@dataclass(frozen=True)
class GroundingReport:
    """The claims a text makes and those its record does not back."""

    claims: list[Claim] = field(default_factory=list)
    unsupported: list[Claim] = field(default_factory=list)

    @property
    def grounded(self) -> bool:
        return not self.unsupported

    def to_dict(self) -> dict[str, object]:
        return {
            "grounded": self.grounded,
            "claims": [claim.text for claim in self.claims],
            "unsupported": [claim.text for claim in self.unsupported],
        }


def check_grounding(text: str, support: Support) -> GroundingReport:
    """Which of `text`'s claims the record behind `support` does not state."""
    claims = extract_claims(text)
    return GroundingReport(claims, [claim for claim in claims if not support.backs(claim)])
