"""Every compiled regular expression in `nlu/`, `writer/`, `actions/`, `connectors/` and `bot/`
(the log masks, request ids included), fuzzed with long adversarial inputs built from each
pattern's own pieces (issue 17, "Hostile input").

The issue's bar is "more than 10 ms on a 2,000-character adversarial input is a bug". Tests here
assert no wall-clock budget, so each pattern is read at 2,000 and at 20,000 characters and the
longer reading must cost about ten times the shorter, not a hundred: a pattern that backtracks
super-linearly shows up as growth, whatever the machine's speed. The slowest patterns are
printed as a table (`pytest -s` not needed).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import re._parser as sre_parse
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, NamedTuple

import pytest

import actions
import bot
import connectors
import nlu
import writer
from nlu.lookups import CatalogLookups

SHORT, LONG = 2_000, 20_000
# a linear pattern costs 10x on a 10x longer input; a quadratic one 100x. The margin covers
# timer noise on a shared machine and n-log-n work; the slack covers readings too short to time.
GROWTH, SLACK_S, RUNS = 25.0, 0.005, 3
# inputs screened at SHORT per pattern; the worst few are then timed at both lengths
WORST_KEPT = 3
PACKAGES = (nlu, writer, actions, connectors, bot)
LOOKUPS = CatalogLookups(brands=("Apple", "Western Digital", "HP", "LG"))

# character classes every pattern meets, whatever it is made of
GENERIC_UNITS = (
    " ",
    "\t\n",
    "1",
    "1 ",
    "1,",
    "1.",
    "1-",
    "1 to ",
    "$",
    "$ ",
    "$1 ",
    ".",
    "-",
    "a",
    "a ",
    "a.",
    "a-",
    "a@",
    "A",
    "Aa ",
    "第",
    "元 ",
    "第 ",
    "ab1",
    "1k ",
    '1" ',
    "/",
    "{",
    "<",
    "a|",
    "：",
    "，",
    "’",
    "#",
)
# last characters that make a near-match fail at the very end
MISMATCH = ("!", "x", "\x00")


def _modules(package: ModuleType) -> Iterator[ModuleType]:
    for info in pkgutil.iter_modules(package.__path__, prefix=f"{package.__name__}."):
        yield importlib.import_module(info.name)


def _found_in(name: str, value: object) -> Iterator[tuple[str, re.Pattern[str]]]:
    """Compiled patterns held by a module-level name, directly or in a tuple, list or dict."""
    if isinstance(value, re.Pattern):
        if isinstance(value.pattern, str):
            yield name, value
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from _found_in(f"{name}[{index}]", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _found_in(f"{name}[{key!r}]", item)


def _patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for package in PACKAGES:
        for module in _modules(package):
            for name, value in vars(module).items():
                if not name.startswith("__"):
                    found.update(_found_in(f"{module.__name__}.{name}", value))
    found["nlu.lookups.CatalogLookups.brand_pattern()"] = LOOKUPS.brand_pattern()
    return found


PATTERNS = _patterns()

_CATEGORY_SAMPLES = {
    "CATEGORY_DIGIT": "1",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": " ",
}


def _set_sample(items: Any) -> str | None:
    """One character a character class accepts (None for a negated class)."""
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            return None
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return _CATEGORY_SAMPLES.get(str(arg))
    return None


def _fragments(pattern: re.Pattern[str]) -> list[str]:
    """Pieces of the pattern itself: its literal runs, one character of each class, and a
    naive "near match" of each branch (what a backtracking engine is made to try hardest)."""
    found: list[str] = []

    def walk(tree: Any) -> str:
        run, sample = "", ""
        for op, arg in tree:
            name = str(op)
            piece = ""
            if name == "LITERAL":
                piece = chr(arg)
                run += piece
            else:
                if len(run) > 1:
                    found.append(run)
                run = ""
                if name == "IN":
                    piece = _set_sample(arg) or ""
                    if piece:
                        found.append(piece)
                elif name == "ANY":
                    piece = "a"
                elif name == "SUBPATTERN":
                    piece = walk(arg[-1])
                elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                    low, _high, inner = arg
                    body = walk(inner)
                    piece = body * max(low, 1)
                elif name == "BRANCH":
                    branches = [walk(branch) for branch in arg[1]]
                    found.extend(b for b in branches if b)
                    piece = branches[0] if branches else ""
                elif name in ("ASSERT", "ASSERT_NOT", "ATOMIC_GROUP"):
                    walk(arg[-1])
                elif name == "GROUPREF_EXISTS":
                    walk(arg[1])
            sample += piece
        if len(run) > 1:
            found.append(run)
        return sample

    whole = walk(sre_parse.parse(pattern.pattern, pattern.flags))
    if whole:
        found.append(whole)
    unique = list(dict.fromkeys(f for f in found if f and len(f) <= 200))
    return unique[:24]


def _fill(unit: str, length: int, suffix: str = "") -> str:
    room = length - len(suffix)
    return (unit * (room // len(unit) + 1))[:room] + suffix


def _recipes(pattern: re.Pattern[str]) -> dict[str, tuple[str, str]]:
    """Adversarial inputs as (unit, suffix): built at any length by repeating the unit."""
    recipes: dict[str, tuple[str, str]] = {}
    for unit in GENERIC_UNITS:
        recipes[f"{unit!r}*"] = (unit, "")
    pieces = _fragments(pattern)
    for piece in pieces:
        recipes[f"{piece!r}*"] = (piece, "")
        recipes[f"{piece + ' '!r}*"] = (piece + " ", "")
        for last in MISMATCH:
            recipes[f"{piece!r}*+{last!r}"] = (piece, last)
    if len(pieces) > 1:
        mixture = " ".join(pieces[:6])
        recipes[f"mixture {mixture[:30]!r}*"] = (mixture + " ", "")
        recipes[f"mixture {mixture[:30]!r}*+'!'"] = (mixture, "!")
    return recipes


def _read(pattern: re.Pattern[str]) -> Callable[[str], object]:
    """Every way the code reads with a pattern, at once: finditer scans every start, as
    search, sub, split and findall do; match and fullmatch anchor at the start."""

    def read(text: str) -> object:
        for _ in pattern.finditer(text):
            pass
        pattern.match(text)
        return pattern.fullmatch(text)

    return read


def _timed(
    read: Callable[[str], object], text: str, runs: int = RUNS, enough: float = 0.0
) -> float:
    """The fastest of `runs` readings; stops early once one is at most `enough`, or once one
    is ten times over it (a super-linear pattern at 20,000 characters can take seconds)."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        read(text)
        best = min(best, time.perf_counter() - started)
        if enough and (best <= enough or best > 10 * enough):
            break
    return best


