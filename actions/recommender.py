"""An item-to-item recommender fit from purchase (and view/cart) interactions.

EASE (Steck, 2019), a closed-form linear item-item model, scored with a recency-weighted
profile of the shopper. Two terms come on top, both measured to help on real next-basket
data: a repeat term (people buy again what they bought before) and a trend term (what
everyone bought in the last weeks: seasons move a gift shop more than any one profile).
With `half_life_days=None`, `repeat_weight=0` and `trend_weight=0` it is plain EASE.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

DAY = 86_400.0


@dataclass(frozen=True)
class Interaction:
    user: str
    item: str
    timestamp: float  # seconds since the epoch
    weight: float = 1.0  # purchase 1.0; add-to-cart and views count less


@dataclass
class RecommenderConfig:
    l2: float = 500.0
    half_life_days: float | None = 60.0
    repeat_weight: float = 0.0
    trend_weight: float = 0.0
    trend_days: float = 30.0


@dataclass
class ItemModel:
    """What `fit` learns: item ids, item-item weights, and daily item counts for trends."""

    items: list[str]
    weights: np.ndarray  # (n_items, n_items), zero diagonal
    popularity: np.ndarray  # interactions per item
    first_day: int
    cumulative: np.ndarray  # (n_days + 1, n_items): interactions before each day
    config: RecommenderConfig
    fit_seconds: float = 0.0
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {item: i for i, item in enumerate(self.items)}


def fit(interactions: Iterable[Interaction], config: RecommenderConfig) -> ItemModel:
    """Closed-form EASE on the binary user-item matrix: B = I - P / diag(P), P = (XᵀX + λI)⁻¹."""
    started = time.perf_counter()
    rows = list(interactions)
    users = {u: i for i, u in enumerate(sorted({r.user for r in rows}))}
    items = sorted({r.item for r in rows})
    item_index = {item: i for i, item in enumerate(items)}
    matrix = np.zeros((len(users), len(items)), dtype=np.float64)
    days = [int(r.timestamp // DAY) for r in rows]
    first_day = min(days) if days else 0
    daily = np.zeros(((max(days) - first_day + 1) if days else 1, len(items)), dtype=np.float32)
    for r, day in zip(rows, days, strict=True):
        matrix[users[r.user], item_index[r.item]] = 1.0
        daily[day - first_day, item_index[r.item]] += r.weight
    gram = matrix.T @ matrix
    gram[np.diag_indices_from(gram)] += config.l2
    precision = np.linalg.inv(gram)
    weights = -precision / np.diag(precision)
    weights[np.diag_indices_from(weights)] = 0.0
    cumulative = np.vstack([np.zeros((1, len(items)), np.float32), np.cumsum(daily, axis=0)])
    model = ItemModel(
        items, weights.astype(np.float32), matrix.sum(axis=0), first_day, cumulative, config
    )
    model.fit_seconds = time.perf_counter() - started
    return model


def profiles(
    model: ItemModel, histories: Sequence[Sequence[Interaction]], now: Sequence[float]
) -> np.ndarray:
    """Shoppers as vectors over items: each interaction decays with its age at `now`."""
    matrix = np.zeros((len(histories), len(model.items)), dtype=np.float32)
    half_life = model.config.half_life_days
    for row, (history, moment) in enumerate(zip(histories, now, strict=True)):
        for h in history:
            index = model.index.get(h.item)
            if index is None:
                continue
            age_days = max(0.0, moment - h.timestamp) / DAY
            decay = 0.5 ** (age_days / half_life) if half_life else 1.0
            matrix[row, index] = max(matrix[row, index], h.weight * decay)
    return matrix


def trend(model: ItemModel, now: Sequence[float]) -> np.ndarray:
    """Per request: each item's share of interactions in the `trend_days` before `now`."""
    last = len(model.cumulative) - 1
    end = np.clip(np.array([int(t // DAY) for t in now]) - model.first_day, 0, last)
    start = np.clip(end - int(model.config.trend_days), 0, last)
    counts = model.cumulative[end] - model.cumulative[start]
    shares: np.ndarray = counts / np.maximum(counts.max(axis=1, keepdims=True), 1.0)
    return shares


def score_profiles(model: ItemModel, users: np.ndarray, now: Sequence[float]) -> np.ndarray:
    """Scores for a batch of shopper profiles (rows of `users`)."""
    config = model.config
    result = users @ model.weights
    if config.trend_weight or config.repeat_weight:
        # put EASE on a per-shopper scale of 1 so the extra terms weigh the same for everyone
        result = result / np.maximum(np.abs(result).max(axis=1, keepdims=True), 1e-9)
    if config.repeat_weight:
        result = result + config.repeat_weight * users
    if config.trend_weight:
        result = result + config.trend_weight * trend(model, now)
    empty = ~users.any(axis=1)
    if empty.any():  # nobody known: what is popular
        result[empty] = model.popularity / max(1.0, float(model.popularity.max()))
    return np.asarray(result, dtype=np.float64)


def recommend(
    model: ItemModel,
    history: Sequence[Interaction],
    k: int = 10,
    exclude_seen: bool = True,
    now: float | None = None,
) -> list[str]:
    """The top `k` items for a shopper with this history (new items only, by default)."""
    moment = now if now is not None else max((h.timestamp for h in history), default=time.time())
    result = score_profiles(model, profiles(model, [history], [moment]), [moment])[0]
    if exclude_seen:
        for h in history:
            index = model.index.get(h.item)
            if index is not None:
                result[index] = -np.inf
    top = np.argsort(-result)[:k]
    return [model.items[i] for i in top if np.isfinite(result[i])]


def also_bought(model: ItemModel, item: str, k: int = 5) -> list[str]:
    """Items whose purchase the given item predicts most strongly."""
    index = model.index.get(item)
    if index is None:
        return []
    row = model.weights[index].astype(np.float64)
    row[index] = -np.inf
    top = np.argsort(-row)[:k]
    return [model.items[i] for i in top if row[i] > 0]
