"""Train the copy checker's judge (`writer/claim_judge.py`) and estimate it out of fold first.

The judge sees only the sentences the rules reject and learns which of them are in fact
supported. Its honest estimate is leave-one-file-out cross-validation over the labelled
splits (dev, test, fresh to fresh15, fresh17 and fresh18; fresh16, fresh19 and fresh20 are
kept unread): train on all but one, score that one, and leave out of training every product
of it (dev and test share products; fresh9 on are new sentences about products earlier files
hold). The overturn threshold is chosen inside the training files alone, by the same
leave-one-file-out over them: the lowest threshold whose overturns keep the pooled recall at
or above `GOAL_RECALL` and lose at most `RECALL_LOSS` of the rules' own recall. Then the judge is
fitted on every file, its threshold chosen the same way, and written with the commit and the
files it came from.

The split the goal is judged on (`JUDGED_ON`) is never read here. scikit-learn fits;
inference is numpy.
`.venv/bin/python -m bench.train_claim_judge [--check-only]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.copy_claims import FRESH_FILES, GOAL_RECALL, JUDGED_ON, ROWS, catalog_records, split_rows
from bench.provenance import _git, write_results
from writer.claim_judge import FEATURES, WEIGHTS, common_words, features
from writer.copy_check import CopyChecker
from writer.records import ProductRecord

TRAINING_SPLITS = (
    "dev",
    "test",
    "fresh",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
    "fresh9",
    "fresh10",
    "fresh11",
    "fresh12",
    "fresh13",
    "fresh14",
    "fresh15",
    "fresh17",
    "fresh18",
)
RECALL_LOSS = 0.005  # the most recall the overturns may cost, out of fold
C = 5.0  # inverse L2 strength (0.05 to 50 read alike out of fold; 0.5 a little worse)
RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Row:
    split: str
    product_id: str
    supported: bool  # the label
    rejected: bool  # by the rules alone
    features: tuple[float, ...]


def collect(records: dict[str, ProductRecord]) -> list[Row]:
    """Every labelled row of the training splits, with the rules' verdict and the features."""
    if JUDGED_ON in TRAINING_SPLITS:
        raise SystemExit(f"{JUDGED_ON} judges the goal: it may not train the judge")
    rows: list[Row] = []
    common = common_words()
    for split in TRAINING_SPLITS:
        checkers: dict[str, CopyChecker] = {}
        for row in split_rows(split):
            pid = row["product_id"]
            checker = checkers.setdefault(pid, CopyChecker(records[pid]))
            verdict = checker.sentence(row["sentence"])
            rejected = verdict.rejected_by
            evidence = checker.evidence
            values = features(row["sentence"], rejected, evidence, common) if rejected else []
            rows.append(Row(split, pid, row["supported"], bool(rejected), tuple(values)))
    return rows


def fit(rows: list[Row]) -> dict[str, Any]:
    """A logistic regression on the rejected rows: P(supported)."""
    x = np.asarray([row.features for row in rows if row.rejected])
    y = np.asarray([row.supported for row in rows if row.rejected])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=2000)
    model.fit((x - mean) / scale, y)
    return {
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "weights": model.coef_[0].tolist(),
        "bias": float(model.intercept_[0]),
    }


def probabilities(params: dict[str, Any], rows: list[Row]) -> np.ndarray:
    """P(supported) for every row; 0 for the rows the rules accept (the judge never sees them)."""
    x = np.asarray([row.features if row.rejected else [0.0] * len(FEATURES) for row in rows])
    z = (x - np.asarray(params["mean"])) / np.asarray(params["scale"])
    p = 1.0 / (1.0 + np.exp(-(z @ np.asarray(params["weights"]) + params["bias"])))
    return np.where([row.rejected for row in rows], p, 0.0)


def scores(rows: list[Row], rejected: np.ndarray) -> dict[str, Any]:
    labels = np.asarray([not row.supported for row in rows])
    tp = int(np.sum(rejected & labels))
    fp = int(np.sum(rejected & ~labels))
    return {
        "rows": len(rows),
        "unsupported": int(labels.sum()),
        "rejected": tp + fp,
        "recall": tp / int(labels.sum()) if labels.sum() else None,
        "precision": tp / (tp + fp) if tp + fp else None,
    }


