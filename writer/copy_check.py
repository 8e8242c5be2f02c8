"""An independent check of product copy against its record: every claim, and the rule that
judged it.

Unlike `claims.check_grounding` (a loose set of values), a claim here keeps its context: a
number keeps its unit and the attribute it belongs to ("12GB" of graphics is not 12GB of RAM),
a negation its object ("Stand Not Included"), a product-type phrase its head noun. Any word
the record does not have, in some form or synonym, and that is not plain copy, is itself an
unsupported claim: the vocabulary of shop copy is open, so a closed list of risky words
misses most of them. Judged by `data/eval/copy_claims.jsonl` (see `bench/copy_claims.py`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from writer.claim_judge import ClaimJudge, Evidence
from writer.claims import _UNITS
from writer.product_type import FORMS, TYPE_OF, asserted_types, named_type, product_types
from writer.records import ProductRecord, clean_text
from writer.words import (
    EVALUATIVE_WORDS,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    PLAIN_WORDS,
    SYNONYMS,
    TOKEN,
    Vocabulary,
    comparative_base,
    derived_root,
    lemmas,
    parts_of_speech,
    stem,
    synonyms_of,
    tokens,
)


@dataclass(frozen=True)
class ClaimCheck:
    """One claim in a sentence: its words, the rule that judged it, and the verdict."""

    text: str
    rule: str
    supported: bool
    reason: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "rule": self.rule,
            "supported": self.supported,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SentenceCheck:
    """A sentence's claims; where the rules reject one, the judge's P(supported) and whether it
    overturned them (the rejecting claims stay listed, so the output explains itself)."""

    text: str
    claims: list[ClaimCheck] = field(default_factory=list)
    judged: float | None = None
    overturned: bool = False

    @property
    def supported(self) -> bool:
        return self.overturned or all(claim.supported for claim in self.claims)

    @property
    def rejected_by(self) -> list[ClaimCheck]:
        """The claims the rules reject, overturned or not."""
        return [claim for claim in self.claims if not claim.supported]

    def to_dict(self) -> dict[str, object]:
        judge = {} if self.judged is None else {"judge": self._judge_dict()}
        return {
            "text": self.text,
            "supported": self.supported,
            "claims": [claim.to_dict() for claim in self.claims],
            **judge,
        }

    def _judge_dict(self) -> dict[str, object]:
        return {"probability_supported": self.judged, "overturned": self.overturned}


@dataclass(frozen=True)
class CopyReport:
    sentences: list[SentenceCheck]

    @property
    def supported(self) -> bool:
        return all(sentence.supported for sentence in self.sentences)

    def to_dict(self) -> dict[str, object]:
        return {
            "supported": self.supported,
            "sentences": [sentence.to_dict() for sentence in self.sentences],
        }


# --- sentences -------------------------------------------------------------------------------

# a sentence ends at . ! ? before a space and a capital, digit or Chinese character ("15.6" and
# "e.g." stay whole), and after 。！？ whatever follows
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“#\u4e00-\u9fff])|(?<=[。！？])\s*")


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(clean_text(text)) if part.strip()]


# --- numbers bound to what they measure ------------------------------------------------------

_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "cpu": ("cpu", "processor"),
    "gpu": ("gpu", "graphics", "geforce", "rtx", "radeon", "vram", "arc", "iris"),
    "memory": ("ram", "memory", "ddr4", "ddr5", "unified"),
    "storage": ("ssd", "hdd", "storage", "drive", "microsd"),
    "neural": ("neural",),
    "refresh": ("refresh",),
    "brightness": ("nit", "nits", "lumen", "lumens"),
    "battery": (
        "battery",
        "playtime",
        "listening",
        "playback",
        "flight",
        "charge",
        "power",
    ),
    "warranty": ("warranty", "guarantee", "guaranteed"),
    "weight": ("weigh", "weighs", "weighing", "weight"),
    "capacity": ("hold", "holds", "fit", "fits", "tvs", "televisions"),
    "front": ("front",),
    "back": ("back", "rear"),
    "read": ("read",),
    "write": ("write",),
    "colour": ("color", "colour"),
    "mono": ("b&w", "black", "white"),
    "webcam": ("webcam",),
    "trial": ("trial",),
}
_ATTRIBUTE_OF = {word: name for name, words in _ATTRIBUTES.items() for word in words}
# units that are parts: with no figure of their own they claim the part itself
_PART_UNITS = {"speaker": ("speaker", "speakers"), "port": ("port", "ports")}
_PART_WORDS = frozenset(w for words in _PART_UNITS.values() for w in words)
# types a title names as often for a part of the product as for the product
_PART_TYPES = frozenset(("storage", "battery", "keyboard", "mouse", "charger"))
# a part's make or kind: the record must name it ("Intel UHD Graphics" has no GeForce)
_NAMED_PARTS = frozenset(("geforce", "rtx", "radeon", "arc", "iris", "ddr4", "ddr5", "microsd"))
_NUMBER = re.compile(
    r"(?<![\w.])(\$\s?)?(\d{1,9}(?:[.,]\d{1,3}){0,3})\+?(?:\s?-\s?|\s)?([a-z]{1,12}|[%\"″”°’′'˚º¢])?",
    re.IGNORECASE,
)
_MORE_UNITS = {
    "pound": "lb",
    "pounds": "lb",
    "degree": "deg",
    "degrees": "deg",
    "°": "deg",
    "’": "ft",  # "Up to 32’/10M"
    "′": "ft",
    "'": "ft",
    "square": "sqft",  # "7,500 square feet", "7,500 Sq. Ft"
    "sq": "sqft",
    "sqft": "sqft",
    "millisecond": "ms",
    "milliseconds": "ms",
    "kilogram": "kg",
    "kilograms": "kg",
    "gram": "g",
    "grams": "g",
    "ounce": "oz",
    "ounces": "oz",
    "meter": "m",
    "meters": "m",
    "metre": "m",
    "metres": "m",
    "centimeters": "cm",
    "centimetres": "cm",
    "millimeters": "mm",
    "millimetres": "mm",
    "˚": "deg",
    "º": "deg",
    "¢": "cent",
    "cent": "cent",
    "cents": "cent",
    "week": "week",
    "weeks": "week",
    "mile": "mi",
    "miles": "mi",
    "mi": "mi",
    "km": "km",
    "kilometer": "km",
    "kilometers": "km",
    "kilometre": "km",
    "kilometres": "km",
    # a pack's size counts whatever is in it: "4-pack" backs "four units"
    "pack": "count",
    "pk": "count",
    "ct": "count",
    "piece": "count",
    "pieces": "count",
    # spelled-out units: "144 hertz" is 144Hz, "105 decibels" 105dB, "8 gigs" 8GB
    "hertz": "hz",
    "decibel": "db",
    "decibels": "db",
    "gig": "gb",
    "gigs": "gb",
    # words for the record's symbols and short forms: "100 percent" of its "100%", "fifty
    # dollars" of a $49.97 price, "four microphones" of its "4-Mic"
    "percent": "%",
    "dollar": "usd",
    "dollars": "usd",
    "mic": "microphon",
    "mics": "microphon",
}
# "13th", "3rd": an ordinal, whatever noun follows ("13th Gen", "13th-generation")
_ORDINAL_SUFFIXES = frozenset(["st", "nd", "rd", "th"])
UNIT_WORDS = frozenset(_UNITS) | frozenset(_MORE_UNITS) | {"count", "lb"}
_CLAUSE_START = re.compile(r"[,;:]|\band\b|\bwith\b", re.IGNORECASE)
_DIMENSION = re.compile(r"^\s?[x×]\s?\d{3}")
_CLAUSE_END = re.compile(r"[,;\n]|\band\b|\bwith\b|(?<![a-z])\d", re.IGNORECASE)
# a camera is one part however it is measured: "5MP IR Webcam" is not a 1080p webcam
_PARTS_MEASURED = frozenset(["webcam", "front", "back"])
_MEASURED_IN = {"refresh": {"hz"}, "brightness": {"nits", "lumen"}}
# the units an attribute can be stated in: "9V cells guaranteed for 5 years" gives the volts no
# warranty, "a 16-inch screen refreshes at 240Hz" the inches no refresh rate
_TIME_UNITS = {"h", "min", "day", "week", "month", "year"}
_UNITS_OF = {
    **_MEASURED_IN,
    "warranty": _TIME_UNITS,
    "trial": _TIME_UNITS,
    "weight": {"kg", "g", "lb", "oz"},
    "battery": _TIME_UNITS | {"mah", "wh", "w", "v", "%"},
    "memory": {"gb", "mb", "tb", "mhz"},
    "storage": {"gb", "mb", "tb", "mbps"},
}
_UNIT_ATTRIBUTE = {"hz": "refresh", "nits": "brightness", "mah": "battery", "wh": "battery"}
_COUNTS = {"count", "pack", "piece"}
# "all-in-one" and "2-in-1" name a form, not a count
_NUMBER_WORD = re.compile(r"(?<!-in-)\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
_TO_KG = {"kg": 1.0, "g": 0.001, "lb": 0.4536, "oz": 0.02835}
# one quantity in other units: 130 lbs is 59 kg, 33 feet 10 meters, 12 months a year, 66¢ $0.66
_CONVERSIONS: dict[str, tuple[str, float]] = {
    **{unit: ("mass", kg) for unit, kg in _TO_KG.items()},
    **{unit: ("length", m) for unit, m in {"mm": 0.001, "cm": 0.01, "m": 1.0}.items()},
    "in": ("length", 0.0254),
    "km": ("length", 1000.0),
    "mi": ("length", 1609.34),
    "ft": ("length", 0.3048),
    **{unit: ("time", d) for unit, d in {"min": 1 / 1440, "h": 1 / 24, "day": 1.0}.items()},
    **{unit: ("time", d) for unit, d in {"week": 7.0, "month": 30.44, "year": 365.25}.items()},
    "usd": ("money", 1.0),
    "cent": ("money", 0.01),
    **{unit: ("storage", gb) for unit, gb in {"mb": 0.001, "gb": 1.0, "tb": 1000.0}.items()},
}
_LIGHT_KG = 1.9  # a laptop or gadget at or under this may be called lightweight


@dataclass(frozen=True)
class _Number:
    text: str
    value: float
    unit: str  # canonical unit, a counted noun's stem, "usd", or ""
    attribute: str | None
    following: frozenset[str]
    context: frozenset[str] = frozenset()  # stems of the clause's words before it, and after
    counted: frozenset[str] = frozenset()  # what it may count: "3 WiFi 6 Routers" counts routers
    named: frozenset[str] = frozenset()  # every attribute its clause names
    bound: str = ""  # "max" for "under 3 pounds", "min" for "over 1,000 games"
    each: bool = False  # said of each one: "each band reaches", "400 watts per channel"
    total: bool = False  # said of several together: "combined speeds", "three routers cover"


def _as_float(raw: str) -> float:
    """ "7,100" -> 7100; a version such as "3.1.3" reads as its first two parts."""
    parts = raw.replace(",", "").split(".")
    return float(".".join(parts[:2]))


def _attribute(words: list[str]) -> str | None:
    for index, word in enumerate(words):
        if word == "video" and words[index + 1 : index + 2] in (["memory"], ["ram"]):
            return "gpu"  # "8GB of video memory"
        if word in _ATTRIBUTE_OF:
            return _ATTRIBUTE_OF[word]
        found = next(
            (_ATTRIBUTE_OF[lemma] for lemma in lemmas(word) if lemma in _ATTRIBUTE_OF), None
        )
        if found:
            return found  # "writes" as "write"
    return None


# "lasts a full week", "for a year": a duration of one
_ONE_PERIOD = re.compile(
    r"\b(lasts?|for|over|up to|includes?|with|gets?|and|gives?|runs?|offers?|delivers?|"
    r"provides?|about|around|nearly|almost|roughly|close to|than)\s(?:a|an)\s(?:full\s|whole\s)?"
    r"(hour|day|week|month|year)\b",
    re.I,
)


# a time of day however it is written: "7 in the morning" and "7am", "11 at night" and "11pm"
_MORNING = re.compile(r"\b(\d{1,2})(?::00)?\s?(?:in the morning|a\.m\.|am\b)", re.I)
_EVENING = re.compile(
    r"\b(\d{1,2})(?::00)?\s?(?:in the (?:afternoon|evening)|at night|p\.m\.|pm\b)", re.I
)
# "a thousand games", "2 thousand": a number written in words
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1000000}
_SCALED = re.compile(r"\b(a|one|\d{1,3})\s(hundred|thousand|million)\b", re.I)
# "Tri-Directional", "Bi-Color": a number as a prefix
_NUMBER_PREFIX = re.compile(r"\b(tri|bi|quad)-(?=[a-z])", re.I)
_PREFIX_VALUES = {"tri": "3", "bi": "2", "quad": "4"}
# "3.3 times faster", "twice as bright": a multiplier, as the record's "3.3x"
_TIMES_MORE = re.compile(
    r"\b(\d{1,3}(?:\.\d{1,2})?)\s?times\s(?=(?:as|more|[a-z]{2,20}er)\b)", re.I
)
_NUMBER_ONE = re.compile(r"\bnumber one\b|\bno\.\s?1\b", re.I)
_ORDINAL_WORD = re.compile(r"\b(" + "|".join(ORDINAL_WORDS) + r")\b", re.IGNORECASE)
# "each one", "this one", "one of", "buy one.", "a wireless one", "one comes with it": the
# pronoun, not a count (a count is followed by what it counts)
_ONE_PRONOUN = re.compile(
    r"\b(each|every|this|that|the|which|any|no)\s+one\b|\bone\s(?=of\b|place\b)|"
    r"(?<![\w-])one(?=\s{0,3}(?:[.,;:!?)]|$)|\s(?:comes?|ships?|is|into|onto|separately)\b)|"
    # "in one pack", "from one charge": a single, not a count (a period stays a period)
    r"\b(in|from|into)\s+one\b(?!\s(?:year|month|week|day|hour|minute)s?\b)|"
    r"\b(on|with)\s+one\b(?=\s(?:charge|tap|click|app|hub|screen|account|remote)\b)",
    re.I,
)
# a unit spelled out, or a period of ten years: "a terabyte" is "1TB", "a decade" "10 years"
_SPELLED_UNITS = {"terabyte": "TB", "gigabyte": "GB", "megabyte": "MB"}
_SPELLED_UNIT = re.compile(r"\b(?:(a|one)\s)?(terabyte|gigabyte|megabyte)s?\b", re.I)
# "1920 by 1080 pixels" as the record's "1920 x 1080"; "ten GPU cores" as its "10-core GPU"
_BY_PIXELS = re.compile(r"\b(\d{3,4})\sby\s(\d{3,4})\b")
# "three full years", "a full 100 percent": the figure, not a claim of its own
_FULL_SPAN = re.compile(
    r"(?:\b(?:a|the)\s)?\b(?:full|whole|entire)\s(?=\d)|"
    r"(\d)\s(?:full|whole|entire)\s(?=(?:years?|months?|weeks?|days?|hours?)\b)",
    re.I,
)
_CORES_OF = re.compile(r"\b(\d{1,3})\s(CPU|GPU)\scores\b", re.I)
_DECADE = re.compile(r"(?:\b(?:a|one)|(?<![\d.])0\.5)\s(?:full\s|whole\s)?decade\b", re.I)
# a half and a simple fraction of a unit: "half an inch", "half-inch", '1/2"' are 0.5 inch;
# "half your water use" is 50% of it
_AND_A_HALF = re.compile(r"\b(\d{1,4})\sand\sa\s0\.5\s")
_HALF_UNIT = re.compile(r"\bhalf[\s-](?:an?\s)?(?=[a-z])", re.I)
_HALF_SHARE = re.compile(r"\bhalf\s(?=(?:of\s)?(?:your|the|its|their)\b)", re.I)
_FRACTION = re.compile(r"(?<![\w./])(\d)/(\d{1,2})(?=\s?(?:\"|”|″|-?inch|in\b))", re.I)


# a number of several words: "two hundred fifty-six", "twenty-three point eight",
# "fifteen-point-six-inch" (each word needs a separator before the next, so it reads linearly)
_SMALL = {w: int(v) for w, v in NUMBER_WORDS.items() if v.isdigit() and int(v) < 20}
_TENS = {w: int(v) for w, v in NUMBER_WORDS.items() if v.isdigit() and int(v) >= 20}
_NUMBER_PART = "|".join(
    sorted([*_SMALL, *_TENS, "zero", "hundred", "thousand", "million"], key=len, reverse=True)
)
_SPELLED_NUMBER = re.compile(
    rf"(?<!-in-)\b(?:{_NUMBER_PART})(?:[\s-]+(?:and[\s-]+)?(?:{_NUMBER_PART}|point))+\b", re.I
)


# "refreshes 144 times a second" is 144Hz
_PER_SECOND = re.compile(r"\b(\d{1,4})\stimes\s(?:per|a|each|every)\ssecond\b", re.I)
_QUAD_HD = re.compile(r"\bquad[\s-]?hd\b", re.I)  # a resolution's name, not four of them


def _spelled_number(match: re.Match[str]) -> str:
    """The digits of a number written in several words; the words unchanged where they do
    not make one number ("two three-year plans" stays as it is)."""
    words = [w for w in re.split(r"[\s-]+", match.group(0).lower()) if w != "and"]
    total, current, last, decimals = 0, 0, "", None
    for word in words:
        if decimals is not None:
            if (word not in _SMALL and word != "zero") or _SMALL.get(word, 0) > 9:
                return match.group(0)
            decimals += str(_SMALL.get(word, 0))
        elif word == "point" and last:
            decimals = ""
        elif word == "hundred" and last in ("small", "tens", ""):
            current, last = (current or 1) * 100, "hundred"
        elif word in ("thousand", "million") and last:
            total, current, last = total + current * _SCALES[word], 0, "scale"
        elif word in _TENS and last in ("", "hundred", "scale"):
            current, last = current + _TENS[word], "tens"
        elif word in _SMALL and (
            last in ("", "hundred", "scale") or (last == "tens" and _SMALL[word] < 10)
        ):
            current, last = current + _SMALL[word], "small"
        else:
            return match.group(0)
    if decimals == "":
        return match.group(0)
    return f"{total + current}" + (f".{decimals}" if decimals else "")


def _scaled(match: re.Match[str]) -> str:
    count = 1 if match.group(1).lower() in ("a", "one") else int(match.group(1))
    return str(count * _SCALES[match.group(2).lower()])


def normalise_numbers(text: str) -> str:
    """Numbers written in words or spelled out as a time, a period or a rank, as digits and
    units: "a full year" is "1 year", "7 in the morning" "7am", "number one" "#1"."""
    text = _ONE_PERIOD.sub(r"\1 1 \2", text.replace("‑", "-"))
    text = _NUMBER_ONE.sub("#1", text)
    text = _TIMES_MORE.sub(r"\1x ", text)
    text = _ONE_PRONOUN.sub(lambda m: m.group(1) or m.group(2) or m.group(3) or "", text)
    text = _ORDINAL_WORD.sub(lambda m: ORDINAL_WORDS[m.group(1).lower()], text)
    # a half first: "half a terabyte" is 0.5TB and "half a decade" 5 years, not "half 1TB"
    text = _HALF_SHARE.sub("50% of ", text)
    text = _HALF_UNIT.sub("0.5 ", text)
    text = _DECADE.sub(lambda m: "5 years" if m.group(0).startswith("0") else "10 years", text)
    text = _SPELLED_UNIT.sub(
        lambda m: ("1" if m.group(1) else "") + _SPELLED_UNITS[m.group(2).lower()], text
    )
    text = _FRACTION.sub(lambda m: f"{int(m.group(1)) / int(m.group(2)):g}", text)
    text = _NUMBER_PREFIX.sub(lambda m: _PREFIX_VALUES[m.group(1).lower()] + "-", text)
    text = _QUAD_HD.sub("QHD", text)
    text = _BY_PIXELS.sub(r"\1 x \2", text)
    text = _SPELLED_NUMBER.sub(_spelled_number, text)
    text = _NUMBER_WORD.sub(lambda m: NUMBER_WORDS[m.group(1).lower()], text)
    text = _FULL_SPAN.sub(r"\1 ", text)
    text = _AND_A_HALF.sub(r"\1.5 ", text)  # "fifteen and a half hours" is 15.5 hours
    text = _CORES_OF.sub(r"\1-core \2", text)
    text = _PER_SECOND.sub(r"\1Hz", text)
    text = _SCALED.sub(_scaled, text)
    text = _MORNING.sub(r"\1am", text)
    return _EVENING.sub(r"\1pm", text)


# the units that measure (a version may come before a counted noun, never before these)
_MEASURE_UNIT = re.compile(
    r"tb|gb|mb|kb|mah|wh|w|watts?|kw|hz|ghz|mhz|nits?|inch(?:es)?|in|mm|cm|m|ft|feet|foot|kg|g|"
    r"lbs?|oz|mp|megapixels?|fps|db|ms|v|volts?|hours?|hrs?|h|minutes?|mins?|days?|months?|"
    r"years?|yrs?|mbps|gbps|ppi|rpm|bit"
)
_RANGE_END = re.compile(
    r"(?:(-|–)\s?|\s(to|and)\s)\d{1,5}(?:\.\d{1,2})?\s?(hz|w|watts|gb|tb|nits|inch|mm)\b", re.I
)
_RANGE_START = re.compile(r"\b(?:between|from)\s$", re.I)
# a count, then a figure of what it counts, then the counted noun: "8x 4K bullet cameras"
_SPEC_THEN_NOUN = re.compile(
    r"\s?\d{1,4}(?:\.\d)?\s?(?:k|mp|p|hz)\s(?:[a-z-]{2,20}\s)?([a-z]{3,20}s)\b", re.I
)
_SCREEN_WORDS = frozenset(stem(w) for w in ("display", "screen", "touchscreen", "panel"))
_CAMERA_WORDS = frozenset(stem(w) for w in ("webcam", "camera", "video", "cam", "facetime"))
# an operating system's edition: Home is not Pro
_WINDOWS_EDITION = re.compile(r"\bWindows\s1[01]\s(Home|Pro|Professional)\b", re.I)
_EDITION_OF = {"home": "home", "pro": "pro", "professional": "pro"}
_WINDOWS_PRO = re.compile(r"\b(Windows\s1[01]\s)Professional\b", re.I)
# a number right after a capitalised word of a name ("Ryzen 7", "Series 9")
_AFTER_NAME = re.compile(
    r"(?<=[\s-])(?!(?:Over|Under|Up|To|About|Around|Nearly|Almost|Than|Only|Just|With|And|Or)\s)"
    r"[A-Z][a-zA-Z]{1,20}\s$"
)
# a name a version follows, at a sentence's start too ("Bluetooth 5.0 pairs ...")
_VERSIONED = re.compile(r"(?:^|(?<=[\s-]))[A-Z][a-zA-Z]{1,20}\s$")
# one name for a drive, whichever way it is written
_WIFI_BEFORE = re.compile(r"\bwi-?fi\s?$", re.I)
# a Wi-Fi standard by its letters is a generation by its number: 802.11ac is Wi-Fi 5 ("be"
# only after 802.11 or Wi-Fi: "go wireless, be free" names no standard); a Wi-Fi 6E radio is
# 802.11ax, so its record backs Wi-Fi 6 too
_WIFI_STANDARD = re.compile(
    r"\b(?:802\.11\s?|wi-?fi\s?)(ac|ax|be)\b|\bwireless[\s-]?(ac|ax)\b", re.I
)
_WIFI_GENERATION = {"ac": "5", "ax": "6", "be": "7"}
# a model code's letters and hyphen before its number: "i5-13400", "RTX-4060"
_CODE_BEFORE = re.compile(r"(?<![\w-])[A-Za-z]{1,4}\d{0,2}-$")
_SOLID_STATE = re.compile(r"\bsolid[ -]state(?: drive)?\b", re.I)
_HARD_DISK = re.compile(r"\bhard(?: disk)? drive\b", re.I)


_GPU_SERIES = re.compile(r"\b(?:RTX|GTX|RX|MX)\s?$", re.I)
# "both … and …", "… as well as …": every side of a choice at once; "either", "or" keep it
_BOTH = re.compile(r"\bboth\b|\bas well as\b|\bplus\b", re.I)
_OR = re.compile(r"\bor\b", re.I)
_CHOICE_KEPT = re.compile(r"\beither\b|\bor\b|\bchoice\b|\bchoose\b|\bpick\b", re.I)


# products in their own right: one in the box is a claim the record must make
_DEVICES = frozenset(
    [
        "tv",
        "monitor",
        "laptop",
        "desktop",
        "tablet",
        "smartphone",
        "phone",
        "console",
        "speaker",
        "soundbar",
        "receiver",
        "headphones",
        "router",
        "modem",
        "projector",
    ]
)
_N_IN_M = re.compile(r"\b\d+-in-\d+\b", re.I)


def numbers(text: str) -> list[_Number]:
    """Every number with its unit and the attribute its neighbours name."""
    text = normalise_numbers(text)
    text = _SOLID_STATE.sub("SSD", _HARD_DISK.sub("HDD", text))
    text = _WINDOWS_PRO.sub(r"\1Pro", text)  # "Windows 11 Professional" is "Windows 11 Pro"
    found = []
    for match in _NUMBER.finditer(text):
        dollar, raw, unit_word = match.groups()
        unit = (unit_word or "").lower()
        if unit_word and re.match(r"[0-9]", text[match.end() : match.end() + 1]):
            continue  # "WH-1000XM5": a model code, judged as one
        if re.match(r"-in-\d", text[match.end(2) :]) or text[: match.start()].endswith("-in-"):
            continue  # "2-in-1" names a form, not a count
        rest = text[match.end() : match.end() + 60]
        cut = _CLAUSE_END.search(rest, 1)
        after = tokens(rest[: cut.start()] if cut else rest)
        if unit == "in" and re.match(r"\s+in\s+[a-z]", text[match.end(2) : match.end() + 3]):
            unit, unit_word = "", None  # "two in total": a preposition, not inches
        if unit in _ORDINAL_SUFFIXES:
            unit, unit_word = "ord", None
        if unit in ("'", "’") and re.match(r"s\b", text[match.end() :]):
            unit, unit_word = "", None  # "the IdeaPad 5's webcam": a name's possessive
        if unit_word and re.match(r"-[a-z]", rest) and after and unit not in UNIT_WORDS:
            unit = after[-1]  # "4 color-changing lights" counts lights, not colours
        version = (
            "." in raw
            and bool(unit_word)
            and unit_word.isalpha()
            and unit_word.islower()
            and unit not in _MORE_UNITS
            and not _MEASURE_UNIT.fullmatch(unit)
            and bool(_VERSIONED.search(text[max(0, match.start() - 30) : match.start()]))
        )
        if dollar:
            unit = "usd"
        elif version or _GPU_SERIES.search(text[max(0, match.start() - 8) : match.start()]):
            # "Bluetooth 5.3 speakers", "HDMI 2.1 port": a version, not a count; "RTX 4060
            # graphics": a model, not 4060 of them
            unit = ""
        elif _DIMENSION.match(text[match.end(2) :]) or re.search(
            r"\d{3}\s?[x×]\s?$", text[: match.start()]
        ):
            unit = "px"  # one side of "2560 x 1440"
        elif unit in _MORE_UNITS:
            unit = _MORE_UNITS[unit]
        elif unit in _UNITS:
            unit = _UNITS[unit]
        elif any(lemma in _UNITS for lemma in lemmas(unit)):  # "28 channels", "28-channel"
            unit = next(_UNITS[lemma] for lemma in lemmas(unit) if lemma in _UNITS)
        elif (unit in PLAIN_WORDS and not _counted_noun(unit)) or (
            bool(_AFTER_NAME.search(text[max(0, match.start() - 30) : match.start()]))
            and bool(unit_word)
            and unit_word.islower()
        ):
            unit = ""  # "Ryzen 7 cool": the number ends a name, the word is no unit
        else:
            unit = stem(unit) if unit.isalpha() else unit
        if not (unit or dollar or version):
            # "48-120Hz", "between 48 and 120Hz": the range's low end has its high end's unit
            ranged = _RANGE_END.match(text, match.end(2))
            between = _RANGE_START.search(text[max(0, match.start() - 10) : match.start()])
            if ranged and (ranged.group(1) or between):
                unit = ranged.group(3).lower()
                rest = text[ranged.end() : ranged.end() + 60]  # what the range measures
                cut = _CLAUSE_END.search(rest, 1)
                after = tokens(rest[: cut.start()] if cut else rest)
        if not (unit or dollar or version):
            spec = _SPEC_THEN_NOUN.match(text, match.end())
            if spec and _counted_noun(spec.group(1).lower()):
                unit = stem(spec.group(1).lower())  # "Sixteen 4K cameras" counts cameras
        if not dollar and _CODE_BEFORE.search(text[max(0, match.start() - 8) : match.start()]):
            unit = ""  # "i5-13400 powers": the number ends a model code, the verb is no unit
        if not dollar and _WIFI_BEFORE.search(text[max(0, match.start() - 8) : match.start()]):
            # "Wi-Fi 7": a generation, backed only by the record's Wi-Fi ("6E" is not "6")
            unit = "wifi" + ("e" if unit == "e" else "")
        multiplier = bool(after) and (after[0] in ("as", "more") or comparative_base(after[0]))
        if unit == "x" and after and _as_float(raw) <= 20 and not multiplier:
            # "3x DisplayPort" counts ports, not "7900X"; "2x faster", "twice as fast" multiply
            unit = stem(after[0]) if after[0].isalpha() else "x"
        following = [w for w in after[:4] if w not in PLAIN_WORDS and not w[0].isdigit()]
        head = text[max(0, match.start() - 50) : match.start()].rsplit("\n", 1)[-1]
        before = list(reversed(tokens(head)))
        before = [w for w in before if not w[0].isdigit()][:6]
        near = [w for w in after[:4] if not w[0].isdigit()][:3]
        # the noun right after a number is what it measures, whatever its unit ("a 1ms refresh
        # rate" is a wrong refresh rate); a noun further on only when the unit can measure it
        attribute = (
            _UNIT_ATTRIBUTE.get(unit) or _attribute(near[:1]) or _fitting(_attribute(near), unit)
        )
        segment = tokens(re.split(r"\s[-–|]\s|[,;:]", head)[-1])[::-1]
        if attribute == "memory" and "memory" in near and _attribute(segment) == "gpu":
            attribute = "gpu"  # "RTX 4070 graphics come with 8GB of memory"
        if attribute is None:
            attribute = _fitting(_attribute(before), unit)
            if unit in _UNITS.values() and unit not in _MEASURED_IN.get(attribute or "", {unit}):
                attribute = None  # "800 lumens, like a 60-watt bulb": the watts are no brightness
        if attribute is None:
            # "256 GB PCIe NMVe M.2 SSD": the head of a longer noun phrase, up to its comma
            phrase = tokens(
                re.split(r"[,;\n(]|\b(?:and|or|with)\b", text[match.end() : match.end() + 60])[0]
            )[:6]
            attribute = _fitting(_attribute([w for w in phrase if w[0].isalpha()]), unit)
        clause = _CLAUSE_START.split(head)[-1]
        line = head + text[match.end() :].split("\n", 1)[0]
        context = [w for w in tokens(clause) if w not in PLAIN_WORDS and w[0].isalpha()]
        found.append(
            _Number(
                match.group(0).strip(),
                _as_float(raw),
                unit,
                attribute,
                frozenset(map(stem, following)),
                frozenset(map(stem, context[-4:] + following)),
                frozenset(
                    stem(w) for w in tokens(_COUNTED_END.split(rest[:40])[0]) if w[0].isalpha()
                ),
                frozenset(_attribute([w]) for w in tokens(clause) + near) - {None},
                _bound(text[max(0, match.start() - 20) : match.start()]),
                bool(_EACH_BEFORE.search(clause) or _EACH_AFTER.match(rest)),
                bool(_TOTAL.search(line) or _SEVERAL.search(clause)),
            )
        )
    return found


# what a number may count ends at the line's end or where another count begins: "6 Entry
# Sensors and 2 Motion Sensors" has no 6 motion sensors
_COUNTED_END = re.compile(r"\n|(?:[,;&]|\band\b|\bor\b|\bplus\b)\s{0,3}\d", re.IGNORECASE)
_AT_MOST = re.compile(r"\b(?:under|less than|below|lighter than|no more than|at most)\s$", re.I)
_AT_LEAST = re.compile(r"\b(?:over|more than|at least|upwards of)\s$", re.I)
_NEARLY = re.compile(r"\b(?:nearly|almost|just under|close to)\s$", re.I)
_ABOUT = re.compile(r"\b(?:about|around|roughly|approximately|some)\s$", re.I)


# a figure said of each one, or of several together: the one is not the other
_EACH_BEFORE = re.compile(r"\b(?:each|every|per)\b", re.I)
_EACH_AFTER = re.compile(r"^\s?(?:per|each|apiece)\b", re.I)
_TOTAL = re.compile(r"\b(?:total|combined|together|altogether|in all|aggregate)\b", re.I)
_SEVERAL = re.compile(r"\b(?:[2-9]|\d{2,})\s(?:[\w-]{1,20}\s){0,3}?[a-z-]{2,20}s\b", re.I)


def _counted_noun(word: str) -> bool:
    """A plural everyday noun after a number is what it counts: "3 rooms", "2 hands"."""
    return "NOUN" in parts_of_speech(word) and word.endswith("s") and word not in lemmas(word)


def _bound(before: str) -> str:
    """ "max" for "under 3 pounds", "min" for "over 1,000 games", "near" for "nearly 4,800
    reviewers" (at most the figure, and within a tenth of it)."""
    if _NEARLY.search(before):
        return "near"
    if _ABOUT.search(before):
        return "about"
    return "max" if _AT_MOST.search(before) else "min" if _AT_LEAST.search(before) else ""


