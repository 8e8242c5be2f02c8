"""The grounding check on real catalog records."""

from __future__ import annotations

import pytest

from actions.catalog import Catalog
from writer.claims import Support, check_grounding, extract_claims
from writer.records import ProductRecord

MAC_MINI_16GB = "p2c36c268eb"  # "Mac mini – Apple M2 Pro Chip … – 16GB Memory – 512GB SSD"
INSPIRON_WIFI_6E = "pcb4e1e0a73"  # bullet: "Intel Wi-Fi 6E (2x2/160) Gig+ and Bluetooth 5.2"


def support_for(catalog: Catalog, product_id: str) -> Support:
    product = catalog.get(product_id)
    assert product is not None, product_id
    return Support.of(ProductRecord.from_product(product).texts())


def test_claiming_32gb_for_a_16gb_machine_fails(catalog: Catalog) -> None:
    support = support_for(catalog, MAC_MINI_16GB)
    report = check_grounding("Multitask freely with 32GB RAM.", support)
    assert not report.grounded
    assert [claim.text for claim in report.unsupported] == ["32GB"]
    assert check_grounding("Multitask freely with 16GB of memory.", support).grounded


def test_a_standard_backed_by_a_bullet_passes_and_a_newer_one_fails(catalog: Catalog) -> None:
    support = support_for(catalog, INSPIRON_WIFI_6E)
    assert check_grounding("Stay connected with Wi-Fi 6E.", support).grounded
    assert check_grounding("Bluetooth 5.2 pairs your headphones.", support).grounded
    for invented in ("Wi-Fi 7 for the fastest speeds.", "Bluetooth 5.3 built in."):
        assert not check_grounding(invented, support).grounded, invented


def test_units_resolutions_and_names_are_compared_in_one_form(catalog: Catalog) -> None:
    support = support_for(catalog, INSPIRON_WIFI_6E)  # '27" … FHD (1920 x 1080) Display'
    for same in ("a 27-inch screen", "a 27 inch display", "Full HD picture", "1080p video"):
        assert check_grounding(same, support).grounded, same
    for different in ("a 32-inch screen", "a 4K display", "a 144Hz panel", "2TB of storage"):
        assert not check_grounding(different, support).grounded, different


@pytest.mark.parametrize(
    "claim",
    ["waterproof", "an aluminum body", "a 2-year warranty", "noise cancelling", "RTX 4090"],
)
def test_properties_materials_and_models_need_the_record(catalog: Catalog, claim: str) -> None:
    support = support_for(catalog, MAC_MINI_16GB)
    assert not check_grounding(f"It has {claim}.", support).grounded


def test_a_bare_number_must_appear_in_the_record(catalog: Catalog) -> None:
    support = support_for(catalog, MAC_MINI_16GB)
    assert check_grounding("A 10-core GPU.", support).grounded
    assert not check_grounding("Up to 40 percent faster.", support).grounded


def test_extraction_finds_every_kind_of_claim() -> None:
    text = 'HP 15.6" FHD laptop, Intel Core i5-1235U, 16GB RAM, Wi-Fi 6E, 120Hz, waterproof'
    kinds = {claim.kind for claim in extract_claims(text)}
    assert kinds == {"measure", "resolution", "model", "standard", "term"}
