"""The description writer over the catalog: truth, coverage, variety, fallbacks.

Run: `.venv/bin/python -m bench.describe_catalog` (about an hour on 2 cores; resumable: it
keeps its descriptions in bench/.describe-home and only writes the missing ones).
It also asks the same model for whole descriptions from the full record, unconstrained, on
20 products: the baseline the checks exist for. Prints a table and writes
bench/results/describe_catalog.json and bench/results/describe_samples.md (20 descriptions
beside their records, for a person to read).

`--sample N --seed S` describes, fresh and in memory, the 20 products of describe_samples.md
and N others drawn with `random.Random(S)` (about 7 minutes for N=40 on 2 cores), and writes
bench/results/describe_sample.json and describe_samples.md from that run.

`--pairs N --seed 17` measures what the model's clauses add: it describes N products drawn
with `random.Random(17)` from outside the 20 samples (the clause gate was written from those),
with `model_clauses="gated"`, and for every sentence where the model wrote a clause that passed
the checks writes the fact-only sentence and the model's sentence, in random order, to
bench/results/clause_pairs_blind.jsonl; clause_pairs_key.jsonl says which one is the model's
and whether the gate published it. A person judges the blind file; `--score FILE` (lines of
{"id", "better": "A"|"B"|"same"}) then reports how often the model's sentence won, overall and
among the clauses the gate kept. Generation stops starting new batches after `--minutes`.

Every run reports the share of descriptions with a sentence the independent copy checker
(`writer.copy_check`) rejects beside the share the old `check_grounding` rejects, the
fallback rate, the share of published sentences the model wrote, and the copy ratio: the
share of published words inside a run of 3 or more words that the title or a bullet also
has, or a whole bullet.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog
from actions.database import open_database
from bench.provenance import write_results
from writer.backends import GenerationRequest, LocalCausalLM
from writer.claims import Support, check_grounding, extract_claims
from writer.copy_check import CopyChecker, split_sentences
from writer.describe import WRITER_VERSION, Description, DescriptionWriter
from writer.records import ProductRecord
from writer.store import DescriptionStore, SqliteDescriptionStore, StoredDescription
from writer.wording import check_wording
from writer.words import tokens

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
    done = await store.done(WRITER_VERSION)
    todo = [product for product in catalog.all() if product.id not in done]
    started = time.perf_counter()
    with tqdm(total=len(todo), desc="describing the catalog", unit="product") as progress:
        for start in range(0, len(todo), BATCH):
            records = [ProductRecord.from_product(p) for p in todo[start : start + BATCH]]
            for description in await writer.write_batch(records):
                await store.save(description)
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


@dataclass(frozen=True)
class Written:
    """A published description as the figures read it, stored or fresh."""

    product_id: str
    text: str
    path: str
    model_sentences: tuple[str, ...]  # the sentences the model wrote (kept at the draft stage)
    first_draft_unsupported: int
    dropped: int  # sentences the copy checker or the wording rules took out before publishing

    @classmethod
    def of_stored(cls, stored: StoredDescription) -> Written:
        details = stored.details
        return cls(
            stored.product_id,
            stored.text,
            stored.path,
            tuple(s["text"] for s in details.get("sentences", []) if s["source"] == "model"),
            details.get("first_draft_unsupported", 0),
            len(details.get("check", {}).get("dropped_sentences", [])),
        )

    @classmethod
    def of(cls, description: Description) -> Written:
        return cls(
            description.product_id,
            description.text,
            description.path,
            tuple(s.text for s in description.sentences if s.source == "model"),
            description.first_draft_unsupported,
            len(description.check.get("dropped_sentences", [])),
        )


_RUN = 3  # words in a row that count as copied; a whole bullet counts at any length


def copy_ratio(text: str, record: ProductRecord) -> float:
    """The share of the text's words copied from the title or a bullet: inside a run of at
    least 3 words the record has, or a whole bullet ("Android TV")."""
    words = tokens(text)
    pieces = [tokens(t) for t in [record.title, *record.bullets]]
    copied = {
        tuple(ws[i : i + n])
        for ws in pieces
        for n in range(_RUN, len(ws) + 1)
        for i in range(len(ws) - n + 1)
    }
    copied |= {tuple(ws) for ws in pieces if ws}
    longest = max((len(c) for c in copied), default=0)
    covered = [False] * len(words)
    for i in range(len(words)):
        for n in range(min(longest, len(words) - i), 0, -1):
            if tuple(words[i : i + n]) in copied:
                covered[i : i + n] = [True] * n
                break
    return sum(covered) / max(1, len(words))


def metrics(written: list[Written], records: dict[str, ProductRecord]) -> dict[str, Any]:
    texts = [d.text for d in written]
    recalls, new, old, wording, published, from_model, copied = [], [], [], [], 0, 0, []
    for description in written:
        record = records[description.product_id]
        wanted = key_attributes(record)
        said = {claim.value for claim in extract_claims(description.text)}
        if wanted:
            recalls.append(len(wanted & said) / len(wanted))
        checker = CopyChecker(record)
        sentences = split_sentences(description.text)
        new.append(any(not checker.sentence(s).supported for s in sentences))
        old.append(not check_grounding(description.text, Support.of(record.texts())).grounded)
        wording.append(bool(check_wording(description.text, checker.text)))
        published += len(sentences)
        from_model += sum(s in description.model_sentences for s in sentences)
        copied.append(copy_ratio(description.text, record))
    paths: dict[str, int] = {}
    for description in written:
        paths[description.path] = paths.get(description.path, 0) + 1
    count = len(written)
    return {
        "descriptions": count,
        "writer_version": WRITER_VERSION,
        "share_unsupported_new_checker": sum(new) / count,
        "share_unsupported_old_checker": sum(old) / count,
        "share_with_wording_findings": sum(wording) / count,
        "share_unsupported_first_drafts": sum(d.first_draft_unsupported > 0 for d in written)
        / count,
        "share_with_sentences_dropped_at_publishing": sum(d.dropped > 0 for d in written) / count,
        "fallback_rate": paths.get("record", 0) / count,
        "sentences_from_model": from_model / max(1, published),
        "copy_ratio": statistics.mean(copied),
        "attribute_recall": statistics.mean(recalls),
        "mean_words": statistics.mean(len(t.split()) for t in texts),
        "distinct_2": distinct_2(texts),
        "paths": paths,
    }


def write_samples(written: list[Written], records: dict[str, ProductRecord], header: str) -> None:
    """The 20 sample products' descriptions beside their records, for a person to read."""
    by_id = {description.product_id: description for description in written}
    lines = [f"# 20 descriptions beside their records\n\n{header}\n"]
    for product_id in SAMPLE_IDS:
        description, record = by_id.get(product_id), records[product_id]
        if description is None:
            continue
        checker = CopyChecker(record)
        rejected = [
            s for s in split_sentences(description.text) if not checker.sentence(s).supported
        ]
        lines.append(f"## {record.title}\n")
        lines.append(f"*{record.category} · {record.price} · id {record.id}*\n")
        lines.extend(f"- {bullet}" for bullet in record.bullets)
        lines.append(f"\n**Published ({description.path}):** {description.text}\n")
        if rejected:
            lines.append(f"*Rejected by the copy checker:* {' / '.join(rejected)}\n")
    (RESULTS / "describe_samples.md").write_text("\n".join(lines), encoding="utf-8")