def _within(claim: _Number, record: list[_Number]) -> bool:
    """A bound the record's figure keeps: "under three pounds" of a 2.7-pound laptop, "over
    1,000 games" of "2,000 games"; a record figure that is itself a limit ("up to") backs no
    lower bound."""
    kind = _CONVERSIONS.get(claim.unit)
    for number in record:
        theirs = _CONVERSIONS.get(number.unit)
        if number.unit == claim.unit:
            value, limit = number.value, claim.value
        elif kind and theirs and kind[0] == theirs[0]:
            value, limit = number.value * theirs[1], claim.value * kind[1]
        else:
            continue
        if claim.attribute and number.attribute not in (None, claim.attribute):
            continue
        if claim.bound == "max" and value <= limit:
            return True
        if claim.bound == "near" and 0.9 * limit <= value <= limit:
            return True
        if claim.bound == "about" and 0.95 * limit <= value <= 1.05 * limit:
            return True
        if claim.bound == "min" and value >= limit and number.bound != "max":
            return True
    return False


def _same_kind(unit: str, other: str) -> bool:
    """One unit, or two of one quantity: hours and years are both times."""
    ours, theirs = _CONVERSIONS.get(unit), _CONVERSIONS.get(other)
    return unit == other or (ours is not None and theirs is not None and ours[0] == theirs[0])


