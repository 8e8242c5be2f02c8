"""Intent prediction with a fine-tuned model: preprocess -> _forward -> postprocess."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedTokenizerBase

from nlu.char_ngrams import CharNgramModel, fuse
from nlu.chinese import to_simplified
from nlu.encoder import IntentNetwork
from nlu.results import IntentScore

RUNTIMES = ("torch", "torch-int8", "onnx", "onnx-int8")
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
        ngrams: CharNgramModel | None = None,
    ) -> None:
        self.network = network.eval()
        self.tokenizer = tokenizer
        self.meta = meta
        self.ngrams = ngrams
        self.runtime = "torch"
        self._onnx: Callable[[dict[str, torch.Tensor]], torch.Tensor] | None = None

    @classmethod
    def load(cls, directory: Path, runtime: str = "torch") -> IntentClassifier:
        """Load a saved model to run on `runtime`: torch, torch-int8, onnx or onnx-int8."""
        if runtime not in RUNTIMES:
            raise ValueError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")
        meta = ModelMeta.read(directory)
        config = AutoConfig.from_pretrained(directory / "encoder")
        encoder = AutoModel.from_pretrained(directory / "encoder", config=config)
        network = IntentNetwork(encoder, config.hidden_size, len(meta.labels))
        network.head.load_state_dict(load_file(directory / HEAD_FILE))
        network.eval()
        tokenizer = AutoTokenizer.from_pretrained(directory / "tokenizer")
        if runtime == "torch-int8":
            network = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                network, {torch.nn.Linear}, dtype=torch.qint8
            )
        classifier = cls(network, tokenizer, meta, CharNgramModel.load(directory))
        if runtime.startswith("onnx"):
            from nlu.onnx_runtime import OnnxForward, ensure_onnx

            path = ensure_onnx(network, directory, int8=runtime == "onnx-int8")
            classifier._onnx = OnnxForward(path)
        classifier.runtime = runtime
        return classifier

    @property
    def labels(self) -> list[str]:
        return self.meta.labels

    @property
    def threshold(self) -> float | None:
        """Below this top confidence a message is out of scope (calibrated on the dev split)."""
        value = self.meta.metrics.get("threshold")
        return float(value) if value is not None else None

    @property
    def ngram_weight(self) -> float:
        """How much the character n-grams count beside the encoder (chosen on the dev split)."""
        return float(self.meta.metrics.get("ngram_weight") or 0.0)

    def preprocess(self, texts: list[str]) -> dict[str, torch.Tensor]:
        encoded = self.tokenizer(
            [to_simplified(text) for text in texts],
            padding=True,
            truncation=True,
            max_length=self.meta.max_length,
            return_tensors="pt",
        )
        return {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"]}

    def _forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        if self._onnx is not None:
            return self._onnx(batch)
        with torch.inference_mode():
            logits: torch.Tensor = self.network(batch["input_ids"], batch["attention_mask"])
        return logits

    def postprocess(self, logits: torch.Tensor, top: int | None = None) -> list[list[IntentScore]]:
        """Each text's intents, most likely first: all of them, or the `top` most likely."""
        probabilities = torch.softmax(logits.float(), dim=-1).numpy()
        # stable, so equal scores keep the label order as the sort it replaced did
        orders = np.argsort(-probabilities, axis=-1, kind="stable")[:, :top]
        return [
            [
                IntentScore(name=self.labels[i], confidence=c)
                for i, c in zip(order, row[order].tolist(), strict=True)
            ]
            for order, row in zip(orders.tolist(), probabilities, strict=True)
        ]

    def logits(self, texts: list[str]) -> torch.Tensor:
        """The encoder's logits, with the character n-grams' log-probabilities added when the
        model has them (`char_ngrams.fuse`)."""
        logits = self._forward(self.preprocess(texts))
        if self.ngrams is None or self.ngram_weight == 0.0:
            return logits
        fused = fuse(logits.float().numpy(), self.ngrams.logits(texts), self.ngram_weight)
        return torch.from_numpy(fused)

    def rank(self, texts: list[str], top: int | None = None) -> list[list[IntentScore]]:
        """The intent ranking, most likely first, for each text: in full, or its `top`."""
        if not texts:
            return []
        return self.postprocess(self.logits(texts), top)
