"""BANKING77: our fine-tuning recipe on MiniLM-L6 against a frozen-MiniLM baseline, one run.

Run: `.venv/bin/python -m bench.banking77 [--epochs N]`. Reads ../shared/data/banking77
(never copied into the repository); prints a table and writes bench/results/banking77.json.
Published test accuracy: BERT-large fine-tuned 93.66, USE+ConveRT 93.36, frozen MiniLM +
logistic regression 80.0.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch
from transformers import AutoModel, AutoTokenizer

from bench.provenance import write_results
from bot.settings import PROJECT_ROOT
from nlu.classifier import IntentClassifier
from nlu.encoder import base_model_path, mean_pool
from nlu.evaluation import score
from nlu.training import TrainingRecipe, set_seed, train_intent_model
from nlu.training_data import Example, load_examples

DATA = Path(os.environ.get("SHOPBOT_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data"))
RESULTS = Path(__file__).parent / "results" / "banking77.json"


def embed(texts: list[str], batch_size: int = 128) -> torch.Tensor:
    tokenizer = AutoTokenizer.from_pretrained(base_model_path())
    encoder = AutoModel.from_pretrained(base_model_path()).eval()
    chunks = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(
                texts[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=64,
                return_tensors="pt",
            )
            hidden = encoder(**batch).last_hidden_state
            chunks.append(
                torch.nn.functional.normalize(mean_pool(hidden, batch["attention_mask"]), dim=-1)
            )
    return torch.cat(chunks)


def frozen_baseline(train: list[Example], test: list[Example]) -> tuple[float, float]:
    """Frozen MiniLM sentence embeddings + multinomial logistic regression (L2, full batch)."""
    started = time.perf_counter()
    set_seed(0)
    labels = sorted({e.intent for e in train})
    index = {label: i for i, label in enumerate(labels)}
    x_train, x_test = embed([e.text for e in train]), embed([e.text for e in test])
    y_train = torch.tensor([index[e.intent] for e in train])
    model = torch.nn.Linear(x_train.shape[1], len(labels))
    optimizer = torch.optim.LBFGS(model.parameters(), max_iter=500, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x_train * 10), y_train)
        loss = loss + 1e-4 * model.weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.inference_mode():
        predicted = [labels[i] for i in model(x_test * 10).argmax(dim=1).tolist()]
    accuracy = score([e.intent for e in test], predicted).accuracy
    return accuracy, time.perf_counter() - started


def fine_tuned(
    train: list[Example], test: list[Example], recipe: TrainingRecipe
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        report = train_intent_model(train, Path(folder) / "banking77", "banking77", recipe)
        classifier = IntentClassifier.load(Path(folder) / "banking77")
        predicted: list[str] = []
        for start in range(0, len(test), 128):
            rankings = classifier.rank([e.text for e in test[start : start + 128]])
            predicted += [r[0]["name"] for r in rankings]
    evaluation = score([e.intent for e in test], predicted)
    return {
        "accuracy": evaluation.accuracy,
        "macro_f1": evaluation.macro_f1,
        "train_seconds": report.seconds,
        "epochs_run": report.epochs_run,
        "best_dev_accuracy": report.best_dev_accuracy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--dev-fraction", type=float, default=0.05)
    args = parser.parse_args()
    folder = DATA / "banking77"
    train = load_examples(folder / "train.csv", label_column="category")
    test = load_examples(folder / "test.csv", label_column="category")
    baseline_accuracy, baseline_seconds = frozen_baseline(train, test)
    recipe = TrainingRecipe(
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        max_length=args.max_length,
        dev_fraction=args.dev_fraction,
        patience=3,
        min_epochs=args.epochs // 2,
    )
    ours = fine_tuned(train, test, recipe)
    results = {
        "train_examples": len(train),
        "test_examples": len(test),
        "recipe": recipe.__dict__,
        "frozen_minilm_logreg": {"accuracy": baseline_accuracy, "seconds": baseline_seconds},
        "fine_tuned_minilm": ours,
        # the literature's figures for other models, for scale; ours are all measured above
        "published_elsewhere": {"bert_large": 0.9366, "use_convert": 0.9336},
    }
    print(f"{'model':<34}{'test accuracy':>14}{'seconds':>10}")
    print(
        f"{'frozen MiniLM + logistic regr.':<34}{baseline_accuracy:>14.4f}{baseline_seconds:>10.0f}"
    )
    print(
        f"{'fine-tuned MiniLM (ours)':<34}{ours['accuracy']:>14.4f}{ours['train_seconds']:>10.0f}"
    )
    print(f"{'BERT-large (published elsewhere)':<34}{0.9366:>14.4f}{'':>10}")
    write_results(RESULTS, results, args)


if __name__ == "__main__":
    main()
