"""The description writer's settings (composed into the service's settings by `bot.settings`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, SecretStr, field_validator

from writer.wording import MARKETS

# an operator token: `bot.settings` also refuses guessable ones for every token it composes
AdminToken = Annotated[SecretStr, Field(min_length=32)]


class WriterSettings(BaseModel):
    """The description writer's model: the embedded SmolLM2, a local HF folder, or an API."""

    backend: str = Field("local", pattern="^(local|openai)$")
    model_path: Path | None = Field(None, description="a local Hugging Face causal-LM folder")
    precision: str = Field("fp32", pattern="^(fp32|bf16|int8)$")
    lookup_tokens: int = Field(30, ge=0, description="prompt-lookup draft length; 0 turns it off")
    base_url: str | None = Field(
        None, description="OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1"
    )
    api_model: str = "default"
    api_key: SecretStr | None = None
    languages: list[str] | None = Field(None, description="languages the model writes freely")
    load_at_startup: bool = True
    attempts: int = Field(2, ge=1, le=10)
    candidates: int = Field(2, ge=1, le=8)
    max_facts: int = Field(5, ge=1, le=12, description="length: one sentence per key fact")
    tone: str | None = Field(None, max_length=60, description='e.g. "warm and playful"')
    market: str = Field("default", description='advertising-law wording rules: "default" or "cn"')
    model_clauses: str = Field(
        "auto",
        pattern="^(auto|off|gated)$",
        description="benefit clauses the model adds to each fact: off (the fact's own sentence), "
        "gated (kept only past writer.clause_gate), auto (off for the embedded SmolLM2, whose "
        "clauses read worse than the fact alone; gated for any other model)",
    )
    # one limit for the whole process: shoppers asking about many products at once get the
    # listing's own words instead of starting ever more generations
    max_parallel: int = Field(1, ge=1, description="descriptions written at once")
    max_waiting: int = Field(4, ge=0, description="descriptions queued behind those")
    admin_token: AdminToken | None = Field(
        None, description="required to regenerate over HTTP; unset: the route is closed"
    )

    @field_validator("market")
    @classmethod
    def _known_market(cls, market: str) -> str:
        if market not in MARKETS:
            raise ValueError(f"unknown market {market!r}; one of: {', '.join(sorted(MARKETS))}")
        return market