def _fitting(attribute: str | None, unit: str) -> str | None:
    """The attribute, when a number in this unit can state it: a measured unit binds only to
    an attribute measured in it."""
    if attribute is None or (unit not in _CONVERSIONS and unit not in _UNITS.values()):
        return attribute
    allowed = _UNITS_OF.get(attribute)
    return attribute if allowed is None or unit in allowed else None


def _converts(number: _Number, claim: _Number) -> bool:
    """The same quantity in another unit of the same kind (within 3%: "roughly 59 kg")."""
    ours, theirs = _CONVERSIONS.get(claim.unit), _CONVERSIONS.get(number.unit)
    if not ours or not theirs or ours[0] != theirs[0] or number.unit == claim.unit:
        return False
    wanted = claim.value * ours[1]
    return abs(number.value * theirs[1] - wanted) <= 0.03 * wanted


def _same_unit(number: _Number, claim: _Number) -> bool:
    """One unit, however derived: the record's "Tri-Directional" counts "3 directions"."""
    if number.unit == claim.unit:
        return True
    if _ATTRIBUTE_OF.get(number.unit) and _ATTRIBUTE_OF.get(number.unit) == _ATTRIBUTE_OF.get(
        claim.unit
    ):
        return True  # "DDR4-3200 RAM" and "DDR4-3200 memory"
    theirs, ours = derived_root(number.unit), derived_root(claim.unit)
    return bool(theirs) and theirs == ours


def _number_backed(claim: _Number, record: list[_Number]) -> str | None:
    """None when the record states this number for this unit and attribute, else why not."""
    measures = _MEASURED_IN.get(claim.attribute or "")
    if measures and claim.unit and claim.unit not in measures and claim.unit in _UNITS.values():
        return f"a {claim.attribute} rate is not counted in {claim.unit}"
    if claim.bound and claim.unit and _within(claim, record):
        return None
    same_value = [n for n in record if abs(n.value - claim.value) < 1e-9]
    if claim.unit in _TO_KG:
        kg = claim.value * _TO_KG[claim.unit]
        weights = [
            n
            for n in record
            if n.unit in _TO_KG and abs(n.value * _TO_KG[n.unit] - kg) <= 0.05 * kg
        ]
        if any(
            not claim.attribute
            or n.attribute in (None, claim.attribute)
            or n.attribute in claim.named
            or claim.attribute in n.named
            for n in weights
        ):
            return None  # "holds TVs weighing up to 135 pounds": the mount's capacity
        if weights:
            found = weights[0]
            return f"the record's {found.text} is a {found.attribute}, not a {claim.attribute}"
        return "the record states another weight"
    same_value += [n for n in record if _converts(n, claim)]
    if not same_value:
        return "the record has no such number"
    if claim.unit:
        measured = set(_UNITS.values())
        same_unit = [
            n
            for n in same_value
            if _same_unit(n, claim)
            or _converts(n, claim)
            or (claim.unit not in measured and (claim.unit in n.counted or n.unit in _COUNTS))
        ]
        if not same_unit:
            units = ", ".join(sorted({n.text for n in same_value}))
            return f"the record's {units} is not {claim.text}"
        same_value = same_unit
    if claim.each and all(n.total and not n.each for n in same_value):
        return f"the record's {same_value[0].text} is a total, not each one's"
    if claim.attribute and all(n.attribute and n.attribute != claim.attribute for n in same_value):
        theirs = ", ".join(sorted({n.attribute or "" for n in same_value}))
        return f"the record gives {claim.text} to the {theirs}, not the {claim.attribute}"
    if claim.unit:
        # "Labor is covered for 5 years" when the record's 5 years are the parts' and its
        # labor has 2: a noun the record binds to another value of the same unit
        others = [n for n in record if n.unit == claim.unit and n not in same_value]
        # what the record binds its own figure to: the words after it, else those before
        ours: frozenset[str] = frozenset().union(*(n.following or n.context for n in same_value))
        elsewhere: frozenset[str] = frozenset().union(*(n.following for n in others))
        bound_elsewhere = (claim.context & (elsewhere - ours)) - _GENERIC
        said_bare = any(not n.context for n in same_value)  # "RTX 4060, 8GB": bound to nothing
        if bound_elsewhere and not said_bare and not claim.context & ours:
            word = sorted(bound_elsewhere)[0]
            return f"the record gives {word} another figure"
    if claim.attribute and not any(n.attribute == claim.attribute for n in same_value):
        # "A 1080p webcam" when the record's webcam is 720p and its 1080p is the screen
        bound = [
            n
            for n in record
            if n.attribute == claim.attribute
            and (_same_kind(n.unit, claim.unit) or claim.attribute in _PARTS_MEASURED)
        ]
        if bound and claim.unit:
            return f"the record gives the {claim.attribute} {bound[0].text}"
    return None


# --- negations and what is included or needed ------------------------------------------------

# a quality denied outright: "isn't backlit", "not G-SYNC compatible", "no remote"
_DENIED_QUALITY = re.compile(
    r"(?<![\w-])(?:not|isn't|isn’t|aren't|aren’t|is\snot|are\snot|no|without|lacks?|lacking|"
    r"never|skips\sthe|"
    r"(?:doesn't|doesn’t|does\snot|don't|don’t|do\snot|won't|won’t|can't|can’t|cannot)\s"
    r"(?:support|have|offer|feature|play|display|show|work\swith))"
    r"\s(?:an?\s|any\s)?([A-Za-z0-9][\w-]{1,30})",
    re.I,
)
# "Dolby Atmos isn't supported": the quality named before its denial
_DENIED_AFTER = re.compile(
    r"([A-Za-z0-9][\w-]{1,30})\s(?:(?:isn't|isn’t|aren't|aren’t|is\snot|are\snot)\s"
    r"(?:supported|included|available|offered|pre-?installed|pre-?loaded)|"
    r"(?:doesn't|doesn’t|does\snot|don't|don’t|do\snot)\scome\s"
    r"(?:pre-?installed|pre-?loaded|installed|included|in\sthe\sbox))\b",
    re.I,
)
# the whole kit said to be in the box: untrue of a record that needs or lacks anything
_ALL_IN_THE_BOX = re.compile(
    r"\b(?:everything|all)\s(?:that\s)?you(?:'ll|’ll|\swill)?\s(?:need|require)\b|"
    r"\bnothing\selse\sto\s(?:buy|purchase|add)\b",
    re.I,
)
_NOT_A = re.compile(r"(?:not|isn't|isn’t|aren't|aren’t|is\snot|are\snot)\s(?:an?|any)\s", re.I)
# one space before each word, so a run of spaces or dashes cannot be split many ways
_NEED_DENIED = re.compile(
    r"(?:\s[\w-]{1,30}){0,3}?\s(?:is\s|are\s)?"
    r"(?:needed|required|necessary|to\s(?:buy|add|install|place))\b",
    re.I,
)
_RECORD_DENIAL = re.compile(
    r"\b(?:no|not|non|without|never|anti)\b|(?<![\w/])w/o\b|[\w-](?:free|(?<!wire)(?<!cord)less)\b",
    re.I,
)
# what a rating and a review count are said in ("4.6 stars", "4.8 out of 5", "338 shoppers")
_RATING_UNITS = frozenset(["", "star", "out", "by", "from", stem("rating"), stem("average")])
_REVIEW_UNITS = frozenset(
    stem(w)
    for w in (
        "reviews",
        "reviewers",
        "ratings",
        "customers",
        "shoppers",
        "buyers",
        "owners",
        "people",
    )
)
# "No reviews have been posted yet", "Nobody has reviewed it yet": true of a product with none
_NO_REVIEWS = re.compile(
    r"(?:\b(?:no|zero|nobody|no\sone|not\s(?:any|a\s(?:single\s)?)|yet\sto\sbe)|"
    r"n't\s(?:have|has|got)\s(?:any|a\s(?:single\s)?)|(?:n't|n’t|\snot)\s(?:yet\s)?been)"
    r"(?:\s(?:customer|shopper|buyer|user|owner|verified|written|any|has|have|been|is|are)){0,3}?"
    r"\s(?:reviews?|reviewed|reviewers|ratings?)\b|\bno\sstar\srating\b"
    r"(?:\s(?:have|has)\s(?:been\s)?(?:posted|written|left|submitted|shared))?(?:\syet\b)?",
    re.I,
)
# what shoppers are said to think of it: only a well-rated product's ("a 4.7-star favorite")
_PRAISE = re.compile(
    r"\b(?:(?:shoppers|customers|buyers|owners|reviewers|users|fans|everyone|everybody)\s"
    r"(?:love|loves|adore|adores|rave|raves)|loved\sby|(?:everyone|everybody)\swho\s(?:buys|owns|tries)|"
    r"(?:customer|fan|shopper|buyer|crowd)s?'?[\s-]favou?rites?|(?<=star\s)favou?rite|highly[\s-]rated|"
    r"well[\s-](?:reviewed|loved)|much[\s-]loved|beloved)\b",
    re.I,
)
GOOD_RATING = 4.0  # the least average that shoppers can be said to like
PRAISE_REVIEWS = 10  # and the fewest reviews it takes: one happy buyer is no crowd
# "a perfect 5.0 rating", "a perfect five-star average": the rating itself, when it is 5
_PERFECT_SCORE = re.compile(
    r"\bperfect\s(?=(?:5(?:\.0)?|five)(?:[\s-]star|\sout\sof|\srating|\saverage|\sscore|\sfrom|\sacross|\sover))",
    re.I,
)
# a sentence that quotes the shop's figures: a rating, reviews, a price or a saving
_STANDING_CUE = re.compile(
    r"\b(?:rated|rating|rate|stars?|reviews?|reviewed|reviewers|customers|shoppers|buyers|price[ds]?|"
    r"off|save|saving)\b|\$",
    re.I,
)
# a dollar figure said to be saved: "save $200", "$200 off", "a $200 discount"
_SAVING_FIGURE = re.compile(
    r"\b(?:save|saving|savings|off|discount(?:ed)?\s(?:of|by))\s(?:up\sto\s)?\$(\d[\d,.]{0,15})|"
    r"\$(\d[\d,.]{0,15})\s(?:(?:comes|come|is\staken|taken|knocked)\s)?"
    r"(?:off|below|discount|saving|savings|in\ssavings)\b",
    re.I,
)
# charging fast is the record's to say, whatever else is fast ("NVMe", "Wi-Fi 6")
_FAST_CHARGE = re.compile(r"\b(?:fast|quick|rapid|super|express)[\s-]?charg\w{0,4}", re.I)
# charging without a cable is the record's own claim, never read from "Wireless" earbuds
# and a "Charging Case"
_WIRELESS_CHARGE = re.compile(
    r"\bwireless(?:ly)?[\s-]charg\w*|\bcharg\w*\s(?:\w+\s)?wirelessly\b|\bQi\b|"
    r"\bMagSafe\b|\bcharging\s(?:pad|mat)\b",
    re.I,
)
# idioms that say nothing of the product: "at the heart of", "sets the mood", "track it down",
# "crunch numbers", "knock $20 off" (the figure is judged), "a strong pick" (its audience is),
# "from the side of the room", "skip tracks"
_IDIOM = re.compile(
    r"\bat\s(?:the|its)\sheart\b|\bsets?\sthe\s(?:party\s)?mood\b|"
    r"\btracks?\s(?:it\s|them\s)?down\b|\bcrunch(?:es|ing)?\snumbers\b|\bknock(?=\s\$\d)|"
    r"\bstrong\s(?=(?:pick|choice)\b)|"
    r"\b(?:from|to)\s(?:the|all)\ssides?\b|\bcut\sdown\son\b|\btake\sa\sknock\b|\bskip\stracks\b",
    re.I,
)
# a security system as a title names one: "… Wired NVR Security System", "Alarm Kit"
_SECURITY_SYSTEM = re.compile(
    r"\b(?:security|surveillance)\s(?:camera\s)?(?:system|kit)\b|\balarm\b[^|]{0,30}\b(?:system|kit)\b",
    re.I,
)
_TO_PAY = re.compile(r"\s{1,3}to\spay\b", re.I)
# what unlocks a device or a game: the record's own fingerprint reader, Touch ID or voucher
_UNLOCKS_WITH = re.compile(r"\bfingerprint\b|\btouch\sid\b|\bface\sid\b|\bvoucher\b", re.I)
# free for good: a "Free 12 Months" offer is no free for life
_FREE_FOR_GOOD = re.compile(
    r"\bfree\b[^.;:!?]{0,30}?\b(?:for\slife|forever|for\sgood|permanently|for\sever)\b|"
    r"\b(?:lifetime|forever|permanently|always)[\s-]free\b|\bfree\s(?:lifetime|forever)\b|"
    r"\bfree\b[^.;:!?]{0,40}?\b(?:never\sexpires?|for\sall\stime|for\skeeps|for\sthe\slife\sof|"
    r"year\safter\syear|every\syear|for\syears\sto\scome)\b",
    re.I,
)
_RECORD_FOR_GOOD = re.compile(
    r"\blifetime\b|\bfor\slife\b|\bforever\b|\bno\s(?:monthly\s|annual\s|hidden\s)?(?:fees?|"
    r"subscription)|\bwithout\s(?:a\s)?(?:subscription|monthly\sfees?)\b|\bno\sexpiration\b",
    re.I,
)
# what only a saving the shop gives may say: "discounted", "on sale", "marked down"
_SALE = re.compile(r"\b(?:discount\w{0,3}|on\ssale|marked\sdown|markdown|price\sdrop)\b", re.I)
_GENERIC = PLAIN_WORDS | {"existing", "install", "installation", "required", "needed", "any"}
# a match starts only where a word starts, and a word is at most 40 characters: the patterns
# stay linear on 5,000 characters of "a-a-a-…" that anyone can send to the API
_W = r"(?<![\w-])"
_WORD = r"[\w-]{1,40}"
_NO_AT_START = re.compile(
    rf"(?:^|\n|[,;:–—]|\s-|\b(?:at|with|for)\b)\s{{0,3}}no\s(?!need\sto\b)((?:{_WORD}\s){{0,1}}{_WORD})",
    re.I,
)
_TO_BUY = r"(?:buy|purchase|shop\sfor|order|get)"
_THERE_IS_NO = re.compile(
    rf"\bthere(?:'s|\sis|\sare)\sno\s(?!(?:{_WORD}\s){{1,2}}to\s{_TO_BUY}\b)"
    rf"((?:{_WORD}\s){{0,1}}{_WORD})",
    re.I,
)
# what the shopper need not buy is what comes with it: "No need to buy a mouse", "You do not
# have to buy the S Pen separately", "There is no bench to buy separately"
_NEED_NOT_BUY = re.compile(
    rf"(?:\bno\sneed\sto|\b(?:do|does|will|would)\snot\s(?:need|have)\sto|"
    rf"\b(?:don't|doesn't|won't|never)\s(?:need|have)\sto)\s{_TO_BUY}\s"
    rf"(?:(?:a|an|the|any|extra|additional|separate)\s){{0,2}}((?:{_WORD}\s){{0,1}}{_WORD})|"
    rf"\bthere(?:'s|\sis|\sare)\sno\s((?:{_WORD}\s){{0,1}}{_WORD})\sto\s{_TO_BUY}\b",
    re.I,
)
# "You will need to buy an HDMI cable": bought apart, so not included
_MUST_BUY = re.compile(
    rf"\b(?:need|needs|have|has)\sto\s(?:{_TO_BUY}|pick\sup|bring|supply|provide)\s"
    rf"(?:(?:a|an|the|any|extra|additional|separate)\s){{0,2}}((?:{_WORD}\s){{0,1}}{_WORD})",
    re.I,
)
# (pattern, dimension, polarity): the object is group 1
_POLARITY = [
    (
        re.compile(
            rf"{_W}((?:{_WORD}\s){{0,2}}{_WORD})(?:,?\s(?:which|that))?,?\s?\(?(?:is\s|are\s)?"
            r"(?:(?:has|have|needs?)\sto\sbe\s|must\sbe\s)?"
            r"(?:not included|(?:sold|bought|purchased|available)\s(?:\w+\s)?separately|"
            r"costs?\sextra|(?:comes\s)?at\s(?:an\s)?(?:extra|additional)\scost|"
            r"(?<!n't\s)(?<!n’t\s)(?<!not\s)an\s(?:extra|additional|separate)\spurchase)",
            re.I,
        ),
        "has",
        False,
    ),
    (
        re.compile(r"\bno\s((?:[\w-]+\s){0,2}?[\w-]+)\s(?:required|needed|necessary)\b", re.I),
        "needs",
        False,
    ),
    (re.compile(r"\bneeds? no\s((?:[\w-]+\s){0,1}[\w-]+)", re.I), "needs", False),
    # "It never needs charging": as "needs no charging"
    (
        re.compile(
            rf"\bnever\s(?:needs?|requires?)\s(?:a\s|an\s|the\s|any\s)?((?:{_WORD}\s){{0,1}}{_WORD})",
            re.I,
        ),
        "needs",
        False,
    ),
    (re.compile(r"\bwithout\s(?:any\s|a\s|the\s)?((?:[\w-]+\s){0,1}[\w-]+)", re.I), "needs", False),
    (re.compile(r"\b([\w]+)-free\b", re.I), "needs", False),
    (re.compile(r"\b(?:has|have|with) no\s((?:[\w-]+\s){0,1}[\w-]+)", re.I), "has", False),
    (re.compile(r"\brequires?\s(?:the\s|a\s|an\s)?((?:[\w-]+\s){0,3}[\w-]+)", re.I), "needs", True),
    (
        re.compile(rf"(?<!no ){_W}((?:{_WORD}\s){{0,2}}{_WORD})\s(?:is\s|are\s)?required\b", re.I),
        "needs",
        True,
    ),
    (
        re.compile(
            r"\b(?:includes?|including|comes? with(?: its| a| an| the)?|"
            r"(?<!compatible )(?<!works )(?<!work )(?<!pairs )(?<!pair )(?<!syncs )"
            r"(?<!perfectly )(?<!seamlessly )(?<!well )(?<!go )(?<!goes )"
            r"with(?: its| a| an| the)?)\s"
            r"(?:\$?\d[\d.,]{0,12}\s)?((?:[\w-]+\s){0,2}[\w-]+)",
            re.I,
        ),
        "has",
        True,
    ),
    (
        re.compile(
            rf"{_W}((?:{_WORD}\s){{0,2}}{_WORD})(?<!\bnot)\s(?:is\s|are\s)?included\b", re.I
        ),
        "has",
        True,
    ),
    (re.compile(r"\bincluded\s((?:[\w-]+\s){0,1}[\w-]+)", re.I), "has", True),
    # "It needs a monthly subscription"
    (
        re.compile(rf"{_W}needs?\s(?:a|an|the|your)\s((?:{_WORD}\s){{0,2}}{_WORD})", re.I),
        "needs",
        True,
    ),
    # a record line "No Monthly Subscriptions, Fees, or Hidden Costs Ever!": it neither has
    # nor needs them
    (_NO_AT_START, "has", False),
    (_NO_AT_START, "needs", False),
    # "There is no contract": neither had nor needed
    (_THERE_IS_NO, "has", False),
    (_THERE_IS_NO, "needs", False),
    # "The kit is part of the package", "Two mics are in the box": included
    (
        re.compile(
            rf"{_W}((?:{_WORD}\s){{0,2}}{_WORD})\s(?:is|are)\s"
            r"(?:part\sof\sthe\s(?:package|bundle|set|kit)|in\sthe\sbox)\b",
            re.I,
        ),
        "has",
        True,
    ),
    # "An NFC remote and Wi-Fi 6 come standard"
    (
        re.compile(rf"{_W}((?:{_WORD}\s){{0,2}}{_WORD})\s(?:comes?|ships?)\sstandard\b", re.I),
        "has",
        True,
    ),
    # "A wall mount comes with the service": the subject is what comes along
    (
        re.compile(
            rf"{_W}((?:{_WORD}\s){{0,2}}{_WORD})\s(?:comes?|ships?)\s(?:with\b|in the box)", re.I
        ),
        "has",
        True,
    ),
]
# a restriction: "works only with LG TVs", and a record's "only one": "May Only be Used on a
# Single Nintendo eShop Account", "Only 1 Set can be Installed"
_ONLY_WITH = re.compile(r"\b(?:only|exclusively)\s(?:with|on|for|in)\b|\bworks?\sonly\b", re.I)
_RECORD_ONLY = re.compile(r"\bonly\b|\bexclusive", re.I)
_ONLY_ONE = re.compile(
    rf"\bonly\b[^.\n]{{0,40}}?\b(?:a\s)?(?:single|one|1)\s(?:{_WORD}\s){{0,3}}?([a-z]{{2,30}}?)s?\b"
    r"(?=\s(?:can|may|per|is|are)\b|[.,;\n]|$)",
    re.I,
)
_MANY = re.compile(
    rf"\b(?:several|multiple|many|various|different|[2-9]|\d{{2,}})\s(?:{_WORD}\s){{0,2}}?"
    r"([a-z]{2,30})s\b",
    re.I,
)
# what the record rules out: "(not available for brick walls …)", "Not compatible with iPad"
_EXCLUDED = re.compile(
    rf"\bnot\s(?:available|compatible|suitable|recommended|for use)\s(?:for|with|on|in)\s"
    rf"((?:{_WORD}\s){{0,1}}{_WORD})",
    re.I,
)
_DENIED = re.compile(r"\b(?:no|not|without|never)\b", re.I)
# "Remote Control, Wall Mount Kit & Optical Cable Included": each item of the list
_LISTED_BEFORE = re.compile(r"(?:[^.;:\n]{0,80})$")
_LIST_SEPARATOR = re.compile(r",|&|\band\b", re.I)
_OBJECT_FIRST = re.compile(
    r"\s(?:is\s|are\s)?(?:not included|(?:sold|bought|purchased)\s(?:\w+\s)?separately|included)\b",
    re.I,
)
_THEN_DENIED = re.compile(
    r"\s?\(?\s?(?:is\s|are\s)?(?:not\sincluded|(?:sold|bought|purchased)\s(?:\w+\s)?separately)",
    re.I,
)
# what a record includes in place of the thing: "$49 Wall Mount Voucher" is not a wall mount
_STAND_IN_WORDS = "voucher coupon card code credit subscription service trial discount offer"
_STAND_INS = frozenset(stem(w) for w in _STAND_IN_WORDS.split())
# "no cable between them" is what "True Wireless" says
_WIRES = frozenset(stem(w) for w in ("cable", "cables", "wire", "wires", "cord", "cords"))
_WIRELESS = re.compile(r"\bwireless|\bcordless|\bwire-?\s?free|\bcord-?\s?free", re.I)
_INCLUSION = re.compile(
    r"^(?:includ|comes?\b)|\bcomes? with\b|\bin the box$|(?<!not )included$", re.I
)
# what a record serves or needs rather than has: "Fits 42” to 90” TVs", "Compatible with iPad"
_SERVED = re.compile(
    r"\b(?:fits?|compatible with|works? with|for|requires?|uses?|needs?|powered by|supports?|"
    r"pairs?(?: perfectly)? with)"
    r"\s([^.;,\n]{1,50})",
    re.I,
)
_NEGATED_BENEFIT = re.compile(
    r"\b(?:not included|sold separately|required)\b[\s,]+(?:\w+\s){0,1}"
    r"(?:lets|makes|means|gives|keeps|brings|helps|allows|is|so it needs)\b",
    re.I,
)


