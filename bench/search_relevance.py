"""Search relevance: are the shown products of the kind the shopper asked for, and is nothing
shown for what the store does not sell? The old search against the shipped one, and the
shipped one at several relevance floors.

Run: `.venv/bin/python -m bench.search_relevance [--models DIR] [--floors 0.25,0.3,...]
[--seed 7] [--baseline 83e6986]`. Every query of bench/search_queries.yml (labelled before
this bench first ran) goes through:

- baseline: `actions/products.py` as it was at `--baseline`, its `ActionSearchProducts.run`
  on a tracker whose entities are `extract_entities` of the raw text (no typo correction):
  hybrid search with no floor, the category dropped again when it leaves nothing;
- now: the shipped path, `ShopNLU.read` (typo correction, entities from the corrected text)
  and the shipped `ActionSearchProducts.run` (`search_request`, `_search`, `_nothing_found`);
- now at each floor of `--floors`: the same with `RELEVANCE_FLOOR` set to that floor.

Every system reads the demo catalog in a temporary home (product vectors from the models
folder's cache) with the real encoder; the intent is taken to be a product search, so
this measures the search, not the classifier in front of it. Per system: precision@5 of
the shown products in the expected category (macro over the category queries that showed
something), the share of category queries that showed nothing (misses), refusal recall
(not-sold queries answered with no products) and precision (refused queries that were truly
not sold), and the share of shown products above a stated budget. The floor is chosen on
one half of the queries (split by `--seed`, stratified) by the balanced score, the mean of
category precision with a miss counting 0 and refusal recall; the shipped floor is judged
against it on the other half (the difference with a 95% interval from resampling the
queries). The floor only acts on queries that name no category: for those, the
best product cosine on each side (sold, not sold) shows the margin a floor has. Prints
tables, writes bench/results/search_relevance.json.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.util
import json
import random
import re
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, cast
from unittest import mock

import numpy as np
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from tqdm import tqdm

from actions import products
from actions.catalog import fts_query
from actions.embeddings import OnnxSentenceEncoder, QueryEmbedder
from actions.money import MoneySettings, convert
from actions.shop import Shop, ShopConfig
from bench.provenance import write_results
from bot.domain import Domain
from bot.settings import load_settings
from bot.tracker import ConversationTracker, user_event
from nlu.classifier import IntentClassifier
from nlu.entities import extract_entities
from nlu.language import language_of
from nlu.lookups import CatalogLookups
from nlu.pipeline import ShopNLU
from nlu.results import IntentScore
from writer.settings import WriterSettings

QUERIES = Path(__file__).parent / "search_queries.yml"
RESULTS = Path(__file__).parent / "results" / "search_relevance.json"
SEARCH = IntentScore(name="search_product", confidence=1.0)
SHOWN = 5
BOOTSTRAP = 2000
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Labelled:
    text: str
    expect: tuple[str, ...]  # empty: the store does not sell it
    price_max: float | None  # in the store's currency
    typo: bool

    @property
    def sold(self) -> bool:
        return bool(self.expect)

    @property
    def chinese(self) -> bool:
        return bool(_CHINESE.search(self.text))


@dataclass(frozen=True)
class Shown:
    title: str
    category: str
    price: float | None


@dataclass(frozen=True)
class Answer:
    shown: list[Shown]
    offered: str | None  # the category a "nothing found" reply offers as a button

    def precision(self, expect: tuple[str, ...]) -> float:
        top = self.shown[:SHOWN]
        return sum(p.category in expect for p in top) / len(top) if top else 0.0

    def over_budget(self, price_max: float) -> int:
        return sum(p.price is None or p.price > price_max for p in self.shown[:SHOWN])


def load_queries(path: Path, categories: set[str], money: MoneySettings) -> list[Labelled]:
    """The labelled queries; a category the catalog lacks is a labelling mistake."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    queries = []
    for row in rows:
        expect = row["expect"]
        expect = () if expect == "none" else tuple([expect] if isinstance(expect, str) else expect)
        unknown = set(expect) - categories
        if unknown:
            raise SystemExit(f"{row['text']!r}: no such category {sorted(unknown)}")
        price_max = None
        if "price_max" in row:
            conversion = convert(float(row["price_max"]), row.get("currency"), money)
            if conversion is None:
                raise SystemExit(f"{row['text']!r}: no rate for {row.get('currency')}")
            price_max = conversion.converted
        queries.append(Labelled(str(row["text"]), expect, price_max, bool(row.get("typo"))))
    if len({q.text for q in queries}) != len(queries):
        raise SystemExit(f"{path}: a query is listed twice")
    return queries


