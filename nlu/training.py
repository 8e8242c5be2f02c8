"""Fine-tuning MiniLM for intents: AdamW, warm-up then linear decay, dev split, early stopping."""

from __future__ import annotations

import copy
import logging
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn
from tqdm import tqdm
from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

from nlu.char_ngrams import CharNgramModel
from nlu.chinese import to_simplified
from nlu.classifier import HEAD_FILE, IntentClassifier, ModelMeta
from nlu.encoder import IntentNetwork, base_model_path
from nlu.evaluation import OUT_OF_SCOPE, calibrate_threshold
from nlu.training_data import Example

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingRecipe:
    # Part of the cache key: bump when a change to the training code changes the model.
    code_version: int = 6
    epochs: int = 12
    batch_size: int = 32
    learning_rate: float = 1e-4
    head_learning_rate: float = 2e-3
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    dev_fraction: float = 0.1
    patience: int = 4
    min_epochs: int = 6
    max_length: int = 48
    seed: int = 13


@dataclass(frozen=True)
class TrainingReport:
    seconds: float
    epochs_run: int
    best_dev_accuracy: float
    train_examples: int
    dev_examples: int
    threshold: float | None = None
    ngram_weight: float = 0.0


# weights tried for the character n-grams beside the encoder; 0 leaves the encoder alone
NGRAM_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def extend_vocabulary(tokenizer: Any, encoder: Any, texts: list[str]) -> int:
    """Give Han characters of the training data their own tokens.

    MiniLM's English vocabulary knows only a few hundred Han characters, so most Chinese
    text would read as [UNK]. New tokens start at the mean embedding and are learnt
    during fine-tuning.
    """
    vocabulary = tokenizer.get_vocab()
    characters = sorted({ch for text in texts for ch in _HAN.findall(text)} - set(vocabulary))
    if not characters:
        return 0
    tokenizer.add_tokens(characters)
    embeddings = encoder.get_input_embeddings().weight
    mean = embeddings.detach().mean(dim=0)
    encoder.resize_token_embeddings(len(tokenizer))
    with torch.no_grad():
        encoder.get_input_embeddings().weight[-len(characters) :] = mean
    return len(characters)


def _parameter_groups(
    network: IntentNetwork, added_tokens: int, recipe: TrainingRecipe
) -> list[dict[str, Any]]:
    """Encoder at a fine-tuning rate; head and new character embeddings at a fast rate.

    Pre-trained word embeddings stay as they are (their gradient is masked), so the fast
    rate only moves the rows of newly added characters.
    """
    embeddings = network.encoder.get_input_embeddings().weight
    if added_tokens:
        trainable_rows = torch.zeros(embeddings.shape[0], 1)
        trainable_rows[-added_tokens:] = 1.0
        embeddings.register_hook(lambda grad: grad * trainable_rows)
    else:
        embeddings.requires_grad_(False)
    encoder_rest = [p for p in network.encoder.parameters() if p is not embeddings]
    return [
        {"params": encoder_rest, "lr": recipe.learning_rate, "weight_decay": recipe.weight_decay},
        {"params": [embeddings], "lr": recipe.head_learning_rate, "weight_decay": 0.0},
        {
            "params": network.head.parameters(),
            "lr": recipe.head_learning_rate,
            "weight_decay": recipe.weight_decay,
        },
    ]


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def stratified_split(
    examples: list[Example], fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """Hold out `fraction` of each intent (at least one when it has three or more examples)."""
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example)
    rng = random.Random(seed)
    train: list[Example] = []
    dev: list[Example] = []
    for group in by_intent.values():
        group = list(group)
        rng.shuffle(group)
        take = int(len(group) * fraction) if len(group) >= 3 else 0
        take = max(take, 1) if len(group) >= 3 and fraction > 0 else take
        dev.extend(group[:take])
        train.extend(group[take:])
    return train, dev


