"""Trained intent models cached under the models folder, keyed by a hash of data and recipe."""

from __future__ import annotations

import logging
from pathlib import Path

from nlu.classifier import META_FILE
from nlu.training import TrainingRecipe, train_intent_model
from nlu.training_data import data_hash, load_examples

logger = logging.getLogger(__name__)


def model_dir_for(models: Path, data_file: Path, recipe: TrainingRecipe) -> Path:
    return models / f"intents-{data_hash(data_file, recipe)[:16]}"


def ensure_intent_model(
    data_file: Path, models: Path, recipe: TrainingRecipe, show_progress: bool = True
) -> Path:
    """The cached model for this data and recipe, training it first if there is none."""
    directory = model_dir_for(models, data_file, recipe)
    if (directory / META_FILE).exists():
        logger.info("intent model up to date: %s", directory)
        return directory
    logger.info("training the intent model for %s (no cached model for this data)", data_file)
    examples = load_examples(data_file)
    train_intent_model(examples, directory, data_hash(data_file, recipe), recipe, show_progress)
    return directory
