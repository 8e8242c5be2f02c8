"""Intent accuracy before and after a change to the training data, on every held-out set.

Run: `.venv/bin/python -m bench.intent_heldout --before <commit> [--models DIR]`. "Before" is
a model trained from `data/nlu.yml` as it was at `<commit>` (or `--before-model DIR`, a model
folder trained earlier, by the code of its day), "after" one trained from the file as it is
now, both with the service's recipe (cached under the models folder by a hash of data and
recipe, so a second run only evaluates); "after, encoder only" is the after model without
its character n-grams. Each is scored on data/nlu_test.yml, data/nlu_rough_test.yml and
data/eval/intents_fresh.yml (written by someone who never read the training data), with the
milliseconds per message of each (one message at a time, as a quiet service sees them):
accuracy, macro-F1, accuracy per language and out-of-scope recall,
with the model's calibrated out-of-scope threshold applied, as `shopbot eval` does; and
"+rules", the reading the service does (`ShopNLU.read`: typo correction against the demo
catalog's words, then the rule-read intents of `nlu.guards`: injections, keyboard mashes
and "stop" phrases, and the model's out-of-scope settled by a message's entities). Prints a
table and writes bench/results/intent_heldout.json; `--shop-report` also rewrites
bench/results/shop_heldout/ for the "after" model on data/nlu_test.yml.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog
from bench.provenance import write_results
from bot.settings import PROJECT_ROOT, load_settings
from nlu.classifier import IntentClassifier, ModelMeta
from nlu.evaluation import Evaluation, evaluate_classifier, language_of, score, write_report
from nlu.lookups import CatalogLookups
from nlu.model_store import ensure_intent_model
from nlu.pipeline import ShopNLU, recipe_from
from nlu.training_data import load_examples

RESULTS = Path(__file__).parent / "results" / "intent_heldout.json"
SHOP_REPORT = Path(__file__).parent / "results" / "shop_heldout"
TRAINING_DATA = "data/nlu.yml"
HELD_OUT = ("data/nlu_test.yml", "data/nlu_rough_test.yml", "data/eval/intents_fresh.yml")
LATENCY_MESSAGES = 100


def data_at(commit: str, folder: Path) -> Path:
    """`data/nlu.yml` as it was at `commit`, written into `folder`."""
    text = subprocess.run(
        ["git", "show", f"{commit}:{TRAINING_DATA}"],
        check=True,
        capture_output=True,
        cwd=PROJECT_ROOT,
    ).stdout
    path = folder / "nlu.yml"
    path.write_bytes(text)
    return path


def commit_of(revision: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", revision], check=True, capture_output=True, text=True, cwd=PROJECT_ROOT
    ).stdout.strip()


def training_figures(directory: Path) -> dict[str, Any]:
    """How the model was trained and how long it took (from its saved metadata)."""
    metrics = ModelMeta.read(directory).metrics
    return {
        "training_examples": metrics.get("train_examples", 0) + metrics.get("dev_examples", 0),
        "train_seconds": metrics.get("seconds"),
        "epochs_run": metrics.get("epochs_run"),
        "best_dev_accuracy": metrics.get("best_dev_accuracy"),
        "threshold": metrics.get("threshold"),
        "ngram_weight": metrics.get("ngram_weight", 0.0),
    }


def evaluation_figures(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "examples": evaluation.examples,
        "accuracy": evaluation.accuracy,
        "macro_f1": evaluation.macro_f1,
        "accuracy_by_language": evaluation.by_language,
        "out_of_scope_recall": evaluation.out_of_scope_recall,
        "per_intent_f1": {name: s.f1 for name, s in sorted(evaluation.per_intent.items())},
    }


def demo_lookups(folder: Path) -> CatalogLookups:
    """Brands, categories and words of the demo catalog, imported into `folder`."""
    catalog = Catalog(folder / "catalog.db")
    try:
        ensure_demo_catalog(catalog, show_progress=False)
    finally:
        catalog.close()
    return CatalogLookups.from_catalog(folder / "catalog.db")


def evaluate_reading(
    classifier: IntentClassifier, lookups: CatalogLookups, held_out: str
) -> Evaluation:
    """The service's reading of each example: the model, then typo correction and rules."""
    examples = load_examples(PROJECT_ROOT / held_out)
    reader = ShopNLU(classifier, lookups=lookups)
    rankings = classifier.rank([e.text for e in examples])
    predicted = [
        reader.read(e.text, ranking)["intent"]["name"]
        for e, ranking in zip(examples, rankings, strict=True)
    ]
    evaluation = score([e.intent for e in examples], predicted, [language_of(e) for e in examples])
    evaluation.threshold = classifier.threshold
    return evaluation


