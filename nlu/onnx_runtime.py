"""The ONNX Runtime path for the intent model: export once, quantize to int8, run in ORT.

The exported files sit beside the model they came from (`model.onnx`, `model.int8.onnx`)
and are written atomically, so several processes may load the same model folder.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nlu.encoder import IntentNetwork

logger = logging.getLogger(__name__)

FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"


def export_onnx(network: IntentNetwork, directory: Path) -> Path:
    """Trace the whole network (encoder, pooling, head) to ONNX with dynamic batch and length."""
    target = directory / FP32_FILE
    staging = directory / f".{FP32_FILE}.{os.getpid()}"
    example_ids = torch.tensor([[101, 2265, 2033, 12191, 102]])
    example_mask = torch.ones_like(example_ids)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            network.eval(),
            (example_ids, example_mask),
            str(staging),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "length"},
                "attention_mask": {0: "batch", 1: "length"},
                "logits": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    staging.replace(target)
    return target


def quantize_int8(directory: Path) -> Path:
    """Dynamic int8 quantization of the weights (activations stay float)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = directory / INT8_FILE
    staging = directory / f".{INT8_FILE}.{os.getpid()}"
    quantize_dynamic(str(directory / FP32_FILE), str(staging), weight_type=QuantType.QInt8)
    staging.replace(target)
    return target


def ensure_onnx(network: IntentNetwork, directory: Path, int8: bool) -> Path:
    if not (directory / FP32_FILE).exists():
        logger.info("exporting the intent model to ONNX in %s", directory)
        export_onnx(network, directory)
    if int8 and not (directory / INT8_FILE).exists():
        quantize_int8(directory)
    return directory / (INT8_FILE if int8 else FP32_FILE)


class OnnxForward:
    """A `_forward` step backed by an ONNX Runtime session."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        # idle pool threads sleep instead of spinning: the spin takes the core the event loop
        # needs between batches (2 cores: model threads and the loop share them)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.path = path
        self._session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )

    def __call__(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        feed: dict[str, Any] = {
            name: tensor.numpy().astype(np.int64) for name, tensor in batch.items()
        }
        (logits,) = self._session.run(["logits"], feed)
        return torch.from_numpy(np.asarray(logits))
