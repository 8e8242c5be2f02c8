"""Evaluating an intent model: accuracy, macro-F1, per-intent scores, confusion matrix, report."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlu.training_data import Example

OUT_OF_SCOPE = "out_of_scope"


@dataclass
class IntentScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Evaluation:
    accuracy: float
    macro_f1: float
    examples: int
    per_intent: dict[str, IntentScores]
    confusion: dict[str, dict[str, int]]
    out_of_scope_recall: float | None = None
    by_language: dict[str, float] = field(default_factory=dict)
    threshold: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "examples": self.examples,
            "threshold": self.threshold,
            "out_of_scope_recall": self.out_of_scope_recall,
            "accuracy_by_language": self.by_language,
            "per_intent": {k: v.__dict__ for k, v in sorted(self.per_intent.items())},
        }


def apply_threshold(predicted: str, confidence: float, threshold: float | None) -> str:
    """Below the threshold the model is not trusted: the message is out of scope."""
    if threshold is not None and confidence < threshold:
        return OUT_OF_SCOPE
    return predicted


def score(gold: list[str], predicted: list[str], languages: list[str] | None = None) -> Evaluation:
    """Metrics over paired gold and predicted intents (gold labels define the intent set)."""
    labels = sorted(set(gold) | set(predicted))
    confusion: dict[str, dict[str, int]] = {g: dict(Counter()) for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] = confusion[g].get(p, 0) + 1
    per_intent: dict[str, IntentScores] = {}
    for label in sorted(set(gold)):
        tp = confusion[label].get(label, 0)
        predicted_as = sum(row.get(label, 0) for row in confusion.values())
        support = sum(confusion[label].values())
        precision = tp / predicted_as if predicted_as else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = IntentScores(precision, recall, f1, support)
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    by_language: dict[str, float] = {}
    if languages:
        for language in sorted(set(languages)):
            pairs = [
                (g, p)
                for g, p, lang in zip(gold, predicted, languages, strict=True)
                if lang == language
            ]
            by_language[language] = sum(g == p for g, p in pairs) / len(pairs)
    oos = per_intent.get(OUT_OF_SCOPE)
    return Evaluation(
        accuracy=correct / len(gold) if gold else 0.0,
        macro_f1=sum(s.f1 for s in per_intent.values()) / len(per_intent) if per_intent else 0.0,
        examples=len(gold),
        per_intent=per_intent,
        confusion=confusion,
        out_of_scope_recall=oos.recall if oos else None,
        by_language=by_language,
    )


def calibrate_threshold(
    gold: list[str], top: list[tuple[str, float]], candidates: list[float] | None = None
) -> float:
    """The confidence threshold (turning doubt into out_of_scope) with the best macro-F1."""
    candidates = candidates or [round(0.05 * i, 2) for i in range(0, 19)]
    best, best_f1 = 0.0, -1.0
    for threshold in candidates:
        predicted = [apply_threshold(name, conf, threshold) for name, conf in top]
        f1 = score(gold, predicted).macro_f1
        if f1 > best_f1 + 1e-9:
            best, best_f1 = threshold, f1
    return best


def write_report(evaluation: Evaluation, directory: Path, title: str) -> list[Path]:
    """`metrics.json`, `report.md` and `confusion.png` in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    metrics = directory / "metrics.json"
    metrics.write_text(json.dumps(evaluation.to_dict(), indent=2), encoding="utf-8")
    report = directory / "report.md"
    report.write_text(_markdown(evaluation, title), encoding="utf-8")
    picture = directory / "confusion.png"
    _confusion_png(evaluation, picture, title)
    return [metrics, report, picture]


def _markdown(evaluation: Evaluation, title: str) -> str:
    lines = [
        f"# {title}",
        "",
        f"- examples: {evaluation.examples}",
        f"- accuracy: {evaluation.accuracy:.4f}",
        f"- macro-F1: {evaluation.macro_f1:.4f}",
    ]
    if evaluation.threshold is not None:
        lines.append(f"- out-of-scope threshold: {evaluation.threshold:.2f}")
    if evaluation.out_of_scope_recall is not None:
        lines.append(f"- out-of-scope recall: {evaluation.out_of_scope_recall:.4f}")
    for language, accuracy in evaluation.by_language.items():
        lines.append(f"- accuracy ({language}): {accuracy:.4f}")
    lines += ["", "| intent | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for intent, s in sorted(evaluation.per_intent.items(), key=lambda item: item[1].f1):
        lines.append(
            f"| {intent} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} |"
        )
    confusions = sorted(
        ((n, g, p) for g, row in evaluation.confusion.items() for p, n in row.items() if g != p),
        reverse=True,
    )[:15]
    if confusions:
        lines += [
            "",
            "## Most frequent confusions",
            "",
            "| gold | predicted | count |",
            "|---|---|---|",
        ]
        lines += [f"| {g} | {p} | {n} |" for n, g, p in confusions]
    return "\n".join(lines) + "\n"


def _confusion_png(evaluation: Evaluation, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted(evaluation.confusion)
    matrix = [[evaluation.confusion[g].get(p, 0) for p in labels] for g in labels]
    size = max(6.0, 0.28 * len(labels) + 2)
    figure, axes = plt.subplots(figsize=(size, size))
    axes.imshow(matrix, cmap="Blues")
    if len(labels) <= 80:
        axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
        axes.set_yticks(range(len(labels)), labels, fontsize=6)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title(f"{title} (accuracy {evaluation.accuracy:.3f})")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def language_of(example: Example) -> str:
    from nlu.language import detect_language

    return detect_language(example.text)


def evaluate_classifier(
    classifier: Any, examples: list[Example], batch_size: int = 64, show_progress: bool = True
) -> Evaluation:
    """Rank every example (progress bar), apply the model's calibrated threshold, score."""
    from tqdm import tqdm

    top: list[tuple[str, float]] = []
    batches = range(0, len(examples), batch_size)
    for start in tqdm(batches, desc="evaluating", unit="batch", disable=not show_progress):
        chunk = examples[start : start + batch_size]
        top += [
            (r[0]["name"], r[0]["confidence"]) for r in classifier.rank([e.text for e in chunk])
        ]
    threshold = classifier.threshold
    predicted = [apply_threshold(name, confidence, threshold) for name, confidence in top]
    evaluation = score([e.intent for e in examples], predicted, [language_of(e) for e in examples])
    evaluation.threshold = threshold
    return evaluation
