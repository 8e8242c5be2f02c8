"""Intent classification speed and accuracy per runtime, side by side in one run.

Run: `.venv/bin/python -m bench.intent_latency`. For torch fp32, torch dynamic int8, ONNX
Runtime fp32 and ONNX Runtime int8: p50/p99 of one classification at batch 1, sentences/s
at batch 32, and accuracy on the held-out shop set (per language, out-of-scope recall).
Prints a table and writes bench/results/intent_latency.json.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bench.provenance import write_results
from bot.settings import PROJECT_ROOT, Settings
from nlu.classifier import RUNTIMES, IntentClassifier
from nlu.evaluation import evaluate_classifier
from nlu.pipeline import ShopNLU
from nlu.training_data import load_examples

RESULTS = Path(__file__).parent / "results" / "intent_latency.json"
SENTENCES = [
    "show me laptops under $800",
    "where is my order 384920174650213",
    "hi",
    "can i return headphones i opened last week and get my money back",
    "我想买一台游戏本",
    "does the second one have wifi 6e",
]


def latency_ms(classifier: IntentClassifier, rounds: int = 300) -> list[float]:
    times = []
    for i in range(rounds):
        text = SENTENCES[i % len(SENTENCES)]
        started = time.perf_counter()
        classifier.rank([text])
        times.append((time.perf_counter() - started) * 1000)
    return times


def throughput(classifier: IntentClassifier, batches: int = 20) -> float:
    batch = (SENTENCES * 6)[:32]
    started = time.perf_counter()
    for _ in range(batches):
        classifier.rank(batch)
    return 32 * batches / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--models",
        type=Path,
        default=PROJECT_ROOT / "models",
        help="Models folder (trained if empty).",
    )
    args = parser.parse_args()
    settings = Settings(models=args.models)
    directory = ShopNLU.prepare(settings.nlu, settings.nlu_file, settings.models)
    held_out = load_examples(PROJECT_ROOT / "data" / "nlu_test.yml")
    rows = {}
    for runtime in RUNTIMES:
        classifier = IntentClassifier.load(directory, runtime)
        latency_ms(classifier, 30)  # warm-up
        times = sorted(latency_ms(classifier))
        evaluation = evaluate_classifier(classifier, held_out, show_progress=False)
        rows[runtime] = {
            "p50_ms": statistics.median(times),
            "p99_ms": times[int(0.99 * (len(times) - 1))],
            "sentences_per_s_batch32": throughput(classifier),
            "accuracy": evaluation.accuracy,
            "accuracy_en": evaluation.by_language.get("en"),
            "accuracy_zh": evaluation.by_language.get("zh"),
            "out_of_scope_recall": evaluation.out_of_scope_recall,
            "macro_f1": evaluation.macro_f1,
        }
    print(
        f"{'runtime':<12}{'p50 ms':>8}{'p99 ms':>8}{'sent/s@32':>11}{'acc':>7}{'acc en':>8}"
        f"{'acc zh':>8}{'oos rec':>9}"
    )
    for runtime, row in rows.items():
        print(
            f"{runtime:<12}{row['p50_ms']:>8.2f}{row['p99_ms']:>8.2f}"
            f"{row['sentences_per_s_batch32']:>11.0f}{row['accuracy']:>7.3f}"
            f"{row['accuracy_en']:>8.3f}{row['accuracy_zh']:>8.3f}"
            f"{row['out_of_scope_recall']:>9.3f}"
        )
    payload = {
        "model": directory.name,
        "held_out_examples": len(held_out),
        "default_runtime": settings.nlu.runtime,
        "runtimes": rows,
    }
    write_results(RESULTS, payload, settings={"nlu": settings.nlu.model_dump()})


if __name__ == "__main__":
    main()