def sample_records(records: dict[str, ProductRecord], size: int, seed: int) -> list[ProductRecord]:
    """The 20 sample products, then `size` others drawn with `random.Random(seed)`."""
    others = sorted(pid for pid in records if pid not in SAMPLE_IDS)
    drawn = random.Random(seed).sample(others, min(size, len(others)))
    return [records[pid] for pid in (*SAMPLE_IDS, *drawn)]


async def write_fresh(writer: DescriptionWriter, records: list[ProductRecord]) -> list[Written]:
    written: list[Written] = []
    with tqdm(total=len(records), desc="describing the sample", unit="product") as progress:
        for start in range(0, len(records), BATCH):
            batch = records[start : start + BATCH]
            written += [Written.of(d) for d in await writer.write_batch(batch)]
            progress.update(len(batch))
    return written


Pair = tuple[dict[str, Any], dict[str, Any]]  # (blind row, key row)


def clause_pairs(written: list[tuple[ProductRecord, Description]], seed: int) -> list[Pair]:
    """(blind, key) rows: the fact-only and the model's sentence in an order drawn by `seed`."""
    order = random.Random(seed)
    rows = []
    for record, description in written:
        for index, sentence in enumerate(description.sentences):
            if not sentence.model_draft:
                continue
            pair_id = f"{description.product_id}-s{index}"
            model_first = order.random() < 0.5
            first, second = (
                (sentence.model_draft, sentence.fact_only)
                if model_first
                else (sentence.fact_only, sentence.model_draft)
            )
            rows.append(
                (
                    {"id": pair_id, "title": record.title, "A": first, "B": second},
                    {
                        "id": pair_id,
                        "model": "A" if model_first else "B",
                        "gate_kept": not sentence.gate,
                        "gate_reason": sentence.gate,
                        "fact": sentence.fact,
                    },
                )
            )
    return rows


async def write_pairs(
    writer: DescriptionWriter, records: list[ProductRecord], minutes: float
) -> list[tuple[ProductRecord, Description]]:
    """Descriptions in batches until the time is spent (a batch already started finishes)."""
    written: list[tuple[ProductRecord, Description]] = []
    deadline = time.perf_counter() + minutes * 60
    with tqdm(total=len(records), desc="describing for pairs", unit="product") as progress:
        for start in range(0, len(records), BATCH):
            if time.perf_counter() > deadline:
                break
            batch = records[start : start + BATCH]
            written += zip(batch, await writer.write_batch(batch), strict=True)
            progress.update(len(batch))
    return written


