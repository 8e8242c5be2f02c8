"""The description writer over the whole catalog: truth, coverage, variety, fallbacks.

Run: `.venv/bin/python -m bench.describe_catalog` (about an hour on 2 cores; resumable: it
keeps its descriptions in bench/.describe-home and only writes the missing ones).
It also asks the same model for whole descriptions from the full record, unconstrained, on
20 products: the baseline the checks exist for. Prints a table and writes
bench/results/describe_catalog.json and bench/results/describe_samples.md (20 descriptions
beside their records, for a person to read).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog
from actions.database import open_database
from bench.provenance import write_results
from writer.backends import GenerationRequest, LocalCausalLM
from writer.claims import Support, check_grounding, extract_claims
from writer.describe import WRITER_VERSION, DescriptionWriter
from writer.records import ProductRecord
from writer.store import DescriptionStore, StoredDescription

HOME = Path(__file__).parent / ".describe-home"
RESULTS = Path(__file__).parent / "results"
BATCH = 4
SAMPLES = 20
# the 20 products of describe_samples.md (drawn with Random(7) from the v3 run and read by a
# person for issue 15): every run describes them, so runs compare on the same products
SAMPLE_IDS = (
    "pa09fcbc507", "p47b426cf1d", "pbc405bcf88", "p1968705ef5", "p24ea649c9c",
    "pfc91e5e78a", "p2b90639d0a", "pb05a23add1", "p1d06114fd4", "peef6f6f73f",
    "p6541632f52", "p1413ed2a2e", "p289289af82", "pcd6305547d", "pc63f35cf0d",
    "p22bc323c04", "p7258a52505", "p2ae942dd30", "pca048e8447", "p1d5b88849d",
)  # fmt: skip
NAIVE_PROMPT = "Write a short, appealing product description for an online shop listing."


def key_attributes(record: ProductRecord) -> set[str]:
    """The record's concrete attributes: every claim its bullets and title make."""
    return {
        claim.value for text in [record.title, *record.bullets] for claim in extract_claims(text)
    }


def distinct_2(texts: list[str]) -> float:
    bigrams = []
    for text in texts:
        words = text.lower().split()
        bigrams += list(itertools.pairwise(words))
    return len(set(bigrams)) / max(1, len(bigrams))


async def write_missing(
    writer: DescriptionWriter, store: DescriptionStore, catalog: Catalog
) -> float:
    """Describe every product not yet stored; returns descriptions per minute for this run."""
    done = store.done(WRITER_VERSION)
    todo = [product for product in catalog.all() if product.id not in done]
    started = time.perf_counter()
    with tqdm(total=len(todo), desc="describing the catalog", unit="product") as progress:
        for start in range(0, len(todo), BATCH):
            records = [ProductRecord.from_product(p) for p in todo[start : start + BATCH]]
            for description in await writer.write_batch(records):
                store.save(description)
            progress.update(len(records))
    minutes = (time.perf_counter() - started) / 60
    return len(todo) / minutes if todo else 0.0


async def naive_baseline(generator: LocalCausalLM, records: list[ProductRecord]) -> dict[str, Any]:
    """Whole descriptions from the full record in one prompt, no constraints, no checks."""
    unsupported = 0
    examples = []
    for record in tqdm(records, desc="naive baseline", unit="product"):
        facts = "\n".join(f"- {bullet}" for bullet in record.bullets)
        request = GenerationRequest(
            messages=[
                {"role": "system", "content": NAIVE_PROMPT},
                {"role": "user", "content": f"Product: {record.title}\nFeatures:\n{facts}"},
            ],
            max_new_tokens=90,
        )
        text = (await generator.generate(request)).text
        report = check_grounding(text, Support.of(record.texts()))
        unsupported += not report.grounded
        examples.append({"title": record.title, "text": text, **report.to_dict()})
    return {"share_unsupported": unsupported / len(records), "examples": examples[:5]}


def metrics(stored: list[StoredDescription], records: dict[str, ProductRecord]) -> dict[str, Any]:
    texts = [d.text for d in stored]
    recalls = []
    for description in stored:
        wanted = key_attributes(records[description.product_id])
        said = {claim.value for claim in extract_claims(description.text)}
        if wanted:
            recalls.append(len(wanted & said) / len(wanted))
    sentences = [s for d in stored for s in d.details.get("sentences", [])]
    paths: dict[str, int] = {}
    for description in stored:
        paths[description.path] = paths.get(description.path, 0) + 1
    after = [
        d
        for d in stored
        if check_grounding(d.text, Support.of(records[d.product_id].texts())).unsupported
    ]
    return {
        "descriptions": len(stored),
        "share_unsupported_first_drafts": sum(
            d.details.get("first_draft_unsupported", 0) > 0 for d in stored
        )
        / len(stored),
        "share_unsupported_published": len(after) / len(stored),
        "attribute_recall": statistics.mean(recalls),
        "mean_words": statistics.mean(len(t.split()) for t in texts),
        "distinct_2": distinct_2(texts),
        "fallback_rate": paths.get("record", 0) / len(stored),
        "sentences_from_model": sum(s["source"] == "model" for s in sentences) / len(sentences),
        "paths": paths,
    }


def write_samples(stored: list[StoredDescription], records: dict[str, ProductRecord]) -> None:
    chosen = random.Random(7).sample(stored, min(SAMPLES, len(stored)))
    lines = ["# 20 descriptions beside their records\n"]
    for description in chosen:
        record = records[description.product_id]
        lines.append(f"## {record.title}\n")
        lines.append(f"*{record.category} · {record.price} · id {record.id}*\n")
        lines.extend(f"- {bullet}" for bullet in record.bullets)
        lines.append(f"\n**Published ({description.path}):** {description.text}\n")
    (RESULTS / "describe_samples.md").write_text("\n".join(lines), encoding="utf-8")


async def main() -> None:
    catalog = Catalog(HOME / "catalog.db")
    ensure_demo_catalog(catalog, show_progress=False)
    store = DescriptionStore(open_database(catalog.path))
    generator = LocalCausalLM(lookup_tokens=0)
    generator.load()
    writer = DescriptionWriter(generator)
    rate = await write_missing(writer, store, catalog)
    records = {p.id: ProductRecord.from_product(p) for p in catalog.all()}
    stored = store.all()
    result = metrics(stored, records)
    result["descriptions_per_minute_this_run"] = round(rate, 2)
    sample = random.Random(3).sample(sorted(records.values(), key=lambda r: r.id), SAMPLES)
    result["naive_whole_description"] = await naive_baseline(generator, sample)
    write_samples(stored, records)
    write_results(
        RESULTS / "describe_catalog.json", result, settings={"writer": "SmolLM2, lookup_tokens=0"}
    )
    print(f"{'measure':<44}{'value':>10}")
    for key in (
        "descriptions",
        "share_unsupported_first_drafts",
        "share_unsupported_published",
        "attribute_recall",
        "mean_words",
        "distinct_2",
        "fallback_rate",
        "sentences_from_model",
        "descriptions_per_minute_this_run",
    ):
        value = result[key]
        print(f"{key:<44}{value:>10.3f}" if isinstance(value, float) else f"{key:<44}{value:>10}")
    naive = result["naive_whole_description"]["share_unsupported"]
    print(f"{'naive whole description: share unsupported':<44}{naive:>10.3f}")
    print(f"paths: {result['paths']}")


if __name__ == "__main__":
    asyncio.run(main())
