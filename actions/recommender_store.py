"""Saving and loading the trained recommender (one `.npz` under the models folder)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from actions.recommender import ItemModel, RecommenderConfig

FILE = "recommender.npz"


def save_model(model: ItemModel, models: Path) -> Path:
    models.mkdir(parents=True, exist_ok=True)
    path = models / FILE
    staging = models / f".{FILE}.partial.npz"
    np.savez_compressed(
        staging,
        weights=model.weights,
        popularity=model.popularity,
        cumulative=model.cumulative,
        items=np.array(model.items),
        meta=np.array(
            json.dumps(
                {
                    "first_day": model.first_day,
                    "config": dataclasses.asdict(model.config),
                    "fit_seconds": model.fit_seconds,
                }
            )
        ),
    )
    staging.replace(path)
    return path


def load_model(models: Path) -> ItemModel | None:
    path = models / FILE
    if not path.exists():
        return None
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        return ItemModel(
            items=[str(item) for item in data["items"]],
            weights=data["weights"],
            popularity=data["popularity"],
            first_day=int(meta["first_day"]),
            cumulative=data["cumulative"],
            config=RecommenderConfig(**meta["config"]),
            fit_seconds=float(meta["fit_seconds"]),
        )
