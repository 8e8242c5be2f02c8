"""Published prose is sentences: a bullet that is a noun phrase gets a frame that states
nothing of its own, a bullet that repeats the title is dropped, a model clause that only
repeats its fact or the title is rejected and the fact-only sentence kept. Records from the
catalog; no model."""

from __future__ import annotations

import asyncio

import pytest

from bench.copy_claims import catalog_records
from bench.describe_catalog import SAMPLE_IDS
from tests.writer.fake_models import OneByOne
from writer.backends import Generation, GenerationRequest
from writer.copy_check import CopyChecker, split_sentences
from writer.describe import WRITER_VERSION, DescriptionWriter
from writer.templates import deterministic_description, fact_sentence, repeats_title

RECORDS = catalog_records()
HISENSE = "pa09fcbc507"  # Hisense 43" Class - A45H Series - 1080p LED LCD TV
PIANO = "p24ea649c9c"  # Artesia Pro a24 Upright Digital Piano


def _record_with(title_part: str):  # the first catalog record whose title has these words
    return next(r for r in RECORDS.values() if title_part in r.title)


def test_writer_version_is_bumped_for_the_new_prose() -> None:
    assert WRITER_VERSION >= 5


@pytest.mark.parametrize(
    ("fact", "title", "sentence"),
    [
        ("Motion Rate 120", 'Hisense 43" Class - 1080p LED LCD TV', "It has a motion rate of 120."),
        ("120Hz Refresh Rate", 'LG 83" Class 4K UHD OLED TV', "It has a 120Hz refresh rate."),
        ("DTS Virtual: X", "Hisense TV", "It has DTS Virtual:X."),
        ("Android TV", 'Hisense 43" Class - 1080p LED LCD TV', "It is an Android TV."),
        ("Nvidia G-SYNC Compatible", "LG UltraGear Monitor", "It is Nvidia G-SYNC compatible."),
        ("Stand Not Included", "LG OLED TV", "The stand is not included."),
        ("AMD Ryzen 7 6800U Processor", "Laptop", "It has an AMD Ryzen 7 6800U processor."),
        ("M2 Chip with 8-core CPU", "iPad Pro", "It has an M2 chip with 8-core CPU."),
        (
            "Designed for Your Nintendo eShop Purchases",
            "Nintendo eShop $50 Digital Card",
            "It is designed for your Nintendo eShop purchases.",
        ),
        ("Includes Bonus Band", "Watch", "It includes bonus band."),
        ("Up to 18 hours of battery life", "MacBook", "It offers up to 18 hours of battery life."),
        (
            "Ideal for Performance, Practice or Lessons",
            "Piano",
            "It is ideal for performance, practice or lessons.",
        ),
        (
            "Connectivity to your Smartphone, Tablet, Computer",
            "Piano",
            "It has connectivity to your smartphone, tablet and computer.",
        ),
        # Title Case in sentence case, codes and brands kept; headings, splices, restated heads
        (
            "Swann Security App Allows You To Access All Your Cameras Remotely Wherever You Are",
            "SWANN 4K NVR Wired Security System",
            "Swann Security app allows you to access all your cameras remotely wherever you are.",
        ),
        (
            "Plug & Play PoE System: A Simple Wired PoE Connection Provides Easy Setup",
            "SWANN 4K NVR Wired Security System",
            "A simple wired PoE connection provides easy setup.",
        ),
        (
            "Longer battery life, up to 18 hours of battery life",
            "MacBook Pro",
            "It offers up to 18 hours of battery life.",
        ),
        (
            "TV connected to power and up to 3 devices (e.g. cable) and switched on",
            "Handy Premier - TV Mounting Service",
            "The TV is connected to power and up to 3 devices (e.g. cable) and switched on.",
        ),
        (
            "7am-11pm availability - book a time that suits you",
            "Handy Premier - TV Mounting Service",
            "It has 7am-11pm availability. Book a time that suits you.",
        ),
        (
            "Microsoft Windows 11 Home (64-bit)",
            "HP Laptop",
            "It has Microsoft Windows 11 Home (64-bit).",
        ),
        ("1x SD Card Reader", "Dell Inspiron", "It has an SD card reader."),
        ("Upto 8MP With 4X Clarity", "SWANN", "It offers up to 8MP with 4x clarity."),
        # clauses and imperatives keep their words
        (
            "Get Real-Time Motion Alerts in the Ring App",
            "Ring",
            "Get real-time motion alerts in the Ring app.",
        ),
        (
            "12-core CPU delivers faster performance",
            "MacBook",
            "12-core CPU delivers faster performance.",
        ),
        # what is not in the box is never framed as a feature
        ("IPad Sold Separately", "Keyboard", "IPad sold separately."),
        ("Ring Alarm Base Station Required", "Ring", "Ring alarm base station required."),
    ],
)
def test_a_noun_phrase_bullet_becomes_a_sentence_in_its_own_words(
    fact: str, title: str, sentence: str
) -> None:
    assert fact_sentence(fact, title) == sentence


