"""Next-basket recommendations on Online Retail: popularity, item-kNN, EASE and ours, one run.

Run: `.venv/bin/python -m bench.recommender`. Reads ../shared/data/online_retail (never
copied into the repository), cleans it as its README says, holds out each customer's last
invoice and reports Recall@10/20 and NDCG@10/20 under protocol A (only items the customer
never bought before count; those are excluded from the list) and protocol B (repeat
purchases count). Our hyper-parameters are chosen on a validation split (each customer's
second-to-last invoice), never on the test invoices. Prints a table, writes
bench/results/recommender.json.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import itertools
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from actions.recommender import (
    Interaction,
    ItemModel,
    RecommenderConfig,
    fit,
    profiles,
    score_profiles,
)
from bench.provenance import write_results
from bot.settings import PROJECT_ROOT

DATA = Path(os.environ.get("SHOPBOT_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data"))
RESULTS = Path(__file__).parent / "results" / "recommender.json"
KS = (10, 20)


@dataclass
class Split:
    train: list[Interaction]
    test: dict[str, set[str]]  # customer -> items of the held-out invoice
    test_time: dict[str, float]


def read_purchases(path: Path) -> list[tuple[str, str, str, float]]:
    """(customer, invoice, item, time) of real purchases: no cancellations or returns."""
    rows = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            if not row["CustomerID"] or row["InvoiceNo"].startswith("C"):
                continue
            if float(row["Quantity"]) <= 0:
                continue
            when = datetime.fromisoformat(row["InvoiceDate"]).timestamp()
            rows.append((row["CustomerID"].split(".")[0], row["InvoiceNo"], row["StockCode"], when))
    return rows


def hold_out_last_invoice(rows: list[tuple[str, str, str, float]]) -> Split:
    invoices: dict[str, dict[str, float]] = defaultdict(dict)
    for customer, invoice, _, when in rows:
        invoices[customer][invoice] = when
    last = {c: max(inv, key=lambda i: (inv[i], i)) for c, inv in invoices.items() if len(inv) >= 2}
    train, test, test_time = [], defaultdict(set), {}
    for customer, invoice, item, when in rows:
        if last.get(customer) == invoice:
            test[customer].add(item)
            test_time[customer] = when
        else:
            train.append(Interaction(customer, item, when))
    return Split(train, dict(test), test_time)


def evaluate(
    split: Split,
    score_users: Callable[[list[str], list[float]], np.ndarray],
    items: list[str],
    protocol: str,
) -> dict[str, float]:
    """Recall and NDCG at each K over the test customers (batched scoring)."""
    index = {item: i for i, item in enumerate(items)}
    history: dict[str, set[int]] = defaultdict(set)
    for r in split.train:
        history[r.user].add(index[r.item])
    users = [u for u in split.test if u in history]
    totals = {f"{m}@{k}": 0.0 for m in ("recall", "ndcg") for k in KS}
    counted = 0
    started = time.perf_counter()
    for start in range(0, len(users), 512):
        batch = users[start : start + 512]
        all_scores = score_users(batch, [split.test_time[u] for u in batch])
        for row, user in zip(all_scores, batch, strict=True):
            seen = history[user]
            relevant = {index[i] for i in split.test[user] if i in index}
            if protocol == "A":
                relevant -= seen
                row[list(seen)] = -np.inf
            if not relevant:
                continue
            counted += 1
            top = np.argpartition(-row, max(KS))[: max(KS)]
            top = top[np.argsort(-row[top])]
            for k in KS:
                hits = [1.0 if i in relevant else 0.0 for i in top[:k]]
                totals[f"recall@{k}"] += sum(hits) / len(relevant)
                dcg = sum(h / np.log2(r + 2) for r, h in enumerate(hits))
                ideal = sum(1 / np.log2(r + 2) for r in range(min(k, len(relevant))))
                totals[f"ndcg@{k}"] += dcg / ideal
    elapsed = time.perf_counter() - started
    result = {name: value / counted for name, value in totals.items()}
    result["users"] = counted
    result["ms_per_user"] = 1000 * elapsed / max(1, len(users))
    return result


def user_matrix(
    split: Split,
    users: list[str],
    now: list[float],
    index: dict[str, int],
    half_life_days: float | None,
) -> np.ndarray:
    by_user: dict[str, list[Interaction]] = defaultdict(list)
    for r in split.train:
        by_user[r.user].append(r)
    matrix = np.zeros((len(users), len(index)), dtype=np.float32)
    for row, (user, when) in enumerate(zip(users, now, strict=True)):
        for r in by_user[user]:
            decay = 1.0
            if half_life_days:
                decay = 0.5 ** (max(0.0, when - r.timestamp) / (half_life_days * 86_400))
            matrix[row, index[r.item]] = max(matrix[row, index[r.item]], decay)
    return matrix


def models(split: Split) -> dict[str, tuple[float, list[str], Callable[..., np.ndarray]]]:
    """Name -> (fit seconds, items, scorer(config-dependent)) for the baselines."""
    items = sorted({r.item for r in split.train})
    index = {item: i for i, item in enumerate(items)}
    started = time.perf_counter()
    binary = user_matrix(
        split,
        sorted({r.user for r in split.train}),
        [0.0] * len({r.user for r in split.train}),
        index,
        None,
    )
    counts = binary.sum(axis=0)
    popularity_seconds = time.perf_counter() - started
    started = time.perf_counter()
    gram = binary.T @ binary
    norms = np.sqrt(np.diag(gram)) + 1e-9
    cosine = gram / norms[:, None] / norms[None, :]
    np.fill_diagonal(cosine, 0.0)
    knn_seconds = time.perf_counter() - started + popularity_seconds

    def popularity(users: list[str], now: list[float]) -> np.ndarray:
        return np.tile(counts, (len(users), 1)).astype(np.float64)

    def knn(users: list[str], now: list[float]) -> np.ndarray:
        return user_matrix(split, users, now, index, None) @ cosine

    return {
        "popularity": (popularity_seconds, items, popularity),
        "item-kNN cosine": (knn_seconds, items, knn),
    }


_FITS: dict[tuple[int, float], ItemModel] = {}


def ease_scorer(
    split: Split, config: RecommenderConfig
) -> tuple[float, list[str], Callable[..., np.ndarray]]:
    """The product's recommender (`actions.recommender`) as a batch scorer."""
    key = (id(split), config.l2)  # weights depend on data and λ; the rest acts when scoring
    if key not in _FITS:
        _FITS[key] = fit(split.train, config)
    model = dataclasses.replace(_FITS[key], config=config)
    by_user: dict[str, list[Interaction]] = defaultdict(list)
    for r in split.train:
        by_user[r.user].append(r)

    def score(users: list[str], now: list[float]) -> np.ndarray:
        return score_profiles(model, profiles(model, [by_user[u] for u in users], now), now)

    return model.fit_seconds, model.items, score


