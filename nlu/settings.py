"""The intent classifier's settings (composed into the service's settings by `bot.settings`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class NluSettings(BaseModel):
    """How the intent classifier is built and trusted."""

    backend: str = "nlu.pipeline:ShopNLU"
    runtime: str = Field("onnx-int8", pattern="^(torch|torch-int8|onnx|onnx-int8)$")
    fallback_threshold: float = Field(0.3, ge=0.0, le=1.0)
    max_length: int = Field(48, ge=8, le=512)
    epochs: int = Field(12, ge=1)
    batch_size: int = Field(32, ge=1)
    learning_rate: float = Field(1e-4, gt=0)
    seed: int = 13
    max_batch: int = Field(32, ge=1, description="micro-batch size across concurrent conversations")
