"""Intent prediction with a fine-tuned model: preprocess -> _forward -> postprocess."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedTokenizerBase

from bot.interpreter import IntentScore
from nlu.encoder import IntentNetwork

META_FILE = "meta.json"
HEAD_FILE = "head.safetensors"


@dataclass(frozen=True)
class ModelMeta:
    labels: list[str]
    data_hash: str
    max_length: int
    metrics: dict[str, Any]

    @classmethod
    def read(cls, directory: Path) -> ModelMeta:
        raw = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        return cls(raw["labels"], raw["data_hash"], raw["max_length"], raw.get("metrics", {}))

    def write(self, directory: Path) -> None:
        payload = {
            "labels": self.labels,
            "data_hash": self.data_hash,
            "max_length": self.max_length,
            "metrics": self.metrics,
        }
        (directory / META_FILE).write_text(json.dumps(payload, indent=2), encoding="utf-8")


class IntentClassifier:
    """Ranks every known intent for each text; thread-safe for one caller at a time."""

    def __init__(
        self,
        network: IntentNetwork,
        tokenizer: PreTrainedTokenizerBase,
        meta: ModelMeta,
    ) -> None:
        self.network = network.eval()
        self.tokenizer = tokenizer
        self.meta = meta

    @classmethod
    def load(cls, directory: Path, quantize: bool = False) -> IntentClassifier:
        meta = ModelMeta.read(directory)
        config = AutoConfig.from_pretrained(directory / "encoder")
        encoder = AutoModel.from_pretrained(directory / "encoder", config=config)
        network = IntentNetwork(encoder, config.hidden_size, len(meta.labels))
        network.head.load_state_dict(load_file(directory / HEAD_FILE))
        if quantize:
            network = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                network, {torch.nn.Linear}, dtype=torch.qint8
            )
        tokenizer = AutoTokenizer.from_pretrained(directory / "tokenizer")
        return cls(network, tokenizer, meta)

    @property
    def labels(self) -> list[str]:
        return self.meta.labels

    def preprocess(self, texts: list[str]) -> dict[str, torch.Tensor]:
        encoded = self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self.meta.max_length,
            return_tensors="pt",
        )
        return {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"]}

    def _forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        with torch.inference_mode():
            logits: torch.Tensor = self.network(batch["input_ids"], batch["attention_mask"])
        return logits

    def postprocess(self, logits: torch.Tensor) -> list[list[IntentScore]]:
        probabilities = torch.softmax(logits.float(), dim=-1)
        rankings: list[list[IntentScore]] = []
        for row in probabilities.tolist():
            order = sorted(range(len(row)), key=row.__getitem__, reverse=True)
            rankings.append([IntentScore(name=self.labels[i], confidence=row[i]) for i in order])
        return rankings

    def rank(self, texts: list[str]) -> list[list[IntentScore]]:
        """The full intent ranking, most likely first, for each text."""
        if not texts:
            return []
        return self.postprocess(self._forward(self.preprocess(texts)))