_DETERMINERS = "a an the your you it its this that these those them they any all each every one"
_FUNCTION_WORDS = frozenset(_DETERMINERS.split())


def _stems(words: str) -> frozenset[str]:
    found = [w for w in tokens(words) if not w[0].isdigit()]
    kept = frozenset(stem(w) for w in found if w not in _GENERIC)
    # "without a phone": an everyday noun is still the object
    return kept or frozenset(
        stem(w) for w in found if "NOUN" in parts_of_speech(w) and w not in _FUNCTION_WORDS
    )


class Polarity(NamedTuple):
    dimension: str  # "has" or "needs"
    positive: bool
    objects: frozenset[str]
    text: str
    head: str  # the stem of the object's last word: "voucher" in "Wall Mount Voucher"


def _head(words: str) -> str:
    kept = [w for w in tokens(words) if w not in _GENERIC and not w[0].isdigit()]
    return stem(kept[-1]) if kept else ""


def polarities(text: str) -> list[Polarity]:
    """Each "X not included", "requires X", "includes X"… with its object; each item of a
    listed object ("A, B & C Included") on its own."""
    found = []
    for pattern, dimension, positive in _POLARITY:
        for match in pattern.finditer(text):
            phrases = [match.group(1)]
            if _OBJECT_FIRST.match(text, match.end(1)):
                before = _LISTED_BEFORE.search(text[max(0, match.start(1) - 80) : match.start(1)])
                items = _LIST_SEPARATOR.split(before.group(0) if before else "")
                if len(items) > 1 and not items[-1].strip():
                    phrases += [item for item in items[:-1] if item.strip()]
            for phrase in phrases:
                if positive and _DENIED.search(text, max(0, match.start() - 25), match.end()):
                    continue  # "No Wiring Required", "with no wiring": the negation says it
                if positive and _THEN_DENIED.match(text, match.end()):
                    continue  # "With MicroSD Card(Sold Separately)": it is not included
                objects = _stems(phrase)
                if objects:
                    found.append(
                        Polarity(dimension, positive, objects, match.group(0), _head(phrase))
                    )
    need_not = []
    for match in _NEED_NOT_BUY.finditer(text):
        need_not.append(match.span())
        phrase = match.group(1) or match.group(2)
        objects = _stems(phrase)
        if objects:
            found.append(Polarity("has", True, objects, match.group(0), _head(phrase)))
    for match in _MUST_BUY.finditer(text):
        if any(start <= match.start() < end for start, end in need_not):
            continue  # "You won't need to buy a keyboard": said above, the other way
        objects = _stems(match.group(1))
        if objects and not _DENIED.search(text, max(0, match.start() - 12), match.start()):
            found.append(Polarity("has", False, objects, match.group(0), _head(match.group(1))))
    return found


# --- word classes that make a claim ----------------------------------------------------------

SUPERLATIVES = frozenset(
    [
        "best",
        "#1",
        "ultimate",
        "perfect",
        "fastest",
        "latest",
        "greatest",
        "finest",
        "top",
        "leading",
        "industry-leading",
        "world-class",
        "unbeatable",
        "unmatched",
        "unrivaled",
        "unrivalled",
        "smartest",
        "deepest",
        "brightest",
        "longest",
        "most",
        "strongest",
        "lightest",
        "thinnest",
        "revolutionary",
        "ideal",
    ]
)
AUDIENCES = frozenset(
    [
        "kid",
        "kids",
        "child",
        "children",
        "student",
        "students",
        "gamer",
        "gamers",
        "beginner",
        "beginners",
        "artist",
        "artists",
        "senior",
        "seniors",
        "renter",
        "renters",
        "diver",
        "divers",
        "runner",
        "runners",
        "professional",
        "professionals",
        "family",
        "families",
        "traveler",
        "travelers",
        "traveller",
        "travellers",
        "creator",
        "creators",
        "musician",
        "musicians",
        "athlete",
        "athletes",
        "toddler",
        "toddlers",
        "teen",
        "teens",
        "lover",
        "lovers",
        "fan",
        "fans",
        "enthusiast",
        "enthusiasts",
    ]
)
HEALTH = frozenset(
    [
        "safe",
        "harmless",
        "non-toxic",
        "nontoxic",
        "hypoallergenic",
        "healthy",
        "health",
        "medical",
        "cure",
        "cures",
        "heal",
        "heals",
        "blood",
        "pressure",
        "therapeutic",
        "antibacterial",
        "germ",
        "germs",
    ]
)
# durability wording -> record wording that backs it (a "-proof" needs a "-proof" or rating)
_DURABILITY: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (
        re.compile(r"\bwater-?\s?proof|\bsubmerg|\bswim", re.I),
        re.compile(r"water-?\s?proof|ip[x\d][78]", re.I),
    ),
    (re.compile(r"\bdust-?\s?proof", re.I), re.compile(r"dust-?\s?proof|ip6", re.I)),
    (
        re.compile(r"\bweather-?\s?proof", re.I),
        re.compile(r"weather-?\s?proof|water-?\s?proof", re.I),
    ),
    (
        re.compile(r"\b(?:shock|drop)-?\s?proof|\bsurvives? drops", re.I),
        re.compile(r"(?:shock|drop)-?\s?proof", re.I),
    ),
    (re.compile(r"\bsweat-?\s?proof", re.I), re.compile(r"sweat-?\s?proof", re.I)),
    (re.compile(r"\bspill-?\s?(?:proof|resistant)", re.I), re.compile(r"spill", re.I)),
]
# promises beyond what a listing can show, each backed only by the record's own words: a
# guarantee, a balance that never expires, recording around the clock, "the only kit you'll
# ever need" (rule, wording, backing)
_PROMISES: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    (
        "guarantee",
        re.compile(r"(?<![\w-])(?<!no\s)guarant(?:ee|eed|ees)\b", re.I),
        re.compile(r"guarant|warrant", re.I),
    ),
    (
        "durability",
        re.compile(
            r"\b(?:never|won't|won’t|will\snot|doesn't|doesn’t|does\snot|don't|don’t|do\snot)\s"
            r"(?:ever\s)?expires?\b(?!\s(?:for|until|before|within|after)\b)|"
            r"\bno\sexpiration\b|\bwithout\s(?:an\s)?expiration\b",
            re.I,
        ),
        re.compile(
            r"\b(?:never|no|don't|doesn't|do\snot|does\snot|won't|without)\s(?:\w+\s){0,3}expir",
            re.I,
        ),
    ),
    (
        "always-on",
        re.compile(
            r"\b(?:a)?round[\s-]the[\s-]clock\b|(?<![\d/])24/7(?![\d/])|\bnon-?stop\b|"
            r"\brecord\w{0,3}\scontinuous|\bcontinuous(?:ly)?\s(?:record|monitor|track)",
            re.I,
        ),
        re.compile(
            r"(?<![\d/])24/7(?![\d/])|24\shours?\sa\sday|\b(?:a)?round[\s-]the[\s-]clock\b|"
            r"\bcontinuous|\bnon-?stop\b|\balways\b|\bday\sand\snight\b|\bconstant",
            re.I,
        ),
    ),
    (
        "superlative",
        re.compile(
            r"\bthe\s(?:only|last)\s(?!things?\b)(?:[\w-]{1,30}\s){0,3}?(?:you(?:'ll|’ll|\swill)?\s(?:ever\s)?"
            r"(?:need|want|buy)|on\sthe\smarket|of\sits\skind)\b",
            re.I,
        ),
        re.compile(r"\bthe\s(?:only|last)\b[^\n]{0,40}\b(?:ever|market|kind)\b", re.I),
    ),
]
# every claim above with the rule it falls under and why it fails where the record is silent
_NEEDS_RECORD_WORDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str], str], ...] = (
    *(("durability", said, backing, "no rating in the record") for said, backing in _DURABILITY),
    *(
        (rule, said, backing, "the record promises no such thing")
        for rule, said, backing in _PROMISES
    ),
)
# a maker's devices: a record that works with the maker works with them
MAKER_OF = {
    stem(line): stem(maker)
    for maker, lines in {
        "apple": ("iphone", "ipad", "mac", "macbook", "imac", "airpods"),
        "samsung": ("galaxy",),
        "microsoft": ("xbox", "surface"),
        "sony": ("playstation",),
        "google": ("pixel", "android", "chromecast"),
    }.items()
    for line in lines
}
# what a product of these kinds has as a part, whether or not the record names it
_SCREENED = frozenset(["laptop", "tablet", "smartphone", "phone", "tv", "monitor", "watch"])
_BESIDE_A_TV = frozenset(["soundbar", "receiver", "console"])
_SOUNDING = frozenset(["soundbar", "speaker", "piano", "tv", "laptop"])  # speakers built in
_PART_OF = {
    "display": _SCREENED,
    "screen": _SCREENED,
    "displays": _SCREENED,
    "tv": _BESIDE_A_TV,  # what a soundbar plays through
    "tvs": _BESIDE_A_TV,
    "speaker": _SOUNDING,
    "speakers": _SOUNDING,
}
_UNIVERSAL = re.compile(
    r"\b(?:works? with|fits?|compatible with|pairs? with|(?:redeem|use|spend)(?:ed)?(?: it)?"
    r"\s(?:at|in|on|with))\s(?:\w+\s)?(?:every|all|any)\b",
    re.I,
)
# "light" of weight, not of a lamp: "its light body", "light enough", "so light"
_LIGHT_WEIGHT = re.compile(
    r"\blight\s(?:body|frame|build|design|chassis|enough|weight)\b|"
    r"\b(?:is|so|and|feels?|stays?|surprisingly|remarkably|incredibly|impressively|very)\s"
    r"light\b(?!\s(?:up|show|bar|strip|bulb|ring))",
    re.I,
)
_LIGHTWEIGHT = re.compile(r"\blight[\s-]?weight\b|\bultra-?light\b", re.I)
_RECORD_UNIVERSAL = re.compile(r"\b(?:every|all|any)\b", re.I)
# "senses obstacles in every direction": all round, which "Tri-Directional" is not
_ALL_ROUND = re.compile(
    r"\b(?:in\s)?(?:every|all|any)\sdirections?\b|\bomni-?directional\b|\b360(?:°|-degree|\sdegrees?)",
    re.I,
)
_RECORD_ALL_ROUND = re.compile(
    r"\b(?:every|all|any)\sdirections?\b|\bomni-?directional\b|\b360\b|\ball-round\b", re.I
)
# a modifier and its opposite: "Wired Karaoke Mic" is no wireless mic
_OPPOSITES = {
    "wired": "wireless",
    "wireless": "wired",
    "corded": "cordless",
    "cordless": "corded",
    "indoor": "outdoor",
    "outdoor": "indoor",
    "manual": "automatic",
    "automatic": "manual",
}
# a shape or a fit that rules out the other, whatever noun it is said of: a "Curved Gaming
# Monitor" is no flat display, "Detachable Legs" are not fixed ones
_EXCLUSIVE = {
    "flat": ("curved",),
    "curved": ("flat",),
    "fixed": ("detachable", "removable"),
    "permanently": ("detachable", "removable"),
    "non-removable": ("detachable", "removable"),
}
_EXCLUSIVE_WORD = re.compile(r"(?<![\w-])(" + "|".join(_EXCLUSIVE) + r")(?![\w-])", re.I)
# a link a sentence and the record both name, and what it connects that is the shopper's
_LINK = re.compile(r"\b(?:bluetooth|wi-?fi|usb|thunderbolt|g-?sync|freesync)\b", re.I)
_CONNECTED_WORDS = (
    "accessories accessory peripherals peripheral gear connections connection connectivity "
    "devices needs networking duties"
)
_CONNECTED = frozenset(_CONNECTED_WORDS.split())
# the shopper's own things a link connects ("your wireless mouse and headphones")
_SHOPPERS_WORDS = (
    "wireless mouse mice keyboard headset headphones earbuds earphones speaker controller "
    "gamepad printer tracks music files own"
)
_SHOPPERS_THINGS = _CONNECTED | frozenset(stem(w) for w in _SHOPPERS_WORDS.split())
_YOUR_FAVORITE = re.compile(r"\b(?:your|their|my)\s(?:own\s)?favou?rite\b", re.I)
_ON_THE_SCALE = frozenset(["scale", "scales", "tips"])
_DUST = frozenset(["dust", "dustproof", "dust-tight"])
_DUST_RATED = re.compile(r"\bIP[56]\d\b", re.I)
# "25 frames per second", "16 gigabits per second": the unit of a rate
_PER_UNITS = frozenset(["second", "seconds", "minute", "hour", "day", "month", "year"])
# "a slim profile", "low-profile": what a record's "Slim Design" says
_SLIM_WORDS = frozenset(["profile", "low"])
_SLIM = re.compile(r"\b(?:slim|thin|low[\s-]profile|ultra-?slim)", re.I)
# a cost said ("a paid plan", "monthly fees", "requires a subscription"), a sentence that
# denies or saves one, and a record that rules every cost out
_COST_CLAIM = re.compile(
    r"\b(?:paid\s(?:[\w-]{1,20}\s)?(?:plans?|tiers?|subscriptions?|memberships?|versions?|services?)|"
    r"(?:monthly|annual|yearly|subscription|service)\s(?:fees?|charges?|plans?)|"
    r"(?:requires?|needs?)\s(?:a\s|an\s)?(?:[\w-]{1,20}\s)?(?:subscription|plan|membership))\b",
    re.I,
)
_FEE_DENIED = re.compile(
    r"\b(?:no|not|without|never|avoid\w*|skip\w*|sav\w+|zero|free|nothing|none)\b|n't", re.I
)
# a "Free" that opens a phrase, and the words it makes free
_FREE_THING = re.compile(
    r"(?:^|[\n,.;:(!]\s?|\b(?:of|and|with|plus|a|includes?)\s|\b\d{1,3}[\s-](?:year|month|day)s?\s)"
    r"free\s((?:[\w/-]{1,20}\s?){1,3})",
    re.I | re.M,
)
# the price a saving is taken from
_USUAL_PRICE = re.compile(r"\b(?:usual|normal|list|original|full)\sprice\b", re.I)
# saying what a thing costs, right before the figure, which is judged as the shop's price
_PRICE_VERB = re.compile(
    r"\b(?:costs?|sells\s(?:for|at))(?=\s(?:just\s|only\s|under\s|less\sthan\s|about\s|"
    r"around\s)?\$\d)",
    re.I,
)
# what costs nothing, in other words than "free"
_COSTS_NOTHING = re.compile(
    r"\b(?:at|for)\sno\s(?:extra\s|additional\s)?(?:cost|charge)\b|\bfree\sof\scharge\b|"
    r"\b(?:pay|costs?)\snothing\b",
    re.I,
)
# a cost denied ("without paying a monthly fee", "nothing recurring to pay"), and a record
# that denies costs in so many words ("No Monthly Subscriptions, Fees, or Hidden Costs")
_NO_FEE_SAID = re.compile(
    r"(?:\b(?:no|without|nothing|never|zero)\b|\b[a-z]{1,8}n't)(?:\s(?:a|an|any|to|for|or|and|"
    r"monthly|yearly|hidden|recurring|ongoing|extra|subscription|service|cloud|need|needs|have|"
    r"has|will|ever|is|are|be|locked|behind|pay|paying)){0,4}?\s"
    r"(?:fees?|subscriptions?|charges?|costs?|pay(?:ing)?|paid)\b"
    r"(?:\s(?:fees?|subscriptions?|charges?|costs?|plans?|monthly|yearly|hidden|recurring|"
    r"ongoing|or|a|an|each|per|every|month|year|is|are|ever|required|needed)\b){0,8}",
    re.I,
)
_RECORD_NO_FEES = re.compile(
    r"\bno\s(?:[\w-]{1,20}\s){0,4}(?:fees?|subscriptions?|costs?|charges?)\b|"
    r"\bwithout\s(?:a\s|any\s)?(?:subscriptions?|fees?)\b|\b(?:fee|subscription)[\s-]free\b",
    re.I,
)
# two the record names together ("Android and iOS"), one of which "only" may not stand for
_PAIRED = re.compile(r"\b([A-Za-z][\w-]{1,20})\s(?:and|&|/|or)\s([A-Za-z][\w-]{1,20})\b")
_NOT_ONLY = re.compile(
    r"\bnot\sonly\b|\bonly\s(?:one|a|an|the|\$|\d|seconds|minutes|hours|moments|once)|"
    r"\bthe\sonly\b",
    re.I,
)
# other ways copy puts a thing in the box: "LG packs a wall mount with this set"
_PACKED = re.compile(
    r"\b(?:packs|throws|tosses|ships\swith)\s(?:in\s)?(?:an?\s|the\s|its\s)?((?:[\w-]{1,20}\s)?[\w-]{1,20})",
    re.I,
)
# what may come in the box with a product, each only where the record names it, judged
# clause by clause ("a mouse is included, so there are fewer cables")
_CLAUSE = re.compile(r"[,;:]|\b(?:so|but|while|and then)\b", re.I)
_ACCESSORY_WORDS = (
    "cable cord adapter charger remote stand mount bracket bag battery batteries panel "
    "stylus controller mouse bench strap sleeve dock hub"
)
_ACCESSORIES = frozenset(stem(w) for w in _ACCESSORY_WORDS.split())
_OPPOSED = re.compile(
    r"(?<![\w-])(" + "|".join(_OPPOSITES) + r")\s([a-z][\w-]{0,30}(?:\s[a-z][\w-]{0,30})?)", re.I
)
# a cable by its two ends: "USB-C to Lightning Cable" is no USB-C to USB-C cable
_CABLE_ENDS = re.compile(
    r"(?<![\w-])([\w-]{1,20})\sto\s([\w-]{1,20})\s(?:cable|adapter|cord)s?\b", re.I
)
# "top" ranks ("the top laptop", "top-rated", "top-of-the-line") except as a verb ("top up
# the battery") or a place ("on top of the TV", "the top panel"): a place is a plain noun the
# record must have
_TOP_UP = re.compile(r"\btop(?:s|ped|ping)?\s(?:up|off)\b", re.I)
_TOP_PLACE = re.compile(
    r"\b(?:on|at|from|to|along|across)\s(?:the\s)?top\b(?!-)|"
    r"\btop\s(?:of(?!\sthe\s(?:line|range|class|market|charts?)\b)|edge|panel|side|cover|lid|"
    r"shelf|surface|mount(?:ed)?|load(?:ing|er)?)\b",
    re.I,
)
_INCLUDED = re.compile(r"\b(?:included|includes|in the box|comes with|bundled?)\b", re.I)
_AT_NO_EXTRA_COST = re.compile(
    r",?\s(?:(?:at|for)\sno\s(?:extra\s|additional\s)?(?:cost|charge)|without\spaying\sextra|"
    r"no\sextra\spurchase\s(?:needed|required))\b",
    re.I,
)
# the record's word for free: "mounted at no extra cost", "complimentary"
_AT_NO_COST = re.compile(
    r"\bno\s(?:extra\s|additional\s)?(?:cost|charge)\b|\bcomplimentary\b|\bfree of charge\b",
    re.I,
)
_FREE = re.compile(r"(?<![-\w])free\b(?!-)", re.I)


