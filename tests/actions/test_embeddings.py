"""The int8 query encoder against the float one the products are embedded with, and the
batcher that shares the app's model thread."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from actions.embeddings import (
    AHEAD_KEPT,
    AHEAD_KEPT_S,
    OnnxSentenceEncoder,
    QueryEmbedder,
    SentenceEncoder,
)
from tests.conftest import MODELS

QUERIES = [
    "noise cancelling headphones",
    "cheap laptop for school under $500",
    "65 inch tv",
    "有没有3000块以内的笔记本",
    "something to listen to music on the go",
]


@pytest.fixture(scope="module")
def int8_encoder() -> OnnxSentenceEncoder:
    encoder = OnnxSentenceEncoder(MODELS)
    encoder.load()
    return encoder


def test_int8_vectors_point_where_the_float_ones_do(int8_encoder: OnnxSentenceEncoder) -> None:
    """Product vectors are float: a query's int8 vector must stay close to its float one,
    and far from another query's."""
    float_vectors = SentenceEncoder().encode(QUERIES)
    int8_vectors = int8_encoder.encode(QUERIES)
    assert int8_vectors.shape == float_vectors.shape == (len(QUERIES), 384)
    assert np.allclose(np.linalg.norm(int8_vectors, axis=1), 1.0, atol=1e-3)
    similarity = int8_vectors @ float_vectors.T
    assert np.all(np.diag(similarity) > 0.97)
    # each query's nearest float vector is its own
    assert list(np.argmax(similarity, axis=1)) == list(range(len(QUERIES)))


async def test_waiting_queries_share_a_batch_on_the_given_thread(
    int8_encoder: OnnxSentenceEncoder,
) -> None:
    threads: list[str] = []
    batches: list[int] = []

    class Watched:
        def load(self) -> None:
            int8_encoder.load()

        def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
            threads.append(threading.current_thread().name)
            batches.append(len(texts))
            return int8_encoder.encode(texts, batch_size)

    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="models")
    queries = QueryEmbedder(Watched(), worker)
    try:
        vectors = await asyncio.gather(*(queries.embed(text) for text in QUERIES * 4))
    finally:
        await queries.close()
        worker.shutdown()
    # each gets its own vector (int8 activations are scaled per batch: close, not equal)
    expected = int8_encoder.encode(QUERIES * 4)
    assert np.all(np.sum(np.stack(vectors) * expected, axis=1) > 0.99)
    assert sum(batches) == len(QUERIES) * 4
    assert len(batches) < len(QUERIES) * 4  # some were encoded together
    assert set(threads) == {"models_0"}


async def test_a_vector_embedded_ahead_is_used_once(int8_encoder: OnnxSentenceEncoder) -> None:
    """What the interpreter's job embedded ahead answers the search it was made for, once:
    the same text from the next shopper is embedded for them."""
    queries = QueryEmbedder(int8_encoder)
    try:
        queries.embed_ahead(["noise cancelling headphones", "65 inch tv"])
        vector = await queries.embed("noise cancelling headphones")
        assert list(queries._batcher.batch_sizes) == []  # no model call of its own
        assert float(vector @ int8_encoder.encode(["noise cancelling headphones"])[0]) > 0.99
        await queries.embed("noise cancelling headphones")
        assert list(queries._batcher.batch_sizes) == [1]
        await queries.embed("65 inch tv")
        assert list(queries._batcher.batch_sizes) == [1]
    finally:
        await queries.close()


async def test_vectors_no_search_came_for_are_not_kept(int8_encoder: OnnxSentenceEncoder) -> None:
    queries = QueryEmbedder(int8_encoder)
    try:
        queries.embed_ahead([f"query {i}" for i in range(AHEAD_KEPT + 1)])
        await queries.embed("query 0")  # the oldest, dropped to keep the bound
        assert list(queries._batcher.batch_sizes) == [1]
        await queries.embed(f"query {AHEAD_KEPT}")
        assert list(queries._batcher.batch_sizes) == [1]
    finally:
        await queries.close()


async def test_a_vector_no_search_came_for_in_time_is_dropped(
    int8_encoder: OnnxSentenceEncoder,
) -> None:
    now = [100.0]
    queries = QueryEmbedder(int8_encoder, clock=lambda: now[0])
    try:
        queries.embed_ahead(["65 inch tv", "noise cancelling headphones"])
        now[0] += AHEAD_KEPT_S / 2
        await queries.embed("65 inch tv")  # in time: made ahead
        assert list(queries._batcher.batch_sizes) == []
        now[0] += AHEAD_KEPT_S
        await queries.embed("noise cancelling headphones")  # too late: made now
        assert list(queries._batcher.batch_sizes) == [1]
    finally:
        await queries.close()
