"""What never reaches a published description."""

from __future__ import annotations

import pytest

from writer.safety import SafetyFilter

RECORD = "Samsung 55-inch QLED TV with Tizen smart platform"

BLOCKED = [
    ("Questions? Email support@example.com for help.", "email address"),
    ("Call us on +1 (555) 010-2030 today.", "phone number"),
    ("Order at https://example.com now.", "link"),
    ("This damn TV is the shit.", "profanity"),
    ("Unlike cheap knockoffs, it lasts.", "comparison with other products"),
    ("Better than any LG set on the market.", "comparison with other products"),
    ("A picture that leaves Sony behind.", "names another brand: Sony"),
]
ALLOWED = [
    "The Samsung QLED TV brings bright, rich color to your living room.",
    "Smart features put your favorite shows a click away.",
    "A 55-inch screen fills the room.",
    '16" 2.5K (2560 x 1600) 300 nit display.',  # specs, not a phone number
    '14" IPS FHD (1920 x 1080) 250-Nits Display with 2x2/160 Wi-Fi.',
]


@pytest.fixture(scope="module")
def safety() -> SafetyFilter:
    return SafetyFilter()


@pytest.mark.parametrize(("text", "problem"), BLOCKED)
def test_blocked(safety: SafetyFilter, text: str, problem: str) -> None:
    report = safety.check(text, RECORD)
    assert not report.safe
    assert problem in report.problems


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed(safety: SafetyFilter, text: str) -> None:
    assert safety.check(text, RECORD).safe, safety.check(text, RECORD).problems


def test_words_from_the_listing_are_not_profanity(safety: SafetyFilter) -> None:
    """The list flags "Facial"; a camera's listing says "Facial Recognition"."""
    record = "Smart doorbell with Facial Recognition and Slope mount"
    assert safety.check("Facial Recognition greets your guests.", record).safe
    assert not safety.check("Facial Recognition greets your guests.", RECORD).safe


def test_the_products_own_brand_is_not_another_brand(safety: SafetyFilter) -> None:
    assert safety.check("Samsung quality you can see.", RECORD).safe
    assert not safety.check("Samsung quality you can see.", "LG OLED TV").safe