# what a product of a kind does by definition (its purpose): a camera records, headphones and
# speakers let you hear; the verb needs no record word of its own
_DOES: dict[str, frozenset[str]] = {
    "camera": frozenset(["record", "capture", "film", "shoot"]),
    "doorbell": frozenset(["record", "capture", "ring"]),
    "headphones": frozenset(["hear", "listen"]),
    "speaker": frozenset(["hear", "listen"]),
    "soundbar": frozenset(["hear", "listen"]),
    "charger": frozenset(["charge"]),
    "drone": frozenset(["fly"]),
    "lock": frozenset(["lock", "unlock"]),
}
# a compound written with a hyphen, as the record may write it whole ("USB-C", "USBC")
_HYPHENED = re.compile(r"(?<![\w-])[A-Za-z0-9]{1,20}(?:-[A-Za-z0-9]{1,20}){1,3}(?![\w-])")
# a dimension said of the figure before it: "0.49 inches thick", "27 inches wide"
_DIMENSIONS = frozenset(["thick", "thin", "wide", "tall", "deep", "long", "high", "across"])
_AFTER_LENGTH = re.compile(
    r"\d(?:\s?(?:-?inch(?:es)?|in\b|\"|”|mm|cm|m\b|ft|feet|foot))\s(?:thick|thin|wide|tall|deep|long|high|across)\b",
    re.I,
)


# --- verbs of framing ------------------------------------------------------------------------

# Copy frames a fact with a verb ("brightens your yard", "speeds up", "flies through"); the
# claim is in the nouns and adjectives around it, which still need the record. Verbs that name
# something the product does on its own (hearing, recording, charging…) are claims themselves.
_CAPABILITY = """
hear record stream charge track detect recognize recognise translate print scan measure
    monitor zoom fold heat cool clean vacuum mop sync cast mirror dim vibrate filter purify brew
    cook wash dry float swim dive waterproof unlock lock"""
CAPABILITY_VERBS = frozenset(_CAPABILITY.split())
_PRONOUNS = "it they he she that which who this these those you"
_SUBJECT_WORDS = frozenset(_PRONOUNS.split())
# what may follow a verb: an object's determiner, a pronoun, a particle or a preposition
_OBJECT_STARTS = """
a an the your you it its them their his her our my this that these those every each
    any all more several many up off out through into in on over under across away down from
    to with at for by around along past so when while"""
_AFTER_VERB = frozenset(_OBJECT_STARTS.split())
_NOUN_STARTS = """
a an the your its their our my this of for with in on to by from at and or under over
    through into onto across about between per during within than as up off out"""
_NOT_BEFORE_VERB = frozenset(_NOUN_STARTS.split())


_MODALS = frozenset(["can", "could", "will", "would", "may", "might", "must", "should", "shall"])


def _nominal(word: str) -> bool:
    """A noun, or a word no dictionary has (a name, a term: "Acer", "keypad")."""
    return word.isalpha() and ("NOUN" in parts_of_speech(word) or not parts_of_speech(word))


def framing_verbs(sentence: str) -> set[str]:
    """The words the sentence uses as verbs, less the verbs of capability."""
    found = [(m.group(0), m.group(0).lower()) for m in TOKEN.finditer(sentence)]
    verbs = set()
    for index, (raw, word) in enumerate(found):
        classes = parts_of_speech(word)
        if "VERB" not in classes or lemmas(word) & CAPABILITY_VERBS:
            continue
        if index > 0 and raw[0].isupper():
            continue  # "Google", "Ring": a name, not a verb
        before = found[index - 1][1] if index else ""
        after = found[index + 1][1] if index + 1 < len(found) else ""
        third_person = word.endswith("s") and after in _AFTER_VERB
        # "The display fights glare", "The Acer supports FreeSync": after a singular noun or
        # a name, before a noun, a name or a figure ("hits 500 nits")
        after_subject = (
            word.endswith("s")
            and not before.endswith("s")
            and _nominal(before)
            and (_nominal(after) or after[:1].isdigit())
            and after not in _NOT_BEFORE_VERB
        )
        base = word in lemmas(word)
        next_raw = found[index + 1][0] if index + 1 < len(found) else ""
        # "Press the sensor", "Switch to …", "Check and change it": a sentence that opens on
        # a bare verb and its object, not on a name ("Ring Alarm") or a noun ("Air cooling")
        imperative = (
            index == 0
            and base
            and next_raw[:1].islower()
            and (after in _AFTER_VERB or after in ("and", "or"))
            and after != "of"
        )
        # "can cut costs", "or tune the white": a bare verb after a modal, or coordinated
        # before its object
        bare = base and (before in _MODALS or (before in ("and", "or") and after in _AFTER_VERB))
        if (
            classes == {"VERB"}
            or imperative
            or bare
            or (
                before
                and (before not in _NOT_BEFORE_VERB or (before in ("and", "or") and third_person))
                and (
                    before in _SUBJECT_WORDS
                    or after in _AFTER_VERB
                    or after_subject
                    or (word.endswith("ing") and not after)
                )
            )
        ):
            verbs.add(word)
    return verbs


# "Apply to Your … Account in Seconds lets you …", "This Item Can be Redeemed … allows you …":
# a bullet that is itself a clause, made the subject of a benefit
_FRAMED_SUBJECT = re.compile(
    r"^(\w[^!?]{2,400}?)\s(?:lets|allows|helps|gives|keeps|makes|means)\s", re.IGNORECASE
)
_LONGEST_SUBJECT = 14  # words: a longer subject before "lets you" is a pasted bullet
# "Safety Tested and Designed for an Easy Install is a ...": a bullet with its own verb
_PARTICIPLE = re.compile(r"(?<=\s)[A-Z][a-z]{2,30}ed\b(?!-)")
_IS_A = re.compile(r"^(\w[^!?]{2,200}?)\s(?:is|are)\s(?:a|an)\s")
_MODAL = re.compile(r"\b(?:can|could|will|would|may|must|should)\b", re.IGNORECASE)


def _clause_subject(sentence: str) -> str | None:
    match = _FRAMED_SUBJECT.match(sentence)
    if not match:
        named = _IS_A.match(sentence)
        participles = _PARTICIPLE.findall(named.group(1)) if named else []
        if named and any(parts_of_speech(word) == {"VERB"} for word in participles):
            return named.group(1)
        return None
    subject = match.group(1)
    words = tokens(subject)
    imperative = parts_of_speech(words[0]) == {"VERB"} and words[0] in lemmas(words[0])
    pasted = len(words) > _LONGEST_SUBJECT or ":" in subject
    return subject if imperative or pasted or _MODAL.search(subject) else None


MAX_SENTENCE_CHARS = 400  # the longest labelled sentence has 133
# the words copy quotes the shop's figures in, there only when the shop has the figure
_FIGURE_WORDS = {
    "price range": "prices from to depending configuration configurations",
    "saving": "save now off the regular price today discount discounted",
    "rating": "rated out of stars average",
    "reviews": "customer reviews by shoppers buyers reviewers owners",
}


def _figure_words(record: ProductRecord) -> str:
    has = {
        "price range": bool(record.price is not None and (record.price_max or 0) > record.price),
        "saving": bool(record.discount_amount),
        "rating": record.rating is not None,
        "reviews": bool(record.review_count),
    }
    return " ".join(words for figure, words in _FIGURE_WORDS.items() if has[figure])


def _ranks_a_product(text: str, words: set[str]) -> bool:
    """One of `words` (in any inflection) in `text` heads a noun phrase, past figures and
    units, whose last word is a product type: "the best 65-inch TV", "the ultimate JBL
    soundbar" and "the most rugged and capable Apple Watch" rank a product, "Ultimate UHD
    Dimming" and "Top Mounted Controls" a feature."""
    found = tokens(text)
    for i in _places(found, words):
        token = found[i]
        window = found[i + 1 : i + 8]
        after = [  # past a figure and its unit ("65-inch")
            t
            for j, t in enumerate(window)
            if not t[0].isdigit() and not (j and window[j - 1][0].isdigit() and t in UNIT_WORDS)
        ]
        phrase = list(itertools.takewhile(lambda t: t not in _NOT_NAMING, after[:5]))
        head = phrase[-1] if phrase else ""  # "the brightest Apple Watch display": a display
        if token == "most" and head.endswith("s"):
            continue  # "fits under most TVs": a quantity, no rank
        if stem(head) in TYPE_OF and not head.endswith(("ing", "ed")):
            return True
    return False


def _words_after(text: str, words: set[str]) -> set[str]:
    """The word after each of `words` (in any inflection) in `text`."""
    found = tokens(text)
    return {found[i + 1] for i in _places(found, words) if i + 1 < len(found)}


def _places(found: list[str], words: set[str]) -> Iterable[int]:
    """Where any of `words`, in any inflection, stands among the tokens `found`."""
    forms = {form for word in words for form in (word, *lemmas(word))}
    return (i for i, token in enumerate(found) if token in forms or lemmas(token) & forms)


# words that end a noun phrase ("the best picture for a TV": the picture is ranked)
_NOT_NAMING = frozenset(["for", "of", "in", "on", "at", "to", "with", "from", "by", "that"])
_NOT_NAMING |= {"which", "is", "are", "ever", "yet", "around", "available"}


