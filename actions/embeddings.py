"""Sentence embeddings of products and queries with the same MiniLM encoder the intents use
(its pre-trained weights: search wants general similarity, not intent classes).

Products are embedded once per machine by `SentenceEncoder` (torch, float). A shopper's
query is embedded on every search, so it runs on the int8 ONNX export of the same weights
(`OnnxSentenceEncoder`), batched with the other queries waiting (`QueryEmbedder`). A fresh
search's query is known from its parse, so the interpreter's job embeds it right after reading
the message (`QueryEmbedder.embed_ahead`): the search then waits for the model once, not twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

from nlu.batching import MicroBatcher
from nlu.encoder import base_model_path, mean_pool

logger = logging.getLogger(__name__)

DIMENSIONS = 384
# Weights of the matrix products only, one scale per output channel: whole-graph per-tensor
# int8 drifted to cosine 0.955 (min 0.86) from the float vectors on bench/search_queries.yml,
# this to 0.992 (min 0.978), and it is the faster of the two. Part of the export's name.
EXPORT_RECIPE = "int8 per-channel MatMul v1"
# A vector embedded ahead waits this long for its search (a turn takes well under a second;
# the lock on a busy conversation can hold it longer) and at most this many wait at once.
AHEAD_KEPT_S = 10.0
AHEAD_KEPT = 256


class Encoder(Protocol):
    def load(self) -> None: ...

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray: ...


class SentenceEncoder:
    """Normalised mean-pooled MiniLM embeddings; loads on first use, thread-safe."""

    def __init__(self, max_length: int = 128) -> None:
        self._max_length = max_length
        self._lock = threading.Lock()
        self._model: object | None = None
        self._tokenizer: object | None = None

    def load(self) -> None:
        with self._lock:
            self._load()

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
        return np.concatenate(chunks) if chunks else np.zeros((0, DIMENSIONS), dtype=np.float32)


class _Pooled(torch.nn.Module):
    """The encoder with its pooling and normalisation, so the export returns the vector."""

    def __init__(self, model: Any) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return torch.nn.functional.normalize(mean_pool(hidden, attention_mask), dim=-1)


def export_directory(models: Path) -> Path:
    """Where the export of the installed base model lives (named by its weights' hash, so an
    upgraded package exports again)."""
    weights = sorted(base_model_path().glob("*.safetensors")) or sorted(
        base_model_path().glob("*.bin")
    )
    digest = hashlib.sha256(EXPORT_RECIPE.encode())
    for path in weights:
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return models / f"search-encoder-{digest.hexdigest()[:12]}"


def ensure_search_export(models: Path) -> Path:
    """Export the pooled encoder to ONNX and quantize its weights to int8, once per machine.
    Files are written under a staging name and renamed, so processes may share the folder."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    directory = export_directory(models)
    target = directory / "model.int8.onnx"
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    logger.info("exporting the search encoder to ONNX int8 in %s", directory)
    float_path = directory / f".model.{os.getpid()}.onnx"
    example = torch.tensor([[101, 2265, 2033, 12191, 102]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Pooled(AutoModel.from_pretrained(base_model_path()).eval()),
            (example, torch.ones_like(example)),
            str(float_path),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "length"},
                "attention_mask": {0: "batch", 1: "length"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    staging = directory / f".model.int8.{os.getpid()}.onnx"
    quantize_dynamic(
        str(float_path),
        str(staging),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )
    float_path.unlink()
    staging.replace(target)
    return target


class OnnxSentenceEncoder:
    """`SentenceEncoder`'s vectors from the int8 export (exported on first use, once per
    machine), loaded on first use; bench/search_encoder.py measures its speed and how close
    its vectors are to the float ones."""

    def __init__(self, models: Path, max_length: int = 128, threads: int | None = None) -> None:
        self._models = models
        self._max_length = max_length
        self._threads = threads or min(4, os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    def load(self) -> None:
        import onnxruntime

        with self._lock:
            if self._session is not None:
                return
            path = ensure_search_export(self._models)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.inter_op_num_threads = 1
            # idle pool threads sleep instead of spinning: the spin takes the core the event loop
            # needs between batches (2 cores: model threads and the loop share them)
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._tokenizer = AutoTokenizer.from_pretrained(base_model_path())
            self._session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        self.load()
        # one caller at a time: a fast tokenizer called from two threads at once fails
        # ("Already borrowed"), and two callers exist where the interpreter and the query
        # batcher are given threads of their own (tests, `shopbot chat`, the story runner)
        with self._lock:
            return self._encode(texts, batch_size)

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        chunks = []
        for start in range(0, len(texts), batch_size):
            batch = self._tokenizer(
                texts[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=self._max_length,
                return_tensors="np",
            )
            feed = {
                "input_ids": batch["input_ids"].astype(np.int64),
                "attention_mask": batch["attention_mask"].astype(np.int64),
            }
            (vectors,) = self._session.run(["embedding"], feed)
            chunks.append(np.asarray(vectors, dtype=np.float32))
        return np.concatenate(chunks) if chunks else np.zeros((0, DIMENSIONS), dtype=np.float32)


class QueryEmbedder:
    """One text's vector at a time for the actions; texts that wait together are encoded as
    one batch on the model worker the intent model also runs on, so two models never fight
    over the cores."""

    def __init__(
        self,
        encoder: Encoder,
        worker: Executor | None = None,
        max_waiting: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.encoder = encoder
        self._clock = clock
        self._batcher: MicroBatcher[str, np.ndarray] = MicroBatcher(
            self._encode, max_batch=32, max_waiting=max_waiting, worker=worker
        )
        # vectors embedded ahead of the search that will ask for them, oldest first: one
        # each, used once, so a text repeated by other shoppers is embedded for each of them
        self._ahead: deque[tuple[float, str, np.ndarray]] = deque()
        self._ahead_lock = threading.Lock()

    def _encode(self, texts: list[str]) -> list[np.ndarray]:
        return list(self.encoder.encode(texts))

    def embed_ahead(self, texts: list[str]) -> None:
        """Embed now (blocking: on the model thread, in the job that read the messages) what
        searches are about to ask for, so a search waits for the model once, not twice."""
        vectors = self.encoder.encode(texts)
        now = self._clock()
        with self._ahead_lock:
            self._forget_stale(now)
            self._ahead.extend(
                (now, text, vector) for text, vector in zip(texts, vectors, strict=True)
            )

    def _forget_stale(self, now: float) -> None:
        """Drop what no search came for (the policy chose another action)."""
        while self._ahead and (
            now - self._ahead[0][0] > AHEAD_KEPT_S or len(self._ahead) > AHEAD_KEPT
        ):
            self._ahead.popleft()

    def _embedded_ahead(self, text: str) -> np.ndarray | None:
        with self._ahead_lock:
            self._forget_stale(self._clock())
            for index, (_, ahead, vector) in enumerate(self._ahead):
                if ahead == text:
                    del self._ahead[index]
                    return vector
        return None

    async def embed(self, text: str) -> np.ndarray:
        ahead = self._embedded_ahead(text)
        if ahead is not None:
            return ahead
        return await self._batcher.submit(text)

    async def embed_many(self, texts: list[str]) -> np.ndarray:
        """Several texts (a policy book) as one matrix."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack(await asyncio.gather(*(self.embed(text) for text in texts)))

    async def close(self) -> None:
        await self._batcher.close()