def test_the_hisense_tv_reads_as_sentences_and_says_only_its_record() -> None:
    record = RECORDS[HISENSE]
    text = deterministic_description(record)
    assert "It has a motion rate of 120." in text
    assert "DTS Virtual:X." in text
    checker = CopyChecker(record)
    assert all(checker.sentence(s).supported for s in split_sentences(text))


def test_every_frame_on_the_sample_products_passes_the_checker() -> None:
    for product_id in SAMPLE_IDS:
        record = RECORDS[product_id]
        checker = CopyChecker(record)
        for sentence in split_sentences(deterministic_description(record)):
            if sentence.startswith(("It ", "The ")):
                verdict = checker.sentence(sentence)
                assert verdict.supported, (sentence, verdict.rejected_by)


def test_a_bullet_that_only_repeats_the_opening_is_dropped() -> None:
    record = _record_with("Xbox $100 Gift Card Digital Download")
    assert "Digital Download" in record.facts()
    assert repeats_title("Digital Download", record.title)
    text = deterministic_description(record)
    assert text.count("Digital Download") == 1, text  # the opening names it, once
    # the title's tail is not in the opening, so a bullet naming it stays
    assert not repeats_title("AMD Ryzen 3 5300U", 'HP 14" Touchscreen Laptop - AMD Ryzen 3 5300U')


class EchoModel(OneByOne):
    """Continues every prompt by repeating its own words: the tautology a small model makes."""

    name = "echo"
    languages = frozenset({"en"})

    def answer(self, request: GenerationRequest) -> Generation:
        return Generation(f"{request.prefix} is {request.prefix.lower()}.", 6, 0.0, ())


def test_a_clause_that_repeats_its_fact_is_rejected_and_the_fact_sentence_kept() -> None:
    record = RECORDS[PIANO]
    description = asyncio.run(DescriptionWriter(EchoModel()).write(record))
    assert "is high gloss ebony upright digital piano" not in description.text.lower()
    assert "It is a high gloss ebony upright digital piano with storage bench." in description.text
    assert all(s.source == "record" for s in description.sentences)
    assert any(
        "repeats its fact or the title" in r for s in description.sentences for r in s.rejected
    )


class BareModel(OneByOne):
    """Adds nothing to the fact: the draft is the bullet alone, a noun phrase."""

    name = "bare"
    languages = frozenset({"en"})

    def answer(self, request: GenerationRequest) -> Generation:
        return Generation(f"{request.prefix}.", 2, 0.0, ())


def test_a_bare_fact_from_the_model_is_published_as_the_framed_sentence() -> None:
    description = asyncio.run(DescriptionWriter(BareModel()).write(RECORDS[HISENSE]))
    assert "It has a motion rate of 120." in description.text


def test_a_repeated_frame_says_also_and_adds_no_claim() -> None:
    record = RECORDS[HISENSE]
    text = deterministic_description(record)
    assert text.count("It has") == 1 and text.count("It also") <= 1, text
    assert "a 3-year warranty." in text
    checker = CopyChecker(record)
    assert all(checker.sentence(s).supported for s in split_sentences(text))


def test_a_model_clause_without_a_verb_or_that_echoes_its_fact_is_not_published() -> None:
    from writer.describe import _tautology
    from writer.templates import has_verb

    assert not has_verb(", 6GB gaming laptop.")
    assert has_verb(" lets you see everything.")
    fact = "Get Real-Time Motion Alerts in the Ring App"
    assert _tautology(" lets you get real-time motion alerts.", fact, "Ring Video Doorbell")
    assert not _tautology(" lets you watch TV on your phone.", "Android TV", "Hisense TV")


def test_a_bundle_or_service_is_named_for_what_it_is_never_the_brand_alone() -> None:
    from writer.templates import opening_sentence

    blink = RECORDS["p6541632f52"]
    assert opening_sentence(blink) == "Meet the Blink floodlight with outdoor camera bundle."
    lg = opening_sentence(RECORDS["p1d5b88849d"])
    assert "bundled with an Allstate" in lg and "protection plan" in lg, lg
    handy = opening_sentence(RECORDS["p1d06114fd4"])
    assert handy == "Meet the Handy Premier, a TV mounting service.", handy


def test_no_sample_description_says_also_twice_or_keeps_a_heading_colon() -> None:
    for product_id in SAMPLE_IDS:
        text = deterministic_description(RECORDS[product_id])
        assert text.count("It also") <= 1, text
        assert "Features include" not in text and "Upto" not in text, text
        assert not any(s.rstrip(".").count(":") and ": " in s for s in split_sentences(text)), text