def score_pairs(judged: Path) -> dict[str, Any]:
    """How often the model's sentence won against the fact-only one, by the blind judgments."""
    keys = {row["id"]: row for row in _jsonl(RESULTS / "clause_pairs_key.jsonl")}
    tally: dict[str, dict[str, int]] = {"all": {}, "gate_kept": {}, "gate_refused": {}}
    for verdict in _jsonl(judged):
        key = keys[verdict["id"]]
        outcome = (
            "same"
            if verdict["better"] == "same"
            else "model"
            if verdict["better"] == key["model"]
            else "fact_only"
        )
        for group in ("all", "gate_kept" if key["gate_kept"] else "gate_refused"):
            tally[group][outcome] = tally[group].get(outcome, 0) + 1
    return tally


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def print_table(result: dict[str, Any]) -> None:
    print(f"{'measure':<44}{'value':>10}")
    for key, value in result.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            print(
                f"{key:<44}{value:>10.3f}" if isinstance(value, float) else f"{key:<44}{value:>10}"
            )
    print(f"paths: {result['paths']}")


async def main(arguments: argparse.Namespace) -> None:
    if arguments.score is not None:
        print(json.dumps(score_pairs(arguments.score), indent=2))
        return
    catalog = Catalog(HOME / "catalog.db")
    ensure_demo_catalog(catalog, show_progress=False)
    records = {p.id: ProductRecord.from_product(p) for p in catalog.all()}
    generator = LocalCausalLM(lookup_tokens=0)
    generator.load()
    writer = DescriptionWriter(generator)
    settings: dict[str, Any] = {
        "writer": "SmolLM2, lookup_tokens=0",
        "version": WRITER_VERSION,
        "model_clauses": writer.model_clauses,
    }
    if arguments.pairs is not None:
        others = sorted(pid for pid in records if pid not in SAMPLE_IDS)
        drawn = random.Random(arguments.seed).sample(others, arguments.pairs)
        gated = DescriptionWriter(generator, model_clauses="gated")
        chosen = [records[pid] for pid in drawn if records[pid].language == "en"]
        described = await write_pairs(gated, chosen, arguments.minutes)
        rows = clause_pairs(described, arguments.seed)
        for name, part in (("clause_pairs_blind.jsonl", 0), ("clause_pairs_key.jsonl", 1)):
            lines = [json.dumps(row[part], ensure_ascii=False) for row in rows]
            (RESULTS / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        kept = sum(row[1]["gate_kept"] for row in rows)
        summary = {"products": len(described), "pairs": len(rows), "gate_kept": kept}
        settings |= {"pairs_drawn": arguments.pairs, "seed": arguments.seed, "mode": "gated"}
        write_results(RESULTS / "clause_pairs.json", summary, arguments, settings)
        print(f"{len(described)} products, {len(rows)} pairs, {kept} clauses the gate kept")
        return
    if arguments.sample is not None:
        chosen = sample_records(records, arguments.sample, arguments.seed)
        started = time.perf_counter()
        written = await write_fresh(writer, chosen)
        result = metrics(written, records)
        result["descriptions_per_minute_this_run"] = round(
            len(chosen) / ((time.perf_counter() - started) / 60), 2
        )
        settings |= {
            "sample": f"the 20 SAMPLE_IDS + {arguments.sample} drawn",
            "seed": arguments.seed,
        }
        header = (
            f"Writer v{WRITER_VERSION} (SmolLM2-135M, model clauses {writer.model_clauses}), "
            f"from the run of `python -m "
            f"bench.describe_catalog --sample {arguments.sample} --seed {arguments.seed}` "
            f"({len(chosen)} products); figures in describe_sample.json."
        )
        write_samples(written, records, header)
        write_results(RESULTS / "describe_sample.json", result, arguments, settings)
        print_table(result)
        return
    store = SqliteDescriptionStore(open_database(catalog.path))
    rate = await write_missing(writer, store, catalog)
    stored = [Written.of_stored(d) for d in await store.all() if d.version == WRITER_VERSION]
    result = metrics(stored, records)
    result["descriptions_per_minute_this_run"] = round(rate, 2)
    sample = random.Random(3).sample(sorted(records.values(), key=lambda r: r.id), SAMPLES)
    result["naive_whole_description"] = await naive_baseline(generator, sample)
    header = (
        f"Writer v{WRITER_VERSION} (SmolLM2-135M, model clauses {writer.model_clauses}), from the "
        "whole-catalog run (`python -m bench.describe_catalog`); figures in describe_catalog.json."
    )
    write_samples(stored, records, header)
    write_results(RESULTS / "describe_catalog.json", result, arguments, settings)
    print_table(result)
    naive = result["naive_whole_description"]["share_unsupported"]
    print(f"{'naive whole description: share unsupported':<44}{naive:>10.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, help="describe the 20 samples and N others")
    parser.add_argument("--seed", type=int, default=15, help="draws the N others")
    parser.add_argument("--pairs", type=int, help="blind clause pairs from N drawn products")
    parser.add_argument("--minutes", type=float, default=12.0, help="generation budget (pairs)")
    parser.add_argument("--score", type=Path, help="judged pairs: lines of {id, better}")
    asyncio.run(main(parser.parse_args()))