class CopyChecker:
    """Checks any copy against a product record; the writer, `check-copy` and the API use it."""

    def __init__(self, record: ProductRecord, judge: ClaimJudge | None = None) -> None:
        """Rules alone by default; with a `judge` (`claim_judge.shipped_judge()`) a sentence the
        rules reject counts as supported when the judge is confident it is. Off by default:
        out of fold 7 of its 23 overturns were unsupported sentences (docs/architecture.md)."""
        self.record = record
        self.judge = judge
        own = [
            record.title,
            record.brand,
            *record.bullets,
            *(f"{k} {v}" for k, v in record.attributes.items()),
        ]
        self.text = " \n ".join(clean_text(text) for text in own)
        # the price, rating and review count are facts of the record too: "sells for
        # $89.99", "rated 4.6 stars by 338 shoppers"; the shop's figures back a number only
        # where the sentence quotes them (`_standing_backs`), so a rating of 4.8 never backs
        # an "S8 chip"
        self.figure_words = frozenset(_figure_words(record).split())
        self.title_words = " ".join(tokens(record.title))
        self.vocabulary = Vocabulary(f"{self.text} {record.category} {_figure_words(record)}")
        price = f"\n${record.price:,.2f}" if record.price else ""
        generations = "".join(
            f"\nWi-Fi {_WIFI_GENERATION[(m.group(1) or m.group(2)).lower()]}"
            for m in _WIFI_STANDARD.finditer(self.text)
        )
        self.numbers = numbers(self.text + price)
        # only a Wi-Fi claim reads them: the record's "802.11ac" backs "Wi-Fi 5", never
        # "Bluetooth 5.0"
        self.wifi_generations = numbers(generations)
        self.record_lines = self.text.split("\n")
        self.includes = bool(_INCLUDED.search(self.text))
        self._line_words = [(line, Vocabulary(line)) for line in self.record_lines if line.strip()]
        self.lines = [words for _, words in self._line_words]
        self.attributes = {_ATTRIBUTE_OF[w] for w in self.vocabulary.words if w in _ATTRIBUTE_OF}
        self.polarities = polarities(self.text)
        self.types = product_types(clean_text(record.title), record.category)
        self.acronyms = frozenset(
            a.lower() for a in _ACRONYM.findall(self.text) if not parts_of_speech(a.lower())
        )
        self.served = frozenset(
            stem(w) for m in _SERVED.finditer(self.text) for w in tokens(m.group(1))
        )
        self.excluded = [_stems(m.group(1)) for m in _EXCLUDED.finditer(self.text)]
        self._prefixes = frozenset(w[:6] for w in tokens(self.text) if len(w) >= 6)
        self._denied_or_needed = frozenset(
            o
            for p in self.polarities
            if p.dimension == "needs" or not p.positive
            for o in p.objects
        )
        self.features = (
            frozenset(
                stem(w)
                for line in self.record_lines
                for w in tokens(_SERVED.sub(" ", line))
                if w not in _GENERIC
            )
            - self._denied_or_needed
        )

    def check(self, text: str) -> CopyReport:
        return CopyReport([self.sentence(sentence) for sentence in split_sentences(text)])

    def sentence(self, sentence: str) -> SentenceCheck:
        if len(sentence) > MAX_SENTENCE_CHARS:
            # no copy needs a sentence this long, and the per-word rules would cost time in
            # its square: unreadable, and not read further
            why = f"a sentence over {MAX_SENTENCE_CHARS} characters"
            return SentenceCheck(sentence, [ClaimCheck(sentence[:60], "run-on", False, why)])
        original = sentence
        if self.includes and _INCLUDED.search(sentence):
            # "included at no extra cost" says no more than "included"
            sentence = _AT_NO_EXTRA_COST.sub("", sentence)
        claims = list(self._fragment(sentence))
        # what shoppers think and what it costs are judged first, then left out of the rest
        sentence, said = self._reception(sentence)
        claims += said
        sentence, said = self._costs(sentence)
        claims += said
        claims += self._numbers(sentence)
        claims += self._negations(sentence)
        claims += self._types(sentence)
        claims += self._in_own_words(sentence)
        claims += self._words(normalise_numbers(sentence))
        claims += self._modifiers(sentence)
        check = SentenceCheck(original, claims)
        if check.supported or self.judge is None:
            return check
        p = self.judge.probability(original, check.rejected_by, self.evidence)
        return SentenceCheck(original, claims, round(p, 4), p > self.judge.threshold)

    def _costs(self, sentence: str) -> tuple[str, list[ClaimCheck]]:
        """What a sentence says it costs, judged by what the record makes free, and the
        sentence less those words: "installed at no charge" of "Free Installation" (never "the
        piano costs nothing" of "Free iOS Apps"), "without paying a monthly fee" of "No Monthly
        Fees", "$300 below its usual price" of the shop's saving."""
        claims = []
        words = {w[:5] for w in tokens(sentence) if w.isalpha() and len(w) > 3}
        for costless in _COSTS_NOTHING.finditer(sentence):
            backed = bool(self._free_things & words or _AT_NO_COST.search(self.text))
            why = "" if backed else "the record offers nothing free"
            claims.append(ClaimCheck(costless.group(0), "free", backed, why))
        sentence = _COSTS_NOTHING.sub("", sentence)
        if self.record.price is not None:
            sentence = _PRICE_VERB.sub("", sentence)  # "costs $79.99": the figure is judged
        if self.record.discount_amount and _SAVING_FIGURE.search(sentence):
            sentence = _USUAL_PRICE.sub("price", sentence)
        no_fee = _NO_FEE_SAID.search(sentence)
        if no_fee and _RECORD_NO_FEES.search(self.text):
            claims.append(ClaimCheck(no_fee.group(0), "free", True, ""))
            to_pay = _TO_PAY.match(sentence, no_fee.end())  # "no monthly fees to pay"
            end = to_pay.end() if to_pay else no_fee.end()
            sentence = sentence[: no_fee.start()] + sentence[end:]
        return sentence, claims

    def _reception(self, sentence: str) -> tuple[str, list[ClaimCheck]]:
        """What a sentence says shoppers think, judged by the shop's rating and review count,
        and the sentence less those words for the other rules: "no reviews yet" needs none,
        "a customer favorite" a rating of at least `GOOD_RATING`, "a perfect 5.0" a 5."""
        claims = []
        record = self.record
        for none in _NO_REVIEWS.finditer(sentence):
            backed = not record.review_count
            why = "" if backed else f"the shop lists {record.review_count} reviews"
            claims.append(ClaimCheck(none.group(0), "reviews", backed, why))
        sentence = _NO_REVIEWS.sub("", sentence)
        liked = record.rating is not None and record.rating >= GOOD_RATING
        for praise in _PRAISE.finditer(sentence):
            enough = liked and record.review_count >= PRAISE_REVIEWS
            why = "" if enough else "the shop's rating and reviews say no such thing"
            claims.append(ClaimCheck(praise.group(0), "reviews", not why, why))
        sentence = _PRAISE.sub("", sentence)
        if record.rating == 5.0:
            sentence = _PERFECT_SCORE.sub("", sentence)  # the rating is then checked as any
        return sentence, claims

    @cached_property
    def _free_things(self) -> frozenset[str]:
        """What the record calls free: the words after a "Free" that opens a phrase ("Free
        Installation", "3 Hours of Free Video History"), never a "Wire Free" system."""
        return frozenset(
            w[:5]  # "installed" of "Installation"
            for m in _FREE_THING.finditer(self.text)
            for w in tokens(m.group(1))
            if w.isalpha() and not _plain(w)
        )

    @cached_property
    def evidence(self) -> Evidence:
        """The record's stems for the judge, made on the first rejection."""
        return Evidence.of(self.text)

    def _fragment(self, sentence: str) -> Iterable[ClaimCheck]:
        subject = _clause_subject(sentence)
        if subject:
            yield ClaimCheck(subject, "fragment", False, "a clause made the subject of a benefit")
        words = [w for w in tokens(sentence) if w.isalpha()]
        if (
            not words
            or (len(words) == 1 and not re.search(r"\d", sentence))
            or re.match(r"^The [^:.]{1,60}:\s", sentence)
        ):
            yield ClaimCheck(sentence, "fragment", False, "not a sentence: a name or a spec alone")

    def _numbers(self, sentence: str) -> Iterable[ClaimCheck]:
        for form in _N_IN_M.findall(sentence):  # a form, not a count: the record's own form
            backed = form.lower() in self.text.lower()
            yield ClaimCheck(form, "product-type", backed, "" if backed else f"no {form}")
        quotes_standing = bool(_STANDING_CUE.search(sentence))
        savings = {_as_float(a or b) for a, b in _SAVING_FIGURE.findall(sentence)}
        for claim in numbers(sentence):
            record = self.numbers
            if claim.unit.startswith("wifi"):
                record = record + self.wifi_generations
            why = _number_backed(claim, record) or self._camera_resolution(claim)
            if why and quotes_standing and self._standing_backs(claim, savings):
                why = None
            yield ClaimCheck(
                claim.text, "binding" if claim.unit else "number", why is None, why or ""
            )

    def _camera_resolution(self, claim: _Number) -> str | None:
        """A "720p display" when the record's 720p is its webcam's: a resolution said of the
        screen that the record gives only to a camera."""
        if claim.unit != "p" or not claim.context & _SCREEN_WORDS or claim.context & _CAMERA_WORDS:
            return None
        same = [n for n in self.numbers if n.unit == "p" and abs(n.value - claim.value) < 1e-9]
        if same and all(n.attribute == "webcam" or n.context & _CAMERA_WORDS for n in same):
            return f"the record's {same[0].text} is its camera's, not the screen's"
        return None

    def _standing_backs(self, claim: _Number, savings: set[float]) -> bool:
        """The shop's figure of this kind states this number: a dollar amount its price range,
        or its saving where the sentence says it is saved (`savings`: "save $200", "$200 off"),
        stars its rating, a bare number its rating or the 5 it is out of, reviewers or
        shoppers its review count. "Save now on this laptop with 128GB" is no review count,
        "a 5-star average" no rating of 4.1, "just $200 with the discount" no price."""
        record = self.record
        if claim.unit == "usd":
            values = [v for v in (record.price, record.price_max) if v]
            if record.discount_amount and record.discount_amount in savings:
                values.append(record.discount_amount)
        elif not claim.unit and claim.following & _REVIEW_UNITS:
            # "ten people have reviewed it": its review count; "4.7 by customers": its rating
            counted = [float(record.review_count)] if record.review_count else []
            values = counted + ([record.rating] if record.rating is not None else [])
        elif claim.unit in _RATING_UNITS:
            rated = claim.unit == "star" or claim.text.lower().endswith(" out")  # "4 out of 5"
            out_of = [] if rated else [5.0]
            values = [record.rating, *out_of] if record.rating is not None else []
        elif claim.unit in _REVIEW_UNITS:
            values = [float(record.review_count)] if record.review_count else []
        else:
            return False
        if claim.bound == "min":  # "more than 4,300 shoppers" of 4,332 reviews
            return any(claim.value <= v <= claim.value * 1.25 for v in values)
        if claim.bound == "max":
            return any(claim.value * 0.8 <= v <= claim.value for v in values)
        if claim.bound == "near":
            return any(claim.value * 0.9 <= v <= claim.value for v in values)
        if claim.bound == "about" and claim.unit in _RATING_UNITS:
            return any(abs(v - claim.value) <= 0.1 for v in values)  # "about 4.5 stars"
        if claim.bound == "about":
            return any(claim.value * 0.95 <= v <= claim.value * 1.05 for v in values)
        return any(abs(v - claim.value) < 1e-9 for v in values)

    def _negations(self, sentence: str) -> Iterable[ClaimCheck]:
        if _NEGATED_BENEFIT.search(sentence):
            yield ClaimCheck(sentence, "negation", False, "a benefit drawn from something absent")
        yield from self._exclusions(sentence)
        yield from self._restrictions(sentence)
        yield from self._denied_features(sentence)
        yield from self._included_products(sentence)
        yield from self._both_of_a_choice(sentence)
        yield from self._fees(sentence)
        yield from self._only_one_of(sentence)
        everything = _ALL_IN_THE_BOX.search(sentence)
        if everything and any(
            (p.dimension == "has" and not p.positive) or (p.dimension == "needs" and p.positive)
            for p in self.polarities
        ):
            why = "the record names something sold separately or required"
            yield ClaimCheck(everything.group(0), "negation", False, why)
        said: list[ClaimCheck] = []
        for claim in self._polarity_claims(sentence):
            # "with its stand included" inside "comes with its stand included": said once
            if not any(claim.text in o.text and claim.supported == o.supported for o in said):
                said.append(claim)
                yield claim

    def _denied_features(self, sentence: str) -> Iterable[ClaimCheck]:
        """A quality denied that the record states: "the remote isn't backlit" of a "Backlit
        Remote", "Not G-SYNC compatible" of "G-SYNC Compatible". The record's own denials
        ("No Tools Required", "Wire-Free") are left to the polarity rules."""
        denials = (_DENIED_QUALITY.finditer(sentence), _DENIED_AFTER.finditer(sentence))
        for match in itertools.chain(*denials):
            word = match.group(1).lower()
            if _plain(word) or word in _GENERIC or word in UNIT_WORDS or len(word) < 3:
                continue
            if _NEED_DENIED.match(sentence, match.end()):
                continue  # "no doorbell wiring is needed": a need denied, not the feature
            # "not a game" of a gift card says what it is, judged by the record's own words
            identity = bool(_NOT_A.match(match.group(0)))
            stated = stem(word) in self.features or (not identity and self._states(word))
            if not stated or any(
                _RECORD_DENIAL.search(line) and (word in line.lower() or words.has(word))
                for line, words in self._line_words
            ):
                continue
            yield ClaimCheck(match.group(0), "negation", False, "the record states it")

    def _states(self, word: str) -> bool:
        """A form of a word the record states as a feature: "backlighting" of a "Backlit
        Remote". Never a word the record only denies or needs, a need itself ("never requires
        a fee"), cables of a wireless product, nor a kind of product ("a gift card, not a
        game": the type rules judge that)."""
        return (
            not (
                stem(word) in self._denied_or_needed
                or stem(word) in TYPE_OF
                or lemmas(word) & {"need", "require"}
                or (stem(word) in _WIRES and self._wireless())
            )
            and self.vocabulary.has(word)
            and len(word) >= 6
            and word[:6] in self._prefixes
        )

    def _restrictions(self, sentence: str) -> Iterable[ClaimCheck]:
        """ "Only with LG TVs" needs a record that restricts it; "several accounts" or "two
        sets" contradicts a record that allows only one ("May Only be Used on a Single
        Account", "Only 1 Set can be Installed")."""
        only = _ONLY_WITH.search(sentence)
        if only and not _RECORD_ONLY.search(self.text):
            yield ClaimCheck(only.group(0), "compatibility", False, "the record restricts nothing")
        ones = {stem(m.group(1)) for m in _ONLY_ONE.finditer(self.text)}
        for match in _MANY.finditer(normalise_numbers(sentence)):
            if stem(match.group(1)) in ones:
                yield ClaimCheck(match.group(0), "negation", False, "the record allows only one")

    def _exclusions(self, sentence: str) -> Iterable[ClaimCheck]:
        """What the record rules out ("not available for brick walls") said of the product
        in a sentence that does not rule it out too."""
        if _DENIED.search(sentence):
            return
        said = {stem(w) for w in tokens(sentence)}
        for objects in self.excluded:
            if objects and objects <= said:
                words = " ".join(sorted(objects))
                yield ClaimCheck(words, "negation", False, f"the record rules out: {words}")

    def _polarity_claims(self, sentence: str) -> Iterable[ClaimCheck]:
        for claim in polarities(sentence):
            words, objects, positive = claim.text, claim.objects, claim.positive
            same = [
                p
                for p in self.polarities
                if p.dimension == claim.dimension and _overlap(p.objects, objects)
            ]
            agreeing = [p for p in same if p.positive == positive]
            # the record says the opposite of this very thing ("kit sold separately") and the
            # same only of a neighbour ("with In-wall Wire Concealment"): the head decides
            opposed = [p for p in same if p.positive != positive and p.head == claim.head]
            if opposed and not any(p.head == claim.head for p in agreeing):
                agreeing = []
            has = claim.dimension == "has"
            if agreeing and has and positive and all(_stand_in(p, claim) for p in agreeing):
                yield ClaimCheck(words, "negation", False, f"the record has: {agreeing[0].text}")
            elif agreeing:
                yield ClaimCheck(words, "negation", True, "the record says the same")
            elif not positive and objects <= _WIRES and self._wireless():
                yield ClaimCheck(words, "negation", True, "the record says wireless")
            elif same:
                yield ClaimCheck(words, "negation", False, f"the record says: {same[0].text}")
            elif not positive and (_types_of(frozenset([claim.head])) & self.types):
                yield ClaimCheck(words, "negation", False, "denies the product itself")
            elif not positive and not has and objects & self.served:
                yield ClaimCheck(words, "negation", False, "the record says it fits or needs it")
            elif not positive and claim.head in self.features:
                yield ClaimCheck(words, "negation", False, "the record lists it with the product")
            elif not positive and not any(self.vocabulary.has(o) for o in objects):
                yield ClaimCheck(words, "negation", False, "the record says nothing of it")
            elif positive and has and self._serves_only(objects):
                yield ClaimCheck(words, "negation", False, "the record names it as what it fits")

    def _wireless(self) -> bool:
        return bool(_WIRELESS.search(self.text))

    def _serves_only(self, objects: frozenset[str]) -> bool:
        """The object is a kind of product the record fits or needs, not one it is."""
        kinds = _types_of(objects)
        return bool(kinds) and not kinds & self.types and bool(_types_of(self.served) & kinds)

    def _types(self, sentence: str) -> Iterable[ClaimCheck]:
        for words, group in asserted_types(sentence):
            subject = tokens(sentence[: sentence.find(words)])
            parts = [w for w in subject if w in _ATTRIBUTE_OF or w in _PART_OF]
            if words.lower().startswith("is ") and parts and stem(parts[-1]) not in TYPE_OF:
                continue  # "Storage is a 1TB SSD": a part is typed, not the product
            if group in self.types or not self.types:
                yield ClaimCheck(words, "product-type", True)
            else:
                kinds = " or ".join(sorted(self.types))
                yield ClaimCheck(words, "product-type", False, f"the record makes it a {kinds}")
        named = named_type(sentence)
        if named and not self._is_named(*named):
            kinds = " or ".join(sorted(self.types))
            yield ClaimCheck(named[0], "product-type", False, f"the record makes it a {kinds}")

    def _is_named(self, words: str, group: str) -> bool:
        """A sentence that only names a product ("A 90-inch TV.") names this one: a security
        system only by its title's own words; a bundle by anything it bundles; otherwise by
        the product's type, its category's where the title named a part, or the title's own
        words for it ("A smart laser TV." of a "Smart Laser TV Projector")."""
        if group == "system":  # named_type's systems are security systems
            return bool(_SECURITY_SYSTEM.search(self.record.title))
        if not self.types or group in self.types | self._type_by_category():
            return True
        named = tokens(words)
        if "system" in self.types and self.vocabulary.has(named[-1]):
            return True  # "A console." of a PS5 bundle
        if named[-1] in self.vocabulary.squashed and named[-1] not in self.vocabulary.words:
            return True  # "A soundbar." of a "Sound Bar"
        pair = " ".join(named[-2:])
        return len(named) >= 2 and not named[-2][0].isdigit() and pair in self.title_words

    def _type_by_category(self) -> frozenset[str]:
        """The category's type where the title named only a part: "A Mac mini desktop." of
        "Mac mini – … – 256GB SSD", a desktop and no drive."""
        if self.types - _PART_TYPES:
            return frozenset()
        return product_types("", self.record.category)

    @cached_property
    def _backs_in_own_words(self) -> tuple[bool, ...]:
        """Which durability ratings and promises the record states: read once per record."""
        return tuple(bool(backing.search(self.text)) for _, _, backing, _ in _NEEDS_RECORD_WORDS)

    def _in_own_words(self, sentence: str) -> Iterable[ClaimCheck]:
        """A rating or a promise stands only on the record's own words for it."""
        for (rule, said, _, why), backed in zip(
            _NEEDS_RECORD_WORDS, self._backs_in_own_words, strict=True
        ):
            match = said.search(sentence)
            if match:
                yield ClaimCheck(match.group(0), rule, backed, "" if backed else why)

    def _words(self, sentence: str) -> Iterable[ClaimCheck]:
        """Each word that makes a claim the record does not have, named by its class."""
        verbs = framing_verbs(sentence)
        # a figure the record backs is a fact a setting phrase may frame
        figures = numbers(sentence)
        core = any(n.unit and _number_backed(n, self.numbers) is None for n in figures)
        setting, scene = _setting(sentence), []
        # "designed for small businesses": what it is made for is the claim, not a setting
        purpose = bool(setting) and bool(_MADE_FOR.search(sentence))
        joined = {
            part
            for m in _HYPHENED.finditer(sentence)
            if re.sub(r"[^a-z0-9]", "", m.group(0).lower()) in self.vocabulary.squashed
            for part in tokens(m.group(0))
        }
        bounds = {w for m in _BOUND_PHRASE.finditer(sentence) for w in tokens(m.group(0))}
        bounds |= {"standard"} if _COMES_STANDARD.search(sentence) else set()
        bounds |= {w.lower() for w in _DOUBLES_AS.findall(sentence)}
        bounds |= {w for m in _IDIOM.finditer(sentence) for w in tokens(m.group(0))}
        if self._charges_wirelessly:  # "charges wirelessly" of a MagSafe case
            bounds |= {w for m in _WIRELESS_CHARGE.finditer(sentence) for w in tokens(m.group(0))}
        if self._unlocks:  # "Touch ID unlocks it", "a voucher unlocks"
            bounds |= {"unlock", "unlocks", "unlocked", "unlocking"}
        spelled = self._spelled_out(sentence)
        charge = {w for m in _ON_A_CHARGE.finditer(sentence) for w in tokens(m.group(0))}
        ruled_out = {m.group(1).lower() for m in _RULED_OUT.finditer(sentence)}
        yours = self._shoppers_own(sentence)
        found = tokens(sentence)
        per = {found[i + 1] for i, w in enumerate(found[:-1]) if w == "per"}
        parts_counted = {w for n in figures if n.unit in _PART_UNITS for w in _PART_UNITS[n.unit]}
        # the "s" of a name's possessive after a figure ("the IdeaPad 5's webcam") says nothing
        for word in dict.fromkeys(w for w in found if (w[0].isalpha() and w != "s") or w[0] == "#"):
            if word in bounds:
                continue  # "at least 2GB", "iOS 15 or newer": the bound of a figure
            rule = _word_rule(word)
            counted = word in UNIT_WORDS and (word not in _PART_WORDS or word in parts_counted)
            if (_plain(word) or counted) and rule is None:
                continue  # a unit is judged with its figure; "built-in speakers" has none
            if rule is None and (word in verbs or word in NUMBER_WORDS or _manner(word)):
                continue  # a verb that frames; a number word is judged as its number
            if rule == "free" and not _FREE.search(sentence):
                continue  # "Hands-free", "Wire-Free": no offer
            if rule == "superlative" and _TOP_UP.search(sentence):
                continue  # "Top up the battery": a verb
            if rule == "superlative" and word == "top" and _TOP_PLACE.search(sentence):
                rule = None  # "on top of the TV": a place, judged as any word
            if rule == "free":
                backed = bool(_FREE.search(self.text) or _AT_NO_COST.search(self.text))
            elif rule == "superlative":
                # a rank needs the record's own word ("desktop" holds no "top"), or one that
                # ranks alike ("ideal for 4K streaming" of "Perfect for 4K/8K HD Streaming")
                backed = (
                    self._ranked_alike(word, sentence)
                    if word[0] != "#"
                    else word in self.text.lower()
                )
            elif rule == "audience":
                backed = self._audience(word) or self._clipped_before(word, sentence)
            elif rule == "weight" and word.startswith("weigh"):
                backed = any(n.unit in _TO_KG for n in self.numbers)
            elif rule == "weight":
                backed = self._light() or self._says_light(word)
            elif stem(word) in TYPE_OF and TYPE_OF[stem(word)] in self.types:
                backed = stem(word) not in FORMS or self._names_form(word)
            elif lemmas(word) & {d for t in self.types for d in _DOES.get(t, ())}:
                backed = True  # a camera records, headphones let you hear
            elif word in yours:
                backed = True  # "Bluetooth 5.0 pairs your wireless headset": the shopper's
            elif word in ("favorite", "favourite") and _YOUR_FAVORITE.search(sentence):
                backed = True  # "your favorite shows": the shopper's, no praise
            elif word in _ON_THE_SCALE and any(n.unit in _TO_KG for n in figures):
                backed = True  # "tips the scales at 2.58 lb": a weight the figure states
            elif word in _DUST and _DUST_RATED.search(self.text):
                backed = True  # "IP67-rated against water and dust": the rating's first digit
            elif word in per and word in _PER_UNITS:
                backed = True  # "25 frames per second": a rate's unit
            elif word in _SLIM_WORDS and _SLIM.search(self.text):
                backed = True  # "a low profile" of a "Slim Design"
            elif word in joined:
                backed = True  # "USB-C" of the record's "USBC"
            elif word in spelled:
                backed = True  # "active noise cancellation" of the record's "ANC"
            elif word in _DIMENSIONS and _AFTER_LENGTH.search(sentence):
                continue  # "0.49 inches thick": the figure is the claim
            elif word in _PART_OF and _PART_OF[word] & self.types:
                backed = True  # a laptop has a display
            elif "fold" in lemmas(word) and {"laptop", "tablet"} <= self.types:
                backed = True  # a 2-in-1 folds into a tablet
            elif (
                word in _ATTRIBUTE_OF
                and word not in _NAMED_PARTS
                and _ATTRIBUTE_OF[word] in self.attributes
            ):
                backed = True  # "graphics" memory of a GeForce (never a GeForce of "Graphics")
            elif word in ("pixel", "pixels") and any(n.unit == "px" for n in self.numbers):
                backed = True
            elif _MEASURE_OF.get(stem(word), set()) & {n.unit for n in self.numbers}:
                backed = True  # "speeds of up to 19 Gbps": what the record's unit measures
            elif word in charge and any(n.unit in _TIME_UNITS for n in self.numbers):
                backed = True  # "15.5 hours on a charge": a run time the record gives
            elif stem(word) in _WIRES and self._wireless() and _DENIED.search(sentence):
                backed = True  # "connects without wires": what wireless says
            elif (
                word in ruled_out
                and any(w in self.vocabulary.words for w in _EXCLUDED_BY.get(word, ()))
                and not any(w in self.vocabulary.words for w in _NOT_EXCLUDED_IF.get(word, ()))
            ):
                backed = True  # "not an OLED" of an LED LCD TV
            elif MAKER_OF.get(stem(word)) in self.served:
                backed = True  # "Compatible With Apple" and your iPhone
            else:
                backed = self.vocabulary.has(word) if word[0] != "#" else word in self.text.lower()
            if rule is None and not backed and word in setting:
                scene.append(word)  # "for your workouts": judged once the rest is known
                continue
            core = core or (rule is None and backed and word not in setting)
            if rule or not backed:
                yield ClaimCheck(
                    word, rule or "unbacked-word", backed, "" if backed else "not in the record"
                )
        for word in scene:
            # the place, time or activity a sentence ends on frames a fact the record backs;
            # with nothing backed it is the claim
            backed = core and not purpose
            yield ClaimCheck(word, "setting", backed, "" if backed else "not in the record")
        yield from self._per_charge(sentence)
        yield from self._compounds(sentence)
        yield from self._models(sentence)
        sale = _SALE.search(sentence)
        if sale and not self.record.discount_amount:
            yield ClaimCheck(sale.group(0), "saving", False, "the shop gives no saving")
        fast_charge = _FAST_CHARGE.search(sentence)
        if fast_charge:
            backed = bool(_FAST_CHARGE.search(self.text))
            yield ClaimCheck(
                fast_charge.group(0), "battery", backed, "" if backed else "no fast charging"
            )
        wireless_charge = _WIRELESS_CHARGE.search(sentence)
        if wireless_charge:
            backed = self._charges_wirelessly
            yield ClaimCheck(
                wireless_charge.group(0),
                "battery",
                backed,
                "" if backed else "no wireless charging",
            )
        for_good = _FREE_FOR_GOOD.search(sentence)
        if for_good:
            backed = self._free_for_good
            yield ClaimCheck(
                for_good.group(0), "free", backed, "" if backed else "the record limits it"
            )
        light = _LIGHT_WEIGHT.search(sentence)
        if light:
            yield ClaimCheck(
                light.group(0), "weight", self._light(), "" if self._light() else "no weight"
            )
        all_round = _ALL_ROUND.search(sentence)
        if all_round and not _RECORD_ALL_ROUND.search(self.text):
            yield ClaimCheck(all_round.group(0), "universal", False, "the record names directions")
        yield from self._opposites(sentence)
        yield from self._editions(sentence)
        yield from self._cable_ends(sentence)
        universal = _UNIVERSAL.search(sentence)
        if universal and not _RECORD_UNIVERSAL.search(self.text):
            yield ClaimCheck(
                universal.group(0), "compatibility", False, "the record names models, not all"
            )

    @cached_property
    def _windows_editions(self) -> frozenset[str]:
        return frozenset(_EDITION_OF[e.lower()] for e in _WINDOWS_EDITION.findall(self.text))

    def _editions(self, sentence: str) -> Iterable[ClaimCheck]:
        """ "Windows 11 Home" of a PC that ships with Windows 11 Professional."""
        for match in _WINDOWS_EDITION.finditer(sentence):
            theirs = self._windows_editions
            if theirs and _EDITION_OF[match.group(1).lower()] not in theirs:
                yield ClaimCheck(
                    match.group(0), "binding", False, "the record names another edition"
                )

    def _opposites(self, sentence: str) -> Iterable[ClaimCheck]:
        """A modifier whose opposite the record gives the same noun: "a wireless karaoke mic"
        when the record says "Wired Karaoke Mic"; a shape the record's rules out ("a flat
        display" of a "Curved Gaming Monitor")."""
        text = self.text.lower()
        for match in _EXCLUSIVE_WORD.finditer(sentence):
            word = match.group(1).lower()
            theirs = [w for w in _EXCLUSIVE[word] if re.search(rf"\b{w}\b", text)]
            if theirs and not re.search(rf"\b{word}\b", text):
                yield ClaimCheck(word, "binding", False, f"the record says {theirs[0]}")
        for match in _OPPOSED.finditer(sentence):
            modifier, noun = match.group(1).lower(), match.group(2).lower()
            for words in (noun, noun.split()[0]):
                if words in PLAIN_WORDS:
                    continue
                theirs = re.search(rf"\b{_OPPOSITES[modifier]}\s{re.escape(words)}\b", text)
                ours = re.search(rf"\b{modifier}\s{re.escape(words)}\b", text)
                if theirs and not ours:
                    yield ClaimCheck(
                        match.group(0), "binding", False, f"the record says {theirs.group(0)}"
                    )
                    break

    def _cable_ends(self, sentence: str) -> Iterable[ClaimCheck]:
        """A cable is named by its two ends, and the record's has other ends."""
        theirs = {(a.lower(), b.lower()) for a, b in _CABLE_ENDS.findall(self.text)}
        for match in _CABLE_ENDS.finditer(sentence):
            ends = (match.group(1).lower(), match.group(2).lower())
            if theirs and ends not in theirs and ends[::-1] not in theirs:
                yield ClaimCheck(
                    match.group(0), "binding", False, "the record's cable has other ends"
                )

    def _modifiers(self, sentence: str) -> Iterable[ClaimCheck]:
        """An adjective the record gives another thing: "backlit keyboard" when the record's
        backlit is its display ("LED-Backlit FHD Display") and its keyboard is "Chiclet".
        Both words must be the record's own (not a synonym or a form of one), the first an
        adjective, the second a noun, neither a name."""
        matches = list(_PAIR_WORD.finditer(sentence))
        found = [m.group(0) for m in matches]
        verbs = framing_verbs(sentence)
        for first, second in itertools.pairwise(matches):
            raw_modifier, raw_head = first.group(0), second.group(0)
            modifier, head = raw_modifier.lower(), raw_head.lower()
            if sentence[first.end() : second.start()].strip():
                continue  # "multiplayer, exclusive discounts": a comma parts them
            if raw_head[0].isupper() or (raw_modifier[0].isupper() and found[0] != raw_modifier):
                continue
            if not (_content(modifier, verbs) and _content(head, verbs)):
                continue
            if _word_rule(modifier) or stem(modifier) in TYPE_OF:
                continue
            modifier_classes, head_classes = parts_of_speech(modifier), parts_of_speech(head)
            if "ADJ" not in modifier_classes and modifier_classes:
                continue
            if "NOUN" not in head_classes:
                continue
            if not (self._literal(modifier) and self._literal(head)):
                continue
            if TYPE_OF.get(stem(head)) in self.types:
                continue  # "the weatherproof cameras" of a camera kit: the product itself
            if head == "price" and {modifier, head} <= self.figure_words:
                continue  # "the regular price": how the shop's own saving is said
            if not any(line.has(modifier) and line.has(head) for line in self.lines):
                yield ClaimCheck(
                    f"{modifier} {head}",
                    "binding",
                    False,
                    f"the record's {modifier} is not its {head}",
                )

    def _compounds(self, sentence: str) -> Iterable[ClaimCheck]:
        """A hyphenated compound names one thing: "per-key RGB" is not the record's "4 Zone
        RGB" because "key" is elsewhere in it. Its words must stand together in the record."""
        for match in _COMPOUND.finditer(sentence):
            parts = match.group(0).lower().split("-")
            if all(_plain(part) or part in NUMBER_WORDS for part in parts):
                continue
            if parts_of_speech(parts[-1]) in (frozenset(), frozenset({"VERB"})):
                continue  # "gimbal-stabilized", "LED-backlit": a participle, judged as a word
            if self._joined(parts):
                continue
            if all(self.vocabulary.has(part) or _plain(part) for part in parts):
                yield ClaimCheck(
                    match.group(0), "binding", False, "the record does not join these words"
                )

    def _models(self, sentence: str) -> Iterable[ClaimCheck]:
        """A model code names one thing: "the A17 chip" is not the record's "A15 Bionic Chip",
        an "Xbox Series X" not its "Xbox Series S"."""
        squashed = self.vocabulary.squashed
        for match in _MODEL_CODE.finditer(sentence):
            code = match.group(0).lower()
            if re.sub(r"[^a-z0-9\u03b1-\u03c9]", "", code) not in squashed:
                yield ClaimCheck(match.group(0), "model", False, "the record names no such model")
        for match in _NAMED_MODEL.finditer(sentence):
            name, code = match.group(1), match.group(2).lower()
            theirs = {
                m.group(2).lower()
                for m in _NAMED_MODEL.finditer(self.text)
                if m.group(1).lower() == name.lower()
            }
            if theirs and code not in theirs and not self._same_code(code, theirs, sentence, match):
                yield ClaimCheck(match.group(0), "model", False, "the record names another model")

    def _same_code(self, code: str, theirs: set[str], sentence: str, match: re.Match[str]) -> bool:
        """The record's code written apart ("RTX 4060 Ti" for "RTX 4060Ti"), or the code
        itself elsewhere in the record ("Hisense 120\" - L5G Series")."""
        if any(re.sub(r"\.0+$", "", t) == re.sub(r"\.0+$", "", code) for t in theirs):
            return True  # "Android 10" is "Android 10.0"
        following = re.sub(r"[^a-z0-9]", "", sentence[match.end() : match.end() + 8].lower())
        if any(t.startswith(code) and following.startswith(t[len(code) :]) for t in theirs):
            return True
        return (
            len(code) >= 3
            and bool(re.search(r"\d", code))
            and bool(re.search(rf"(?<![a-z0-9]){re.escape(code)}(?![a-z0-9])", self.text.lower()))
        )

    def _joined(self, parts: list[str]) -> bool:
        """The record has these words side by side, in any form: "Shock-resistance" for
        "shock-resistant", "2-Way" or "Two Way" for "two-way"."""
        pieces = [
            f"(?:{re.escape(part[:5])}|{NUMBER_WORDS[part]})"
            if part in NUMBER_WORDS
            else re.escape(part[:5])
            for part in parts
        ]
        pattern = r"\b" + r"[a-z]{0,12}[\s-]?".join(pieces)
        return re.search(pattern, self.text, re.IGNORECASE) is not None

    def _literal(self, word: str) -> bool:
        """The record has this very word, in some inflection."""
        words = self.vocabulary.words
        return word in words or any(lemma in self.vocabulary.lemmas for lemma in lemmas(word))

    def _both_of_a_choice(self, sentence: str) -> Iterable[ClaimCheck]:
        """Both sides of the record's choice: "Includes $60 Apple Gift Card or $60 SiriusXM
        Gift Card" gives one, never "both a gift card and SiriusXM"."""
        if _CHOICE_KEPT.search(sentence) or not _BOTH.search(sentence):
            return
        said = {stem(word) for word in tokens(sentence)}
        for left, right in self._choices:
            if left & said and right & said:
                yield ClaimCheck(sentence, "negation", False, "the record offers one or the other")
                return

    @cached_property
    def _choices(self) -> list[tuple[frozenset[str], frozenset[str]]]:
        """The words only one side of each record line's "A or B" has."""
        found = []
        for line in self.record_lines:
            if not _OR.search(line):
                continue
            first, second = _OR.split(line, maxsplit=1)
            left, right = _stems(first), _stems(second)
            if left - right and right - left:
                found.append((left - right, right - left))
        return found

    def _shoppers_own(self, sentence: str) -> set[str]:
        """What a sentence that names the record's own link (Bluetooth, Wi-Fi, USB,
        Thunderbolt, G-SYNC) says it connects: the shopper's things ("your wireless mouse",
        "accessories", "wireless connections", "PC gaming with NVIDIA graphics"), not the
        product's."""
        links = {m.group(0).lower().replace("-", "") for m in _LINK.finditer(sentence)}
        if not links & {m.group(0).lower().replace("-", "") for m in _LINK.finditer(self.text)}:
            return set()
        found = tokens(sentence)
        own = {w for w in found if w in _CONNECTED}
        for i, word in enumerate(found):
            if word == "your":
                after = itertools.takewhile(lambda t: t not in _NOT_NAMING, found[i + 1 : i + 6])
                own.update(t for t in after if t in _SHOPPERS_THINGS or stem(t) in _SHOPPERS_THINGS)
            if word in ("wireless", "wirelessly") and (
                i + 1 == len(found) or found[i + 1] in _CONNECTED or word == "wirelessly"
            ):
                own.add(word)
        if links & {"gsync", "freesync"}:
            own.update(("pc", "graphics", "card", "cards", "gpu", "gpus"))
        return own

    def _fees(self, sentence: str) -> Iterable[ClaimCheck]:
        """A cost the record rules out: "requires a paid plan" of "No Monthly Fees" or a "Free
        Premium App". A record that names a cost of its own ("Subscription Required") leaves
        the sentence to the other rules."""
        cost = _COST_CLAIM.search(sentence)
        if not cost or _FEE_DENIED.search(sentence):
            return
        if not (_RECORD_NO_FEES.search(self.text) or _FREE.search(self.text)):
            return
        text = self.text
        for match in _COST_CLAIM.finditer(text):
            if not _FEE_DENIED.search(text, max(0, match.start() - 30), match.end()):
                return
        yield ClaimCheck(cost.group(0), "negation", False, "the record says it costs nothing")

    def _only_one_of(self, sentence: str) -> Iterable[ClaimCheck]:
        """One of two the record pairs, said to be the only one: "Android phones only" of an
        "Android and iOS Compatible" drone."""
        found = tokens(sentence)
        if "only" not in found or _NOT_ONLY.search(sentence):
            return
        near = {
            stem(found[j])
            for i in _places(found, {"only"})
            for j in range(max(0, i - 3), min(len(found), i + 4))
        }
        said = {stem(w) for w in found}
        for match in _PAIRED.finditer(self.text):
            one, other = stem(match.group(1).lower()), stem(match.group(2).lower())
            for ours, theirs in ((one, other), (other, one)):
                if ours in near and theirs not in said and not _plain(ours):
                    yield ClaimCheck(
                        f"only {ours}", "negation", False, f"the record says {match.group(0)}"
                    )
                    return

    def _included_products(self, sentence: str) -> Iterable[ClaimCheck]:
        """A product said to be in the box that the record never names: "a gaming monitor
        is included" of a desktop ("monitor" is otherwise plain copy: "an external monitor");
        an accessory in the box needs the record's own word for it ("an HDMI cable is
        included" of a monitor with an HDMI port)."""
        if _INCLUDED.search(sentence):
            for word in dict.fromkeys(tokens(sentence)):
                group = TYPE_OF.get(stem(word))
                if group in _DEVICES and group not in self.types and not self.vocabulary.has(word):
                    yield ClaimCheck(word, "product-type", False, f"the record includes no {word}")
        for clause in _CLAUSE.split(sentence):
            if _DENIED.search(clause) or "n't" in clause:
                continue
            # every word of an "is included" clause; only what "packs" takes ("packs a wall
            # mount"), never "packs an RTX 4070 with a 144Hz panel"
            words = tokens(clause) if _INCLUDED.search(clause) else []
            words += [w for m in _PACKED.finditer(clause) for w in tokens(m.group(1))]
            for word in dict.fromkeys(words):
                if stem(word) in _ACCESSORIES and stem(word) not in self._own_stems:
                    yield ClaimCheck(word, "negation", False, f"the record includes no {word}")

    def _names_form(self, word: str) -> bool:
        """Earbuds need the record's own earbuds, not a category "Headphones & Earbuds"."""
        own = self._own_stems
        return stem(word) in own or any(
            stem(other) in own
            if " " not in other
            else other.replace(" ", "") in self.vocabulary.squashed  # "True Wireless"
            for other in synonyms_of(word, stem(word))
        )

    @cached_property
    def _own_stems(self) -> frozenset[str]:
        """The stems of the record's own words: title, bullets and attributes, no category."""
        return frozenset(stem(word) for word in tokens(self.text))

    def _ranked_alike(self, word: str, sentence: str) -> bool:
        """The record's own ranking word; where copy ranks the product itself ("the ultimate
        65-inch TV") the record must too: its "Ultimate UHD Dimming" ranks a feature."""
        alike = {w for w in (word, *_RANKS_ALIKE.get(word, ())) if self._literal(w)}
        if not alike or not _ranks_a_product(sentence, {word}):
            return bool(alike)
        fits = "for" in _words_after(self.text, alike) and "for" in tokens(sentence)
        return fits or _ranks_a_product(self.text, alike)  # "Ideal for Spreadsheets" fits

    def _audience(self, word: str) -> bool:
        """Stricter than word forms: "games" in a bullet does not make a product for gamers."""
        singular = word.removesuffix("s")
        related = {"gamer": ("gamer", "gaming"), "children": ("child", "children")}
        forms = related.get(singular, related.get(word, (singular,)))
        return any(
            form in self.vocabulary.words or f"{form}s" in self.vocabulary.words for form in forms
        )

    def _per_charge(self, sentence: str) -> Iterable[ClaimCheck]:
        """A run time said per charge that the record gives only with the case or as a total:
        "27 hours on a single charge" of "27-hour Charging Case"."""
        if not _ON_A_CHARGE.search(sentence):
            return
        for claim in numbers(sentence):
            same = [
                n
                for n in self.numbers
                if n.unit in _TIME_UNITS and n.unit == claim.unit and n.value == claim.value
            ]
            if same and all((n.following or n.counted) & _WITH_CASE for n in same):
                yield ClaimCheck(
                    claim.text, "binding", False, "the record's figure is with the case"
                )

    def _spelled_out(self, sentence: str) -> set[str]:
        """The words of a run whose initials spell one of the record's acronyms: "active
        noise cancellation" is the record's "ANC"."""
        words = re.findall(r"[A-Za-z]{3,40}", sentence)
        found: set[str] = set()
        for acronym in self.acronyms:
            size = len(acronym)
            for start in range(len(words) - size + 1):
                run = words[start : start + size]
                if "".join(w[0] for w in run).lower() == acronym:
                    found |= {w.lower() for w in run}
        return found

    def _clipped_before(self, word: str, sentence: str) -> bool:
        """The record's clipped form before the same noun: "Pro Installation" for
        "professional installation" (an installation, not an audience)."""
        after = re.search(rf"\b{re.escape(word)}\s([a-z]{{3,40}})", sentence, re.I)
        if not after:
            return False
        noun = re.escape(after.group(1)[:5])
        return any(
            re.search(rf"\b{re.escape(short)}\s{noun}", self.text, re.I)
            for short in SYNONYMS.get(word, ())
        )

    @cached_property
    def _charges_wirelessly(self) -> bool:
        return bool(_WIRELESS_CHARGE.search(self.text))

    @cached_property
    def _unlocks(self) -> bool:
        return bool(_UNLOCKS_WITH.search(self.text))

    @cached_property
    def _free_for_good(self) -> bool:
        return bool(_RECORD_FOR_GOOD.search(self.text))

    @cached_property
    def _says_lightweight(self) -> bool:
        return bool(_LIGHT_WEIGHT.search(self.text) or _LIGHTWEIGHT.search(self.text))

    def _says_light(self, word: str) -> bool:
        """The record's own "lightweight" (or "ultralight"): not "light" inside "Backlight"."""
        return word in self.vocabulary.words or (word == "lightweight" and self._says_lightweight)

    def _light(self) -> bool:
        weights = [n.value * _TO_KG[n.unit] for n in self.numbers if n.unit in _TO_KG]
        return bool(weights) and min(weights) <= _LIGHT_KG