def tune(split: Split, protocol: str) -> RecommenderConfig:
    """Grid search on the validation split (second-to-last invoices)."""
    validation = hold_out_last_invoice(
        [(r.user, f"{r.user}:{r.timestamp}", r.item, r.timestamp) for r in split.train]
    )
    best, best_recall = RecommenderConfig(), -1.0
    l2s, half_lives, repeats = (500.0, 1000.0, 2000.0), (30.0, 90.0, 180.0), (0.0,)
    if protocol == "B":
        l2s, half_lives, repeats = (1000.0, 2000.0), (90.0, 180.0), (0.2, 0.4, 0.8)
    grid = itertools.product(l2s, half_lives, repeats, (0.0, 0.1, 0.2, 0.4))
    for l2, half_life, repeat, trend_weight in grid:
        config = RecommenderConfig(
            l2=l2, half_life_days=half_life, repeat_weight=repeat, trend_weight=trend_weight
        )
        _, items, scorer = ease_scorer(validation, config)
        recall = evaluate(validation, scorer, items, protocol)["recall@20"]
        if recall > best_recall:
            best, best_recall = config, recall
    print(f"protocol {protocol}: chose {best} (validation recall@20 {best_recall:.4f})")
    return best


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    rows = read_purchases(DATA / "online_retail" / "online_retail_2010_2011.csv.gz")
    split = hold_out_last_invoice(rows)
    print(
        f"{len(rows)} purchase lines, {len({r[0] for r in rows})} customers, "
        f"{len({r[2] for r in rows})} items; {len(split.test)} customers with a held-out invoice"
    )
    results: dict[str, dict[str, object]] = {}
    baselines = models(split)
    for protocol in ("A", "B"):
        contenders = dict(baselines)
        contenders["EASE λ=500"] = ease_scorer(split, RecommenderConfig(500.0, None, 0.0))
        chosen = tune(split, protocol)
        contenders["ours (recency EASE + repeats + trend)"] = ease_scorer(split, chosen)
        results.setdefault("chosen_config", {})[protocol] = chosen.__dict__
        for name, (fit_seconds, items, scorer) in contenders.items():
            metrics = evaluate(split, scorer, items, protocol)
            results.setdefault(name, {})[protocol] = {**metrics, "fit_seconds": fit_seconds}
    print(
        f"{'model':<40}{'A R@10':>8}{'A R@20':>8}{'A N@20':>8}{'B R@10':>8}{'B R@20':>8}"
        f"{'B N@20':>8}{'fit s':>7}{'ms/user':>8}"
    )
    for name, by_protocol in results.items():
        if name == "chosen_config":
            continue
        a, b = by_protocol["A"], by_protocol["B"]
        print(
            f"{name:<40}{a['recall@10']:>8.4f}{a['recall@20']:>8.4f}{a['ndcg@20']:>8.4f}"
            f"{b['recall@10']:>8.4f}{b['recall@20']:>8.4f}{b['ndcg@20']:>8.4f}"
            f"{b['fit_seconds']:>7.1f}{b['ms_per_user']:>8.2f}"
        )
    write_results(RESULTS, results)


if __name__ == "__main__":
    main()
