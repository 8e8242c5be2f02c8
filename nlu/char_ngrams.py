"""Character n-gram features beside the encoder: a fastText-style linear intent model.

MiniLM's WordPiece reads Chinese one character at a time, and characters it never saw in
training are all the same [UNK]. Character 1–3-grams of the written text (hashed into a
fixed number of buckets, averaged, one linear layer) see "退款", "訂單" and "type-c"
directly. Its log-probabilities are added to the encoder's with a weight chosen on the
dev split (`fuse`); the n-gram pass costs microseconds per message.
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import load_file, save_file
from torch import nn

from nlu.chinese import to_simplified

NGRAM_FILE = "char_ngrams.safetensors"
BUCKETS = 1 << 16
MAX_CHARS = 256  # an intent is said in the first few words; longer text is cut, never scanned
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Full-width forms folded (NFKC), Traditional read as Simplified, lower case, one space."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
    return _SPACES.sub(" ", to_simplified(text).lower()).strip()


def ngram_ids(text: str, buckets: int = BUCKETS) -> list[int]:
    """Hashed character 1–3-grams of `text` with word boundaries marked (linear in length)."""
    padded = f" {normalise(text)} "
    ids = []
    for n in (1, 2, 3):
        for start in range(len(padded) - n + 1):
            gram = padded[start : start + n]
            if gram != " ":
                ids.append(zlib.crc32(f"{n}{gram}".encode()) % buckets)
    return ids or [0]


@dataclass(frozen=True)
class NgramRecipe:
    epochs: int = 30
    learning_rate: float = 0.05
    batch_size: int = 32
    seed: int = 13


class CharNgramModel:
    """Mean of the n-grams' weight rows plus a bias: logits for each label."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)

    def logits(self, texts: list[str]) -> np.ndarray:
        rows = [self.weights[ngram_ids(text, len(self.weights))].mean(axis=0) for text in texts]
        return np.stack(rows) + self.bias

    def save(self, directory: Path) -> None:
        save_file({"weights": self.weights, "bias": self.bias}, str(directory / NGRAM_FILE))

    @classmethod
    def load(cls, directory: Path) -> CharNgramModel | None:
        path = directory / NGRAM_FILE
        if not path.exists():
            return None
        tensors = load_file(str(path))
        return cls(tensors["weights"], tensors["bias"])

    @classmethod
    def train(
        cls, texts: list[str], targets: list[int], labels: int, recipe: NgramRecipe | None = None
    ) -> CharNgramModel:
        """Softmax regression on averaged n-gram rows (Adam, shuffled mini-batches)."""
        recipe = recipe or NgramRecipe()
        torch.manual_seed(recipe.seed)
        rng = random.Random(recipe.seed)
        # sparse rows: a batch touches a few thousand of the 65,536 buckets, so only those move
        bag = nn.EmbeddingBag(BUCKETS, labels, mode="mean", sparse=True)
        nn.init.zeros_(bag.weight)
        bias = nn.Parameter(torch.zeros(labels))
        optimizers = (
            torch.optim.SparseAdam([bag.weight], lr=recipe.learning_rate),
            torch.optim.Adam([bias], lr=recipe.learning_rate),
        )
        grams = [torch.tensor(ngram_ids(text)) for text in texts]
        order = list(range(len(texts)))
        loss_of = nn.CrossEntropyLoss()
        for _ in range(recipe.epochs):
            rng.shuffle(order)
            for start in range(0, len(order), recipe.batch_size):
                batch = order[start : start + recipe.batch_size]
                flat = torch.cat([grams[i] for i in batch])
                offsets = torch.tensor([0] + [len(grams[i]) for i in batch[:-1]]).cumsum(0)
                logits = bag(flat, offsets) + bias
                loss = loss_of(logits, torch.tensor([targets[i] for i in batch]))
                for optimizer in optimizers:
                    optimizer.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                for optimizer in optimizers:
                    optimizer.step()
        return cls(bag.weight.detach().numpy(), bias.detach().numpy())


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    result: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return result


def fuse(encoder_logits: np.ndarray, ngram_logits: np.ndarray, weight: float) -> np.ndarray:
    """Log-probabilities of both models added, the n-grams' scaled by `weight`."""
    return log_softmax(encoder_logits) + weight * log_softmax(ngram_logits)
