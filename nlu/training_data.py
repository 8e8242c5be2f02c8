"""Labelled examples from Rasa NLU YAML or CSV (`text,intent`)."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# `[500](price_max)` or `[red]{"entity": "color"}` -> `500` / `red`
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str


def strip_annotations(text: str) -> str:
    return _ANNOTATION.sub(r"\1", text)


def load_examples(path: Path, label_column: str = "intent") -> list[Example]:
    """Read examples from a `.yml`/`.yaml` Rasa NLU file or a `.csv` with `text,intent` columns."""
    if path.suffix.lower() == ".csv":
        return _load_csv(path, label_column)
    if path.suffix.lower() in (".yml", ".yaml"):
        return _load_rasa_yaml(path)
    raise ValueError(f"{path}: expected a .yml, .yaml or .csv file")


def _load_rasa_yaml(path: Path) -> list[Example]:
    with path.open(encoding="utf-8") as file:
        document = yaml.safe_load(file) or {}
    examples: list[Example] = []
    for block in document.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue  # synonyms, regexes, lookups: not intent examples
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = strip_annotations(line[2:].strip())
                if text:
                    examples.append(Example(text=text, intent=str(intent)))
    return examples


def _load_csv(path: Path, label_column: str) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        columns = set(reader.fieldnames or [])
        if not {"text", label_column} <= columns:
            raise ValueError(
                f"{path}: needs the columns text,{label_column} (found {sorted(columns)})"
            )
        return [
            Example(text=row["text"].strip(), intent=row[label_column].strip())
            for row in reader
            if row["text"] and row["text"].strip() and row[label_column]
        ]


def data_hash(path: Path, *extra: object) -> str:
    """Identifies a training run's inputs: the data file's bytes plus the recipe's settings."""
    digest = hashlib.sha256(path.read_bytes())
    for item in extra:
        digest.update(repr(item).encode())
    return digest.hexdigest()