def train_intent_model(
    examples: list[Example],
    output: Path,
    data_hash: str,
    recipe: TrainingRecipe | None = None,
    show_progress: bool = True,
) -> TrainingReport:
    """Fine-tune the whole encoder and a head; save the best dev checkpoint to `output`."""
    recipe = recipe or TrainingRecipe()
    set_seed(recipe.seed)
    started = time.perf_counter()
    labels = sorted({e.intent for e in examples})
    label_index = {label: i for i, label in enumerate(labels)}
    train, dev = stratified_split(examples, recipe.dev_fraction, recipe.seed)

    base = base_model_path()
    tokenizer = AutoTokenizer.from_pretrained(base)
    encoder = AutoModel.from_pretrained(base)
    added = extend_vocabulary(tokenizer, encoder, [to_simplified(e.text) for e in examples])
    if added:
        logger.info("added %d Chinese characters to the vocabulary", added)
    network = IntentNetwork(encoder, encoder.config.hidden_size, len(labels))
    steps_per_epoch = max(1, (len(train) + recipe.batch_size - 1) // recipe.batch_size)
    total_steps = steps_per_epoch * recipe.epochs
    step = _optimizer_step(network, added, recipe, total_steps)
    meta = ModelMeta(labels, data_hash, recipe.max_length, {})
    rng = random.Random(recipe.seed)

    best_accuracy, best_state, stale, epochs_run = -1.0, None, 0, 0
    progress = tqdm(
        total=total_steps, desc="training intents", unit="batch", disable=not show_progress
    )
    for _epoch in range(recipe.epochs):
        epochs_run += 1
        network.train()
        order = list(train)
        rng.shuffle(order)
        for start in range(0, len(order), recipe.batch_size):
            batch = order[start : start + recipe.batch_size]
            loss = step(_batch_loss(network, tokenizer, batch, label_index, recipe.max_length))
            progress.update(1)
            progress.set_postfix(loss=f"{loss:.3f}")
        accuracy = _accuracy(IntentClassifier(network, tokenizer, meta), dev or train)
        network.train()
        progress.set_postfix(dev_accuracy=f"{accuracy:.3f}")
        if accuracy > best_accuracy:
            best_accuracy, best_state, stale = accuracy, copy.deepcopy(network.state_dict()), 0
        else:
            stale += 1
            if stale >= recipe.patience and epochs_run >= recipe.min_epochs:
                break
    progress.close()
    if best_state is not None:
        network.load_state_dict(best_state)

    classifier = IntentClassifier(network, tokenizer, meta)
    ngrams, ngram_weight = _fit_char_ngrams(classifier, train, dev, label_index)
    meta = ModelMeta(labels, data_hash, recipe.max_length, {"ngram_weight": ngram_weight})
    classifier = IntentClassifier(network, tokenizer, meta, ngrams)
    threshold = _calibrated_threshold(classifier, dev)
    report = TrainingReport(
        seconds=time.perf_counter() - started,
        epochs_run=epochs_run,
        best_dev_accuracy=best_accuracy,
        train_examples=len(train),
        dev_examples=len(dev),
        threshold=threshold,
        ngram_weight=ngram_weight,
    )
    _save(
        network,
        tokenizer,
        ngrams,
        ModelMeta(labels, data_hash, recipe.max_length, report.__dict__),
        output,
    )
    logger.info("trained intent model in %.1fs, dev accuracy %.3f", report.seconds, best_accuracy)
    return report


_LOSS = nn.CrossEntropyLoss(label_smoothing=0.05)


def _batch_loss(
    network: IntentNetwork,
    tokenizer: Any,
    batch: list[Example],
    label_index: dict[str, int],
    max_length: int,
) -> torch.Tensor:
    encoded = tokenizer(
        [to_simplified(e.text) for e in batch],
        padding=True,
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
    )
    targets = torch.tensor([label_index[e.intent] for e in batch])
    loss: torch.Tensor = _LOSS(network(encoded["input_ids"], encoded["attention_mask"]), targets)
    return loss


def _optimizer_step(
    network: IntentNetwork, added: int, recipe: TrainingRecipe, total_steps: int
) -> Callable[[torch.Tensor], float]:
    """AdamW with linear warm-up and decay; the returned step backpropagates one batch's loss,
    clips the gradients, updates, and gives the loss back as a number."""
    optimizer = torch.optim.AdamW(_parameter_groups(network, added, recipe))
    scheduler = get_linear_schedule_with_warmup(  # type: ignore[no-untyped-call]
        optimizer, int(total_steps * recipe.warmup_ratio), total_steps
    )

    def step(loss: torch.Tensor) -> float:
        loss.backward()
        nn.utils.clip_grad_norm_(network.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        return float(loss.item())

    return step


def _fit_char_ngrams(
    classifier: IntentClassifier,
    train: list[Example],
    dev: list[Example],
    label_index: dict[str, int],
) -> tuple[CharNgramModel, float]:
    """Train the n-gram model on the training split; weigh it by dev accuracy beside the
    encoder (the smallest weight among equals, so it counts only where it helps)."""
    ngrams = CharNgramModel.train(
        [e.text for e in train], [label_index[e.intent] for e in train], len(label_index)
    )
    if not dev:
        return ngrams, 0.0
    classifier.network.eval()
    best_weight, best_accuracy = 0.0, -1.0
    for weight in NGRAM_WEIGHTS:
        meta = ModelMeta(
            classifier.labels, "", classifier.meta.max_length, {"ngram_weight": weight}
        )
        accuracy = _accuracy(
            IntentClassifier(classifier.network, classifier.tokenizer, meta, ngrams), dev
        )
        if accuracy > best_accuracy + 1e-9:
            best_weight, best_accuracy = weight, accuracy
    logger.info(
        "character n-grams weigh %.2f beside the encoder (dev %.3f)", best_weight, best_accuracy
    )
    return ngrams, best_weight


def _calibrated_threshold(classifier: IntentClassifier, dev: list[Example]) -> float | None:
    """The out-of-scope threshold with the best dev macro-F1 (only if out_of_scope is trained)."""
    if OUT_OF_SCOPE not in classifier.labels or not dev:
        return None
    classifier.network.eval()
    rankings = classifier.rank([e.text for e in dev])
    top = [(r[0]["name"], r[0]["confidence"]) for r in rankings]
    return calibrate_threshold([e.intent for e in dev], top)


def _accuracy(classifier: IntentClassifier, examples: list[Example], batch_size: int = 64) -> float:
    classifier.network.eval()
    correct = 0
    for start in range(0, len(examples), batch_size):
        batch = examples[start : start + batch_size]
        rankings = classifier.rank([e.text for e in batch])
        correct += sum(r[0]["name"] == e.intent for r, e in zip(rankings, batch, strict=True))
    return correct / max(1, len(examples))


def _save(
    network: IntentNetwork,
    tokenizer: object,
    ngrams: CharNgramModel,
    meta: ModelMeta,
    output: Path,
) -> None:
    """Write to a temporary folder, then rename: a crash never leaves a half-saved model."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(output.name + ".partial")
    if staging.exists():
        import shutil

        shutil.rmtree(staging)
    staging.mkdir()
    network.encoder.save_pretrained(staging / "encoder")
    tokenizer.save_pretrained(staging / "tokenizer")  # type: ignore[attr-defined]
    save_file(
        {k: v.contiguous() for k, v in network.head.state_dict().items()}, staging / HEAD_FILE
    )
    ngrams.save(staging)
    meta.write(staging)
    if output.exists():
        import shutil

        shutil.rmtree(output)
    staging.rename(output)