def judged(rows: list[Row], p: np.ndarray, threshold: float) -> np.ndarray:
    """The rules' rejections less the ones the judge overturns."""
    return np.asarray([row.rejected for row in rows]) & ~(p > threshold)


def choose_threshold(rows: list[Row], p: np.ndarray) -> float:
    """The lowest threshold whose overturns keep recall >= GOAL_RECALL and within RECALL_LOSS
    of the rules' recall on these (out-of-fold) probabilities."""
    rules = scores(rows, np.asarray([row.rejected for row in rows]))["recall"]
    floor = max(GOAL_RECALL, rules - RECALL_LOSS)
    for threshold in sorted({round(float(v), 4) for v in p if v > 0} | {0.5}):
        if threshold < 0.5:
            continue  # never overturn on a coin toss
        if scores(rows, judged(rows, p, threshold))["recall"] >= floor - 1e-12:
            return threshold
    return 1.0


def training_part(rows: list[Row], held_out: str) -> list[Row]:
    """The rows of the other files, less every product of the held-out file."""
    products = {row.product_id for row in rows if row.split == held_out}
    return [row for row in rows if row.split != held_out and row.product_id not in products]


def out_of_fold(rows: list[Row]) -> np.ndarray:
    """Each file's probabilities from a judge fitted on the other files (products apart)."""
    p = np.zeros(len(rows))
    for split in sorted({row.split for row in rows}):
        params = fit(training_part(rows, split))
        index = [i for i, row in enumerate(rows) if row.split == split]
        p[index] = probabilities(params, [rows[i] for i in index])
    return p


def threshold_for(rows: list[Row]) -> float:
    return choose_threshold(rows, out_of_fold(rows))


def cross_validate(rows: list[Row]) -> dict[str, Any]:
    """Leave one file out: the threshold from the other five files' own out-of-fold run."""
    folds: dict[str, Any] = {}
    for split in TRAINING_SPLITS:
        train = training_part(rows, split)
        threshold = threshold_for(train)
        params = fit(train)
        test = [row for row in rows if row.split == split]
        p = probabilities(params, test)
        folds[split] = {
            "threshold": threshold,
            "rules": scores(test, np.asarray([row.rejected for row in test])),
            "rules+judge": scores(test, judged(test, p, threshold)),
            "overturned": int(np.sum(p > threshold)),
        }
    return folds


def _fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def print_table(folds: dict[str, Any]) -> None:
    print(f"{'held out':<9}{'rows':>5}{'unsup':>6}  rules: {'recall':>6} {'prec':>6}  |  ", end="")
    print(f"rules+judge: {'recall':>6} {'prec':>6}  threshold  overturned")
    for split, fold in folds.items():
        rules, both = fold["rules"], fold["rules+judge"]
        print(
            f"{split:<9}{rules['rows']:>5}{rules['unsupported']:>6}         "
            f"{_fmt(rules['recall'])} {_fmt(rules['precision'])}  |               "
            f"{_fmt(both['recall'])} {_fmt(both['precision'])}  {fold['threshold']:9.4f}  "
            f"{fold['overturned']:>10}"
        )


def data_files() -> dict[str, str]:
    """The training files by name, each with the SHA-256 of its bytes."""
    paths = [ROWS] + [FRESH_FILES[s] for s in TRAINING_SPLITS if s in FRESH_FILES]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def judge_file(rows: list[Row]) -> dict[str, Any]:
    return {
        "about": "writer/claim_judge.py: P(supported) of a sentence the rules reject",
        "features": list(FEATURES),
        **fit(rows),
        "threshold": threshold_for(rows),
        "trained_at_commit": _git("rev-parse", "HEAD"),
        "trained_on": data_files(),
        "splits": list(TRAINING_SPLITS),
        "regularisation_c": C,
        "recall_loss": RECALL_LOSS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check-only", action="store_true", help="cross-validate only; keep claim_judge.json"
    )
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="where the judge is written")
    args = parser.parse_args()
    rows = collect(catalog_records())
    folds = cross_validate(rows)
    print_table(folds)
    write_results(
        RESULTS / "claim_judge_cv.json",
        {"folds": folds},
        arguments=args,
        settings={"splits": list(TRAINING_SPLITS), "C": C, "recall_loss": RECALL_LOSS},
    )
    if not args.check_only:
        judge = judge_file(rows)
        args.out.write_text(json.dumps(judge, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out} (threshold {judge['threshold']})")


if __name__ == "__main__":
    main()