def milliseconds_per_message(classifier: IntentClassifier) -> float:
    """Median time to rank one message, over the shop set's first messages."""
    texts = [e.text for e in load_examples(PROJECT_ROOT / HELD_OUT[0])][:LATENCY_MESSAGES]
    classifier.rank(texts[:4])  # warm-up
    times = []
    for text in texts:
        started = time.perf_counter()
        classifier.rank([text])
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[len(times) // 2]


def evaluate_model(
    directory: Path, lookups: CatalogLookups, with_ngrams: bool = True
) -> tuple[dict[str, Any], dict[str, Evaluation], dict[str, Evaluation]]:
    """Score a trained model alone and as the service reads, and time it."""
    classifier = IntentClassifier.load(directory)
    if not with_ngrams:
        classifier.ngrams = None
    evaluations = {
        held_out: evaluate_classifier(
            classifier, load_examples(PROJECT_ROOT / held_out), show_progress=False
        )
        for held_out in HELD_OUT
    }
    readings = {held_out: evaluate_reading(classifier, lookups, held_out) for held_out in HELD_OUT}
    figures = {
        "model": str(directory),
        "character_ngrams": classifier.ngrams is not None and classifier.ngram_weight > 0,
        "ms_per_message": milliseconds_per_message(classifier),
    }
    return figures, evaluations, readings


def print_table(results: dict[str, dict[str, Any]]) -> None:
    header = (
        f"{'held-out set':<22}{'model':<30}{'n':>5}{'acc':>8}{'en':>8}{'zh':>8}"
        f"{'macro-F1':>10}{'oos recall':>12}{'ms/msg':>8}"
    )
    print(header)
    for held_out in HELD_OUT:
        for name, result in results.items():
            row = result["held_out"][held_out]
            languages = row["accuracy_by_language"]
            print(
                f"{Path(held_out).name:<22}{name:<30}{row['examples']:>5}{row['accuracy']:>8.3f}"
                f"{languages.get('en', 0.0):>8.3f}{languages.get('zh', 0.0):>8.3f}"
                f"{row['macro_f1']:>10.3f}{row['out_of_scope_recall'] or 0.0:>12.3f}"
                f"{result['ms_per_message']:>8.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    before = parser.add_mutually_exclusive_group(required=True)
    before.add_argument("--before", help="Commit whose data/nlu.yml is 'before'.")
    before.add_argument(
        "--before-model", type=Path, help="A trained model folder to score as 'before'."
    )
    parser.add_argument("--models", type=Path, help="Models folder (default: SHOPBOT_MODELS).")
    parser.add_argument(
        "--shop-report", action="store_true", help="Rewrite bench/results/shop_heldout/."
    )
    args = parser.parse_args()
    settings = load_settings(models=args.models) if args.models else load_settings()
    recipe = recipe_from(settings.nlu)
    results: dict[str, dict[str, Any]] = {}
    after_on_shop_set: Evaluation | None = None
    with tempfile.TemporaryDirectory() as folder:
        lookups = demo_lookups(Path(folder))
        before = args.before_model or ensure_intent_model(
            data_at(args.before, Path(folder)), settings.models, recipe
        )
        after = ensure_intent_model(settings.nlu_file, settings.models, recipe)
        rows = {
            "before": (before, True),
            "after": (after, True),
            "after, encoder only": (after, False),
        }
        for name, (directory, with_ngrams) in rows.items():
            model, evaluations, readings = evaluate_model(directory, lookups, with_ngrams)
            model.update(training_figures(directory))
            results[name] = {
                **model,
                "held_out": {k: evaluation_figures(v) for k, v in evaluations.items()},
            }
            results[f"{name}+rules"] = {
                **model,
                "held_out": {k: evaluation_figures(v) for k, v in readings.items()},
            }
            if name == "after":
                after_on_shop_set = evaluations[HELD_OUT[0]]
    print_table(results)
    if args.shop_report and after_on_shop_set is not None:
        write_report(after_on_shop_set, SHOP_REPORT, "Intent evaluation on nlu_test.yml")
    figures = {
        "before": commit_of(args.before) if args.before else str(args.before_model),
        "recipe": recipe.__dict__,
        **results,
    }
    write_results(RESULTS, figures, args, {"runtime": "torch", "held_out": list(HELD_OUT)})


if __name__ == "__main__":
    main()
