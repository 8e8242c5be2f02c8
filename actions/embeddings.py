"""Sentence embeddings of products and queries with the same MiniLM encoder the intents use
(its pre-trained weights: search wants general similarity, not intent classes)."""

from __future__ import annotations

import threading

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

from nlu.encoder import base_model_path, mean_pool


class SentenceEncoder:
    """Normalised mean-pooled MiniLM embeddings; loads on first use, thread-safe."""

    def __init__(self, max_length: int = 128) -> None:
        self._max_length = max_length
        self._lock = threading.Lock()
        self._model: object | None = None
        self._tokenizer: object | None = None

    def _load(self) -> tuple[object, object]:
        if self._model is None:
            self._tokenizer = AutoTokenizer.from_pretrained(base_model_path())
            self._model = AutoModel.from_pretrained(base_model_path()).eval()
        assert self._tokenizer is not None
        return self._tokenizer, self._model

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        with self._lock:
            tokenizer, model = self._load()
            chunks = []
            with torch.inference_mode():
                for start in range(0, len(texts), batch_size):
                    batch = tokenizer(  # type: ignore[operator]
                        texts[start : start + batch_size],
                        padding=True,
                        truncation=True,
                        max_length=self._max_length,
                        return_tensors="pt",
                    )
                    hidden = model(**batch).last_hidden_state  # type: ignore[operator]
                    pooled = mean_pool(hidden, batch["attention_mask"])
                    chunks.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(chunks) if chunks else np.zeros((0, 384), dtype=np.float32)
