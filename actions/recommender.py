"""An item-to-item recommender fit from purchase (and view/cart) interactions.

The model is EASE (Steck, 2019: a closed-form linear item-item model) scored with a
recency-weighted profile of the shopper, plus a repeat-purchase term: shoppers of everyday
goods buy again what they bought before, and recent purchases say more about the next basket
than old ones. With `half_life_days=None` and `repeat_weight=0` it is plain EASE.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

SECONDS_PER_DAY = 86_400.0


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


@dataclass
class ItemModel:
    """What `fit` learns: item ids, the item-item weights and item popularity."""

    items: list[str]
    weights: np.ndarray  # (n_items, n_items), zero diagonal
    popularity: np.ndarray  # interaction counts per item
    config: RecommenderConfig
    fit_seconds: float = 0.0
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {item: i for i, item in enumerate(self.items)}


def fit_ease(interactions: Iterable[Interaction], config: RecommenderConfig) -> ItemModel:
    """Closed-form EASE on the binary user-item matrix: B = I - P / diag(P), P = (XᵀX + λI)⁻¹."""
    started = time.perf_counter()
    rows = list(interactions)
    users = {u: i for i, u in enumerate(sorted({r.user for r in rows}))}
    items = sorted({r.item for r in rows})
    item_index = {item: i for i, item in enumerate(items)}
    matrix = np.zeros((len(users), len(items)), dtype=np.float64)
    for r in rows:
        matrix[users[r.user], item_index[r.item]] = 1.0
    gram = matrix.T @ matrix
    gram[np.diag_indices_from(gram)] += config.l2
    precision = np.linalg.inv(gram)
    weights = -precision / np.diag(precision)
    weights[np.diag_indices_from(weights)] = 0.0
    model = ItemModel(items, weights.astype(np.float32), matrix.sum(axis=0), config)
    model.fit_seconds = time.perf_counter() - started
    return model


def profile(
    model: ItemModel, history: Sequence[Interaction], now: float | None = None
) -> np.ndarray:
    """The shopper as a vector over items: each interaction decays with its age."""
    vector = np.zeros(len(model.items), dtype=np.float32)
    if not history:
        return vector
    now = now if now is not None else max(h.timestamp for h in history)
    half_life = model.config.half_life_days
    for h in history:
        index = model.index.get(h.item)
        if index is None:
            continue
        decay = 1.0
        if half_life:
            decay = 0.5 ** (max(0.0, now - h.timestamp) / (half_life * SECONDS_PER_DAY))
        vector[index] += h.weight * decay
    return vector


def scores(
    model: ItemModel, history: Sequence[Interaction], now: float | None = None
) -> np.ndarray:
    """EASE scores from the decayed profile, plus the repeat term on the profile itself."""
    user = profile(model, history, now)
    if not user.any():
        return model.popularity.astype(np.float32) / max(1.0, float(model.popularity.max()))
    result = user @ model.weights
    if model.config.repeat_weight:
        result = result + model.config.repeat_weight * user
    return result


def recommend(
    model: ItemModel,
    history: Sequence[Interaction],
    k: int = 10,
    exclude_seen: bool = True,
    now: float | None = None,
) -> list[str]:
    """The top `k` items for a shopper with this history (new items only, by default)."""
    result = scores(model, history, now).astype(np.float64)
    if exclude_seen:
        for h in history:
            index = model.index.get(h.item)
            if index is not None:
                result[index] = -np.inf
    top = np.argpartition(-result, min(k, len(result) - 1))[:k]
    return [model.items[i] for i in top[np.argsort(-result[top])] if np.isfinite(result[i])]


def also_bought(model: ItemModel, item: str, k: int = 5) -> list[str]:
    """Items whose purchase the given item predicts most strongly."""
    index = model.index.get(item)
    if index is None:
        return []
    row = model.weights[index].astype(np.float64)
    row[index] = -np.inf
    top = np.argsort(-row)[:k]
    return [model.items[i] for i in top if row[i] > 0]