def _overlap(record: frozenset[str], claim: frozenset[str]) -> bool:
    """Shared objects, a compound's head among them: the record's "iPhone" is a phone."""
    return bool(record & claim) or any(
        r.endswith(c) and len(c) >= 4 and r != c for r in record for c in claim
    )


def _stand_in(record: Polarity, claim: Polarity) -> bool:
    """The record includes a voucher or a service for the thing the claim says is included."""
    return (
        record.head in _STAND_INS
        and record.head not in claim.objects
        and bool(_INCLUSION.search(record.text))
        and bool(_INCLUSION.search(claim.text))
    )


# a noun naming what a unit measures: the record's "19 Gbps" is a speed, "2160Wh" a capacity
_MEASURE_OF = {
    stem("speed"): {"gbps", "mbps", "ghz"},
    stem("capacity"): {"mah", "wh"},
    stem("brightness"): {"nits", "lumen"},
    stem("output"): {"w"},
}
_WITH_CASE = frozenset(stem(w) for w in ("case", "total", "combined"))
# a run time said per charge: "up to 15.5 hours on a charge"
_ON_A_CHARGE = re.compile(r"\b(?:on|from|per)\s(?:a|one)\s(?:single\s|full\s)?charge\b", re.I)
# "doubles as a charger": the verb frames; what follows "as" is the claim
_DOUBLES_AS = re.compile(r"\b(doubles?|doubling)\sas\b", re.I)
# "come standard" says included, which the inclusion rule judges
_COMES_STANDARD = re.compile(r"\b(?:comes?|ships?)\sstandard\b", re.I)
_RANKS_ALIKE = {"ideal": ("perfect",), "perfect": ("ideal",)}
# "not an OLED", "rather than wireless": an alternative ruled out, backed where the record
# names what rules it out (an LED LCD is no OLED; a wired set is not wireless)
_RULED_OUT = re.compile(
    r"(?<![\w-])(?:not|rather\sthan|unlike|instead\sof|isn't|isn’t|is\snot)\s(?:an?\s)?"
    r"([A-Za-z][\w-]{1,30})",
    re.I,
)
_EXCLUDED_BY = {
    "oled": ("lcd", "led", "qled", "nanocell"),
    "wireless": ("wired",),
    "integrated": ("geforce", "rtx", "discrete", "dedicated"),  # a Radeon may be integrated
}
# ... unless the record also names the alternative: a "Wired" camera on Wi-Fi is wireless too
_NOT_EXCLUDED_IF = {"wireless": ("wi", "wifi", "wireless", "bluetooth")}
# an acronym of three to five capitals, not a word of its own ("ANC", "HDR", not "USB-C"'s C)
_ACRONYM = re.compile(r"(?<![\w-])[A-Z]{3,5}(?![\w])")
# the bound of a figure: "at least 2GB of RAM", "Android 10 or later", "iOS 15 or newer"
_BOUND_PHRASE = re.compile(
    r"\bat\sleast\b|\bor\s(?:newer|later|higher|above|more|greater)\b|"
    r"\bas\s(?:long|much|many|far)\sas(?=\s\d)",
    re.I,
)