def halves(queries: list[Labelled], seed: int) -> tuple[list[Labelled], list[Labelled]]:
    """Two halves with the same share of not-sold queries, shuffled by `seed`."""
    first: list[Labelled] = []
    second: list[Labelled] = []
    rng = random.Random(seed)
    for group in ([q for q in queries if q.sold], [q for q in queries if not q.sold]):
        shuffled = sorted(group, key=lambda q: q.text)
        rng.shuffle(shuffled)
        middle = (len(shuffled) + 1) // 2
        first += shuffled[:middle]
        second += shuffled[middle:]
    return first, second


class CachedEncoder(OnnxSentenceEncoder):
    """The shipped query encoder, each query encoded once for all systems."""

    def __init__(self, models: Path) -> None:
        super().__init__(models)
        self._seen: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, super().encode(missing, batch_size), strict=True))
        return np.stack([self._seen[t] for t in texts])


class _NoClassifier:
    """`ShopNLU.read` takes the ranking as given; it only asks for the threshold."""

    threshold = None


def baseline_products(commit: str) -> ModuleType:
    """`actions/products.py` as it was at `commit`, imported under another name."""
    source = subprocess.run(
        ["git", "show", f"{commit}:actions/products.py"], check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "baseline_products.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_products", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def tracker_for(text: str, parse: dict[str, Any], slots: dict[str, Any]) -> Tracker:
    """A fresh conversation whose only message is `text`, read as `parse`."""
    language = parse.get("language") or language_of(text) or "en"
    conversation = ConversationTracker("bench", {**slots, "language": language})
    conversation.apply(user_event(text, parse, "bench", "m1", {}))
    return Tracker.from_dict(conversation.to_dict())


async def answer(action: Any, tracker: Tracker) -> Answer:
    """What the action shows: its product cards, or the category its reply offers."""
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker, {})
    shown: list[Shown] = []
    offered = None
    for message in dispatcher.messages:
        cards = (message.get("custom") or {}).get("products") or []
        shown += [Shown(c["title"], c["category"], c["price"]) for c in cards]
        for button in message.get("buttons") or []:
            payload = str(button.get("payload") or "")
            if payload.startswith("/search_product"):
                offered = json.loads(payload[len("/search_product") :]).get("category")
    return Answer(shown, offered)


def metrics(queries: list[Labelled], answers: dict[str, Answer]) -> dict[str, Any]:
    """The figures of one system on `queries` (see the module docstring)."""
    sold = [q for q in queries if q.sold]
    not_sold = [q for q in queries if not q.sold]
    answered = [q for q in sold if answers[q.text].shown]
    refused = [q for q in queries if not answers[q.text].shown]
    budgeted = [q for q in queries if q.price_max is not None]
    shown_in_budget = sum(len(answers[q.text].shown[:SHOWN]) for q in budgeted)
    over = sum(answers[q.text].over_budget(q.price_max or 0.0) for q in budgeted)
    precision = [answers[q.text].precision(q.expect) for q in answered]
    category_score = sum(answers[q.text].precision(q.expect) for q in sold) / max(len(sold), 1)
    recall = sum(not answers[q.text].shown for q in not_sold) / max(len(not_sold), 1)
    return {
        "queries": len(queries),
        "category_queries": len(sold),
        "not_sold_queries": len(not_sold),
        "precision_at_5": sum(precision) / len(precision) if precision else None,
        "all_in_category": sum(p == 1.0 for p in precision),
        "miss_rate": (len(sold) - len(answered)) / max(len(sold), 1),
        "misses_offering_expected": sum(
            not answers[q.text].shown and answers[q.text].offered in q.expect for q in sold
        ),
        "refusal_recall": recall,
        "refusal_precision": (sum(not q.sold for q in refused) / len(refused) if refused else None),
        "refused": len(refused),
        "price_violation_rate": over / shown_in_budget if shown_in_budget else None,
        "budget_products_shown": shown_in_budget,
        "category_score": category_score,
        "balanced_score": (category_score + recall) / 2,
    }


