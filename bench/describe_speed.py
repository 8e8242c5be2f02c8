"""Description model speed and quality per decoding path, side by side in one run.

Run: `.venv/bin/python -m bench.describe_speed` on an otherwise idle machine (about 6 min).
Paths: fp32 as loaded, fp32 with prompt-lookup drafts, bf16, dynamic int8 (per-channel
weights), and int8 with drafts. For each: tokens/s generating 60 tokens at batch 1 (p50 of
5) and on the writer's own sentence requests (the clauses chat actually asks for, one at a
time), how often the path's own greedy output is token for token fp32's (every path is
decoded by itself, lookup drafts included), and the share of first drafts that pass the
writer's checks on 30 sentences.
Prints a table and writes bench/results/describe_speed.json.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from pathlib import Path
from typing import Any

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog
from bench.provenance import write_results
from writer.backends import GenerationRequest, LocalCausalLM, _with_precision
from writer.describe import DescriptionWriter, _Draft
from writer.records import ProductRecord

HOME = Path(__file__).parent / ".describe-home"
RESULTS = Path(__file__).parent / "results" / "describe_speed.json"
TOKENS = 60
PATHS = [("fp32", "fp32", 0), ("fp32+lookup", "fp32", 30), ("bf16", "bf16", 0),
         ("int8", "int8", 0), ("int8+lookup", "int8", 30)]  # fmt: skip


def whole_description_request(record: ProductRecord) -> GenerationRequest:
    """A 60-token description from the full record: the speed figure's workload."""
    facts = "\n".join(f"- {bullet}" for bullet in record.bullets)
    return GenerationRequest(
        messages=[
            {"role": "system", "content": "Write a product description for a shop listing."},
            {"role": "user", "content": f"Product: {record.title}\nFeatures:\n{facts}"},
        ],
        max_new_tokens=TOKENS,
    )


def tokens_per_second(generator: LocalCausalLM, request: GenerationRequest) -> tuple[float, float]:
    """(p50 tokens/s, p50 seconds) for exactly TOKENS new tokens (end of text suppressed)."""
    model = generator._model
    eos = model.generation_config.eos_token_id
    model.generation_config.eos_token_id = None  # always 60 tokens, so paths compare fairly
    rates, seconds = [], []
    try:
        generator.run([request])  # warm-up
        for _ in range(5):
            started = time.perf_counter()
            generator.run([request])
            elapsed = time.perf_counter() - started
            rates.append(TOKENS / elapsed)  # end of text is off, so every run makes TOKENS
            seconds.append(elapsed)
    finally:
        model.generation_config.eos_token_id = eos
    return statistics.median(rates), statistics.median(seconds)


def greedy_outputs(generator: LocalCausalLM, requests: list[GenerationRequest]) -> list[str]:
    """What the path itself writes for each request, one at a time (as chat decodes)."""
    return [generator.run([request])[0].text for request in requests]


def agreement(tokenizer: Any, reference: list[str], candidate: list[str]) -> float:
    """Share of fp32's output tokens that the path reproduces at the same position."""
    same = total = 0
    for ours, theirs in zip(reference, candidate, strict=True):
        a, b = tokenizer.encode(ours), tokenizer.encode(theirs)
        same += sum(x == y for x, y in zip(a, b, strict=False))
        total += len(a)
    return same / max(total, 1)


def writer_requests(records: list[ProductRecord]) -> list[GenerationRequest]:
    """The sentence requests the writer makes in chat for these records."""
    writer = DescriptionWriter(LocalCausalLM())
    return [writer._request(plan) for record in records for plan in writer._plan(record)]


def clause_tokens_per_second(generator: LocalCausalLM, requests: list[GenerationRequest]) -> float:
    """Tokens/s over the writer's real clauses, decoded one at a time."""
    started, tokens = time.perf_counter(), 0
    for request in requests:
        tokens += generator.run([request])[0].tokens
    return tokens / (time.perf_counter() - started)


def first_draft_pass_rate(generator: LocalCausalLM, records: list[ProductRecord]) -> float:
    writer = DescriptionWriter(generator)
    passed = total = 0
    for record in records:
        plans = writer._plan(record)
        generations = generator.run([writer._request(plan) for plan in plans])
        earlier = []
        for plan, generation in zip(plans, generations, strict=True):
            draft = _Draft(plan)
            passed += writer._try(draft, generation, 1, record, earlier)
            total += 1
            if draft.result:
                earlier.append(draft.result)
    return passed / total


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    catalog = Catalog(HOME / "catalog.db")
    ensure_demo_catalog(catalog, show_progress=False)
    products = catalog.all()
    records = [ProductRecord.from_product(p) for p in products[::50]][:6]
    loaded = LocalCausalLM()
    loaded.load()
    fp32 = loaded._model
    request = whole_description_request(records[0])
    clauses = writer_requests(records[:3])
    checked = [whole_description_request(record) for record in records[:4]]
    reference: list[str] = []
    rows: list[dict[str, Any]] = []
    for name, precision, lookup in PATHS:
        model = fp32 if precision == "fp32" else _with_precision(copy.deepcopy(fp32), precision)
        generator = LocalCausalLM(precision=precision, lookup_tokens=lookup)
        generator._model, generator._tokenizer = model, loaded._tokenizer
        rate, seconds = tokens_per_second(generator, request)
        outputs = greedy_outputs(generator, checked)
        reference = reference or outputs  # the first path is fp32 as loaded
        row = {
            "path": name,
            "tokens_per_s": round(rate, 1),
            "p50_s_60_tokens": round(seconds, 2),
            "clause_tokens_per_s": round(clause_tokens_per_second(generator, clauses), 1),
            "agreement_with_fp32": round(agreement(loaded._tokenizer, reference, outputs), 3),
            "first_draft_pass_rate": round(first_draft_pass_rate(generator, records[:5]), 3),
        }
        rows.append(row)
        print(row, flush=True)
    write_results(
        RESULTS,
        {"tokens": TOKENS, "clauses": len(clauses), "paths": rows},
        settings={"paths": PATHS},
    )
    print(
        f"\n{'path':<14}{'tokens/s':>10}{'p50 60 tok':>12}{'clauses t/s':>12}"
        f"{'agree fp32':>12}{'drafts pass':>13}"
    )
    for row in rows:
        print(
            f"{row['path']:<14}{row['tokens_per_s']:>10}{row['p50_s_60_tokens']:>11}s"
            f"{row['clause_tokens_per_s']:>12}{row['agreement_with_fp32']:>12}"
            f"{row['first_draft_pass_rate']:>13}"
        )


if __name__ == "__main__":
    main()