# the phrase a sentence ends on that says where, when or for what: "… for your workouts.",
# "… into a small bag.", "… under load."
_SETTING_PHRASE = re.compile(
    rf"(?<![\w-])(?:for|during)\s"
    rf"((?:{_WORD}\s){{0,3}}{_WORD})\s{{0,3}}[.!?]?\s{{0,3}}$",
    re.I,
)


# a maker's aim: "designed this system for small businesses", "It's made for large home
# theaters"
_MADE_FOR = re.compile(
    r"\b(?:designed|made|built|meant|intended|engineered|tailored|aimed|created|geared|crafted)"
    r"(?!\s(?:in|into)\b)"
    rf"\s(?:(?:{_WORD})\s){{0,3}}?(?:for|with)\s(?:{_WORD}\s){{0,3}}{_WORD}\s{{0,3}}[.!?]?\s{{0,3}}$",
    re.I,
)


# what a plan covers or a rating is for is the claim itself: "Coverage for theft", "rated for
# diving"
_COVERED = re.compile(
    r"(?<![\w-])(?:cover\w{0,4}|protect\w{0,6}|rated|rating|resist\w{0,5}|[a-z]{0,12}proof|"
    r"warrant\w{0,3}|guarant\w{0,4}|insur\w{0,5}|plans?|repairs?|damage\w{0,2}|safe\w{0,3})"
    r"(?![\w-])",
    re.I,
)
# "for pet owners", "for photographers": people are an audience, never a setting
_AGENT_ENDINGS = ("er", "ers", "or", "ors", "ist", "ists", "ian", "ians", "ent", "ents")


def _setting(sentence: str) -> set[str]:
    """The everyday words of the setting phrase a sentence ends on: not a product type, a
    part, an attribute, a name, a number, nor a word with a rule or listed synonyms (those
    are claims wherever they stand: "outdoor", "kids")."""
    match = _SETTING_PHRASE.search(sentence)
    if not match or _COVERED.search(sentence):
        return set()
    return {
        raw.lower()
        for raw in re.findall(r"[A-Za-z]{2,40}", match.group(1))
        if raw.islower()
        and raw not in SYNONYMS
        and stem(raw) not in TYPE_OF
        and raw not in _ATTRIBUTE_OF
        and raw not in _PART_OF
        and _word_rule(raw) is None
        and not (raw.endswith(_AGENT_ENDINGS) and parts_of_speech(raw) == {"NOUN"})
        and parts_of_speech(raw) & {"NOUN", "ADJ", "VERB"}
    }


def _manner(word: str) -> bool:
    """An adverb of manner ("quietly", "comfortably") says how, not what: framing."""
    return word.endswith("ly") and parts_of_speech(word) == {"ADV"}


# "A15", "M2", "i7", "S23", "HDR10"; "13900KF", "7730U" (a unit such as "4K" or "165Hz" is
# judged as a number)
_MODEL_CODE = re.compile(
    r"(?<![\w-])(?:[A-Za-z\u03b1-\u03c9]{1,3}\d{1,5}[A-Za-z]{0,3}|\d{3,5}(?!(?i:hz|gb|tb|mb|mah|wh|mm|nits))"
    r"[A-Za-z]{1,3})(?![\w-])",
)
# a capitalised name and the code after it: "Series X", "Series 9", "Ryzen 7", "Galaxy S23"
_NAMED_MODEL = re.compile(
    r"(?<![\w-])(?!(?:Over|Under|Up|To|About|Around|Nearly|Almost|Than|Only|Just|With|And|Or)\s)"
    r"((?:[A-Z]|i[A-Z])[A-Za-z]{1,20})\s([A-Z]{1,2}\d{0,4}|[A-Za-z]?\d{1,4}(?:\.\d{1,2})?[A-Za-z]{0,2})"
    r"(?![\w-]|\.\d)"
)
_COMPOUND = re.compile(r"(?<![\w-])[A-Za-z]{2,20}(?:-[A-Za-z]{2,20}){1,3}(?![\w-])")
# a word of a modifier-noun pair: letters only, no hyphen on either side ("all-day" is one)
_PAIR_WORD = re.compile(r"(?<![\w-])[A-Za-z]{2,40}(?![\w-])")


def _content(word: str, verbs: set[str]) -> bool:
    return not (
        _plain(word) or word in verbs or word in NUMBER_WORDS or word in UNIT_WORDS or _manner(word)
    )


def _plain(word: str) -> bool:
    """Plain copy in any of its forms ("monitors" as "monitor"); an evaluative adjective, and
    the comparative of a plain or evaluative one ("easier", "sharper"), says no more."""
    if word in EVALUATIVE_WORDS:
        return True
    base = comparative_base(word)
    if base and (base in PLAIN_WORDS or base in EVALUATIVE_WORDS):
        return True
    return word in PLAIN_WORDS or any(lemma in PLAIN_WORDS for lemma in lemmas(word))


def _types_of(objects: frozenset[str]) -> frozenset[str]:
    return frozenset(TYPE_OF[o] for o in objects if o in TYPE_OF)


def _word_rule(word: str) -> str | None:
    if word in SUPERLATIVES:
        return "superlative"
    if word in AUDIENCES:
        return "audience"
    if word in HEALTH:
        return "health"
    if word == "free":
        return "free"
    if word in ("lightweight", "ultralight", "featherweight", "weighs", "weighing"):
        return "weight"
    return None


def check_copy(text: str, record: ProductRecord) -> CopyReport:
    """Every sentence of `text` with its claims, judged against `record`."""
    return CopyChecker(record).check(text)