def difference_interval(
    queries: list[Labelled], a: dict[str, Answer], b: dict[str, Answer], seed: int
) -> dict[str, Any]:
    """Balanced score of `b` minus `a`, with a 95% interval from resampling the queries
    (paired, each group apart), and how many queries the two answer differently."""
    groups = [[q for q in queries if q.sold], [q for q in queries if not q.sold]]

    def score(answers: dict[str, Answer], q: Labelled) -> float:
        return answers[q.text].precision(q.expect) if q.sold else float(not answers[q.text].shown)

    gaps = [np.array([score(b, q) - score(a, q) for q in group]) for group in groups]
    rng = np.random.default_rng(seed)
    draws = [
        np.mean([gap[rng.integers(0, len(gap), len(gap))].mean() for gap in gaps])
        for _ in range(BOOTSTRAP)
    ]
    return {
        "difference": float(np.mean([gap.mean() for gap in gaps])),
        "interval_95": [float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))],
        "queries_better": int(sum((gap > 0).sum() for gap in gaps)),
        "queries_worse": int(sum((gap < 0).sum() for gap in gaps)),
    }


def described(query: Labelled, reply: Answer, in_full: bool) -> dict[str, Any]:
    """One system's answer to one query for the results file: every shown product in full
    (baseline and shipped), else only how many were shown and how many were right."""
    if in_full:
        shown: Any = [f"{p.category} | {p.title[:60]} | {p.price}" for p in reply.shown]
    else:
        shown = len(reply.shown)
    return {
        "shown": shown,
        "in_expected": sum(p.category in query.expect for p in reply.shown[:SHOWN]),
        "offered": reply.offered,
    }


def wrong(query: Labelled, reply: Answer) -> bool:
    if not query.sold:
        return bool(reply.shown)
    return not reply.shown or reply.precision(query.expect) < 1.0


def choose_floor(first_half: dict[float, dict[str, Any]], shipped: float) -> float:
    """The best balanced score on the first half; among equals the one nearest the shipped."""
    return max(first_half, key=lambda f: (first_half[f]["balanced_score"], -abs(f - shipped), -f))


def _figure(value: float | None, percent: bool = True) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if percent else f"{value:.3f}"