class Profile(NamedTuple):
    name: str
    worst_input: str
    short_s: float
    long_s: float

    @property
    def growth(self) -> float:
        return self.long_s / max(self.short_s, 1e-9)

    @property
    def linear(self) -> bool:
        return self.long_s < GROWTH * self.short_s + SLACK_S


def _measure(name: str, runs: int = RUNS) -> Profile:
    pattern = PATTERNS[name]
    read = _read(pattern)
    recipes = _recipes(pattern)
    screened = sorted(
        (
            (_timed(read, _fill(unit, SHORT, suffix), runs=1), label)
            for label, (unit, suffix) in recipes.items()
        ),
        reverse=True,
    )[:WORST_KEPT]
    worst: Profile | None = None
    for _, label in screened:
        unit, suffix = recipes[label]
        short_s = _timed(read, _fill(unit, SHORT, suffix), runs)
        bound = GROWTH * short_s + SLACK_S
        long_s = _timed(read, _fill(unit, LONG, suffix), runs, enough=bound * 0.999)
        profile = Profile(name, label, short_s, long_s)
        # the input that grows worst, or, among linear ones, the slowest
        if worst is None or (not profile.linear, profile.short_s) > (
            not worst.linear,
            worst.short_s,
        ):
            worst = profile
    assert worst is not None
    return worst


@functools.cache
def _profile(name: str) -> Profile:
    profile = _measure(name)
    if not profile.linear:
        # once more before calling it: a busy machine can stall a reading
        profile = _measure(name)
    return profile


