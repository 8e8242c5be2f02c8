"""The search query encoder: torch float (the baseline) against the int8 ONNX export shipped.

Run: `.venv/bin/python -m bench.search_encoder [--models DIR] [--seconds 5]`. For the
labelled queries of bench/search_queries.yml: milliseconds per single query (a shopper's
turn), sentences/s in batches of 32 (the micro-batcher under load), the cosine between the
two encoders' vectors of each query, and how often the product nearest each query, and the
top 5, are the same when the demo catalog's product vectors (made by the float encoder, as
the shop makes them) are searched with either. Writes bench/results/search_encoder.json.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog, ensure_product_vectors
from actions.embeddings import Encoder, OnnxSentenceEncoder, SentenceEncoder
from bench.provenance import write_results
from bot.settings import PROJECT_ROOT

RESULTS = Path(__file__).parent / "results" / "search_encoder.json"
QUERIES = Path(__file__).parent / "search_queries.yml"


def single_query_ms(encoder: Encoder, queries: list[str], seconds: float) -> list[float]:
    timings: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in queries:
            begun = time.perf_counter()
            encoder.encode([text])
            timings.append((time.perf_counter() - begun) * 1000)
    return timings


def batched_per_s(encoder: Encoder, queries: list[str], seconds: float) -> float:
    batch = [queries[i % len(queries)] for i in range(32)]
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        encoder.encode(batch)
        done += len(batch)
    return done / (time.perf_counter() - started)


def product_matrix(models: Path) -> np.ndarray:
    with tempfile.TemporaryDirectory() as home:
        catalog = Catalog(Path(home) / "catalog.db")
        try:
            ensure_demo_catalog(catalog, show_progress=False)
            ensure_product_vectors(catalog, models, show_progress=False)
            return catalog.vectors()[1].copy()
        finally:
            catalog.close()


def agreement(
    float_vectors: np.ndarray, int8_vectors: np.ndarray, products: np.ndarray
) -> dict[str, float]:
    cosines = np.sum(float_vectors * int8_vectors, axis=1)
    top_float = np.argsort(-(float_vectors @ products.T), axis=1)[:, :5]
    top_int8 = np.argsort(-(int8_vectors @ products.T), axis=1)[:, :5]
    same_first = float(np.mean(top_float[:, 0] == top_int8[:, 0]))
    overlap = float(
        np.mean([len(set(a) & set(b)) / 5 for a, b in zip(top_float, top_int8, strict=True)])
    )
    return {
        "cosine_mean": float(np.mean(cosines)),
        "cosine_min": float(np.min(cosines)),
        "same_nearest_product": same_first,
        "top5_overlap": overlap,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=Path, help="Models folder (default: models/).")
    parser.add_argument("--seconds", type=float, default=5.0, help="Per timing, per encoder.")
    args = parser.parse_args()
    models = args.models or PROJECT_ROOT / "models"
    queries = [q["text"] for q in yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]]
    encoders: dict[str, Encoder] = {
        "torch float (baseline)": SentenceEncoder(),
        "onnx int8 (shipped)": OnnxSentenceEncoder(models),
    }
    rows: dict[str, dict[str, Any]] = {}
    vectors: dict[str, np.ndarray] = {}
    for name, encoder in encoders.items():
        encoder.load()
        vectors[name] = encoder.encode(queries)
        timings = single_query_ms(encoder, queries, args.seconds)
        rows[name] = {
            "single_query_p50_ms": statistics.median(timings),
            "single_query_p95_ms": float(np.percentile(timings, 95)),
            "batch32_sentences_per_s": batched_per_s(encoder, queries, args.seconds),
        }
    float_vectors, int8_vectors = vectors.values()
    agreed = agreement(float_vectors, int8_vectors, product_matrix(models))
    print(f"{'encoder':<24}{'p50 ms':>9}{'p95 ms':>9}{'batch 32/s':>12}")
    for name, row in rows.items():
        print(
            f"{name:<24}{row['single_query_p50_ms']:>9.2f}{row['single_query_p95_ms']:>9.2f}"
            f"{row['batch32_sentences_per_s']:>12.0f}"
        )
    print(
        f"{len(queries)} queries: cosine mean {agreed['cosine_mean']:.4f} "
        f"(min {agreed['cosine_min']:.4f}); same nearest product "
        f"{agreed['same_nearest_product']:.1%}; top-5 overlap {agreed['top5_overlap']:.1%}"
    )
    write_results(RESULTS, {"queries": len(queries), "encoders": rows, "agreement": agreed}, args)


if __name__ == "__main__":
    main()