def print_table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    header = (
        f"{'system':<16} {'P@5':>7} {'miss':>7} {'refuse R':>9} {'refuse P':>9} "
        f"{'>budget':>8} {'balanced':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, m in rows.items():
        print(
            f"{name:<16} {_figure(m['precision_at_5']):>7} {_figure(m['miss_rate']):>7} "
            f"{_figure(m['refusal_recall']):>9} {_figure(m['refusal_precision']):>9} "
            f"{_figure(m['price_violation_rate']):>8} {_figure(m['balanced_score'], False):>9}"
        )


def floor_margins(shop: Shop, readings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per query, what the floor works on: the category it names (then no floor applies) and
    the best cosine of any product (filters aside) to the text the search encodes (None:
    nothing to encode). Without a named category or filters, a query is refused exactly at
    a floor above its best cosine."""
    _, matrix = shop.catalog.vectors()
    margins = {}
    for text, reading in readings.items():
        encoded = str(reading.get("corrected_text") or text)
        named = next((e["value"] for e in reading["entities"] if e["entity"] == "category"), None)
        best = None
        if fts_query(encoded):
            best = float(np.max(matrix @ shop.queries.encoder.encode([encoded])[0]))
        margins[text] = {"named_category": named, "best_similarity": best}
    return margins


def print_margins(queries: list[Labelled], margins: dict[str, dict[str, Any]]) -> None:
    """The queries the floor decides, nearest the floor first on each side."""
    decided = [
        q
        for q in queries
        if margins[q.text]["named_category"] is None
        and margins[q.text]["best_similarity"] is not None
    ]
    sold = sorted((q for q in decided if q.sold), key=lambda q: margins[q.text]["best_similarity"])
    not_sold = sorted(
        (q for q in decided if not q.sold), key=lambda q: -margins[q.text]["best_similarity"]
    )
    print(
        f"\nthe floor decides {len(decided)} queries (no named category): "
        f"{len(sold)} sold, {len(not_sold)} not sold; best product cosine, nearest the floor:"
    )
    for label, group in (("sold, lowest", sold), ("not sold, highest", not_sold)):
        shown = ", ".join(f"{q.text!r} {margins[q.text]['best_similarity']:.3f}" for q in group[:6])
        print(f"  {label}: {shown}")


def open_shop(models: Path, money: MoneySettings, data_dir: Path, home: Path) -> Shop:
    """The demo catalog in `home`, its vectors from the models folder's cache."""
    config = ShopConfig(home, models, data_dir, WriterSettings(load_at_startup=False), money)
    shop = Shop.open(config, show_progress=False, load_models=False)
    encoder = CachedEncoder(models)
    shop.queries = QueryEmbedder(encoder)
    shop.encoder = encoder  # type: ignore[attr-defined]  # the baseline's products.py reads it
    return shop


async def run_systems(
    queries: list[Labelled],
    systems: dict[str, Callable[[Labelled], Awaitable[Answer]]],
) -> dict[str, dict[str, Answer]]:
    answers: dict[str, dict[str, Answer]] = {name: {} for name in systems}
    with tqdm(total=len(queries) * len(systems), desc="searching", unit="search") as bar:
        for name, system in systems.items():
            for query in queries:
                answers[name][query.text] = await system(query)
                bar.update()
    return answers


def _label(floor: float) -> str:
    return f"now@{floor:.2f}"


async def measure(options: argparse.Namespace) -> None:
    settings = load_settings(models=options.models)
    floors = sorted({float(f) for f in options.floors.split(",")} | {products.RELEVANCE_FLOOR})
    shipped = products.RELEVANCE_FLOOR
    old = baseline_products(options.baseline)
    domain = Domain.load(settings.domain_file)
    with tempfile.TemporaryDirectory() as home:
        shop = open_shop(settings.models, settings.money, settings.data_dir, Path(home))
        try:
            lookups = CatalogLookups.from_catalog(shop.catalog.path)
            queries = load_queries(QUERIES, set(lookups.categories), settings.money)
            nlu = ShopNLU(cast(IntentClassifier, _NoClassifier()), lookups=lookups)
            now_action = products.ActionSearchProducts(shop)
            old_action = old.ActionSearchProducts(shop)
            slots = domain.slot_defaults

            async def baseline(query: Labelled) -> Answer:
                parse = {
                    "text": query.text,
                    "intent": SEARCH,
                    "intent_ranking": [SEARCH],
                    "entities": extract_entities(query.text, lookups),
                }
                return await answer(old_action, tracker_for(query.text, parse, slots))

            def at_floor(floor: float) -> Callable[[Labelled], Awaitable[Answer]]:
                async def system(query: Labelled) -> Answer:
                    parse = dict(nlu.read(query.text, [SEARCH]))
                    with mock.patch.object(products, "RELEVANCE_FLOOR", floor):
                        return await answer(now_action, tracker_for(query.text, parse, slots))

                return system

            systems = {"baseline": baseline} | {_label(f): at_floor(f) for f in floors}
            answers = await run_systems(queries, systems)
            readings = {q.text: nlu.read(q.text, [SEARCH]) for q in queries}
            margins = floor_margins(shop, readings)
            catalog_size = shop.catalog.count()
        finally:
            await shop.aclose()
    report(options, queries, answers, floors, shipped, readings, margins, catalog_size)


def report(
    options: argparse.Namespace,
    queries: list[Labelled],
    answers: dict[str, dict[str, Answer]],
    floors: list[float],
    shipped: float,
    readings: dict[str, Any],
    margins: dict[str, dict[str, Any]],
    catalog_size: int,
) -> None:
    now = _label(shipped)
    everything = {name: metrics(queries, found) for name, found in answers.items()}
    rows = {(f"{n} shipped" if n == now else n): m for n, m in everything.items()}
    print_table(f"all {len(queries)} queries", rows)

    subsets = {
        "typo": [q for q in queries if q.typo],
        "chinese": [q for q in queries if q.chinese],
        "budget": [q for q in queries if q.price_max is not None],
        "clean english": [q for q in queries if not q.typo and not q.chinese],
    }
    by_subset = {
        label: {name: metrics(subset, answers[name]) for name in ("baseline", now)}
        for label, subset in subsets.items()
    }
    for label, rows_of in by_subset.items():
        print_table(f"{label} ({len(subsets[label])} queries)", rows_of)

    first, second = halves(queries, options.seed)
    first_half = {f: metrics(first, answers[_label(f)]) for f in floors}
    chosen = choose_floor(first_half, shipped)
    print_table(
        f"first half ({len(first)} queries, seed {options.seed}): choosing the floor",
        {_label(f): m for f, m in first_half.items()},
    )
    second_half = {
        "baseline": metrics(second, answers["baseline"]),
        f"shipped {shipped:.2f}": metrics(second, answers[now]),
        f"chosen {chosen:.2f}": metrics(second, answers[_label(chosen)]),
    }
    print_table(f"second half ({len(second)} queries): held out", second_half)
    print(f"\nbest floor on the first half: {chosen:.2f} (shipped: {shipped:.2f})")
    change = difference_interval(second, answers[now], answers[_label(chosen)], options.seed)
    low, high = change["interval_95"]
    print(
        f"second half, {chosen:.2f} minus {shipped:.2f}: balanced {change['difference']:+.3f} "
        f"(95% interval {low:+.3f} to {high:+.3f}); better on {change['queries_better']} "
        f"queries, worse on {change['queries_worse']}"
    )
    print_margins(queries, margins)

    mistakes = [
        {
            "text": q.text,
            "expect": list(q.expect) or "none",
            "corrected": readings[q.text].get("corrected_text"),
            "shown": [f"{p.category} | {p.title[:50]}" for p in answers[now][q.text].shown],
            "offered": answers[now][q.text].offered,
        }
        for q in queries
        if wrong(q, answers[now][q.text])
    ]
    print(f"\nshipped system wrong on {len(mistakes)} of {len(queries)} queries:")
    for m in mistakes:
        nothing = f"nothing (offers {m['offered']})"
        kinds = sorted({s.split(" | ")[0] for s in m["shown"]}) or [nothing]
        print(f"  {m['text']!r:<42} expect {m['expect']!s:<40.40} shown {'; '.join(kinds)}")

    per_query = [
        {
            "text": q.text,
            "expect": list(q.expect) or "none",
            "price_max": q.price_max,
            "typo": q.typo,
            "corrected": readings[q.text].get("corrected_text"),
            # the rules in front of the search may already refuse it (gibberish, injection)
            "read_intent": readings[q.text]["intent"]["name"],
            **margins[q.text],
            "half": 1 if q in first else 2,
            **{
                name: described(q, found[q.text], name in ("baseline", now))
                for name, found in answers.items()
            },
        }
        for q in queries
    ]
    figures: dict[str, Any] = {
        "baseline_commit": subprocess.run(
            ["git", "rev-parse", options.baseline], check=True, capture_output=True, text=True
        ).stdout.strip(),
        "shipped_floor": shipped,
        "floors": floors,
        "queries_sha256": hashlib.sha256(QUERIES.read_bytes()).hexdigest()[:16],
        "catalog_products": catalog_size,
        "all": everything,
        "subsets": by_subset,
        "split": {
            "seed": options.seed,
            "first_half": {_label(f): m for f, m in first_half.items()},
            "chosen_floor": chosen,
            "second_half": second_half,
            "second_half_chosen_minus_shipped": change,
        },
        "shipped_mistakes": mistakes,
        "per_query": per_query,
    }
    write_results(RESULTS, figures, options, {"results_shown": SHOWN})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, help="Models folder (default: SHOPBOT_MODELS).")
    parser.add_argument("--floors", default="0.25,0.30,0.35,0.40,0.45", help="floors to try")
    parser.add_argument("--seed", type=int, default=7, help="seed of the two halves")
    parser.add_argument("--baseline", default="83e6986", help="commit of the old search")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