def test_the_patterns_are_all_found() -> None:
    assert len(PATTERNS) > 200
    for name in (
        "nlu.entities._RANGE",
        "nlu.aspects._PATTERNS['quality'][0]",
        "writer.describe._GARBLED",
        "actions.listing_facts._SCREEN",
        "connectors.slack_blocks._SLACK_ENTITY",
    ):
        assert name in PATTERNS


def test_the_fragments_come_from_the_pattern() -> None:
    pieces = _fragments(re.compile(r"(?:order|订单) ?#?([0-9]{5,20})"))
    assert "order" in pieces and "订单" in pieces and "0" in pieces
    assert "order #00000" in pieces  # the naive near-match of the whole pattern


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_pattern_grows_linearly_on_adversarial_input(name: str) -> None:
    profile = _profile(name)
    assert profile.linear, (
        f"{name} took {profile.short_s * 1000:.2f} ms at {SHORT} chars and "
        f"{profile.long_s * 1000:.1f} ms at {LONG} ({profile.growth:.0f}x) "
        f"on {profile.worst_input}"
    )


def test_the_slowest_patterns_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    profiles = sorted((_profile(name) for name in PATTERNS), key=lambda p: -p.short_s)
    lines = [
        f"{len(profiles)} patterns; slowest at {SHORT} chars (min of {RUNS} runs):",
        f"{'pattern':<48} {SHORT:>7} ch {LONG:>7} ch  growth  input",
    ]
    for p in profiles[:12]:
        lines.append(
            f"{p.name[:48]:<48} {p.short_s * 1000:>7.2f} ms {p.long_s * 1000:>7.1f} ms "
            f"{p.growth:>6.1f}x  {p.worst_input[:40]}"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert len(profiles) == len(PATTERNS)  # each pattern's own test says which grow


# --- the patterns this test made linear, and the readings they kept ---------------------------

_SPECIFIC_BEFORE = re.compile(  # actions.product_answers._SPECIFIC before: quadratic on digits
    r"wi-?fi\s?\d+e?|(?:bluetooth|蓝牙|藍牙)\s?\d(\.\d)?"
    r"|\d+(\.\d+)?\s?(gb|tb|hz|\"|inch|英寸|寸)"
    r"|ip[x\d]\d|rtx\s?\d{4}|4k|1080p|usb-?c|thunderbolt\s?\d?",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "question",
    [
        "does it have 16gb ram and a 512 GB ssd?",
        'is the screen 15.6" or 14 inch?',
        "1.5.2gb",
        "x1234gb and 14k and 2x16GB",
        "144hz 1080p 4k wifi 6e bluetooth 5.3 usb-c thunderbolt 4 rtx 4090 ip68",
        "屏幕是15.6英寸吗，内存16GB，13寸",
        "order 12345678901234 then 8 gb",
    ],
)
def test_specific_reads_as_before(question: str) -> None:
    from actions.product_answers import _SPECIFIC

    def spans(pattern: re.Pattern[str]) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(question)]

    assert spans(_SPECIFIC) == spans(_SPECIFIC_BEFORE)
    assert spans(_SPECIFIC)  # every question names something specific


_MODEL_NUMBER_BEFORE = re.compile(  # actions.products._MODEL_NUMBER before: quadratic on "a-a-"
    r"\b(?=[A-Za-z-]*\d)(?=\d*[A-Za-z])[A-Za-z0-9-]{3,}\b"
)


@pytest.mark.parametrize(
    "message",
    [
        "is the XPS-13 9340 in stock?",
        "ThinkPad-X1-Carbon-Gen-11 or MacBook Air M2",
        "12-ab3 and RTX4090, SN850X, WD-Blue-SN580",
        "Lenovo-IdeaPad-Slim-Pro-Ultra-Thin-Edition-3i 15",
        "no model here, just words and 2024",
    ],
)
def test_model_number_reads_as_before(message: str) -> None:
    from actions.products import _MODEL_NUMBER

    def found(pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        return [m.span() for m in pattern.finditer(message)]

    assert found(_MODEL_NUMBER) == found(_MODEL_NUMBER_BEFORE)
