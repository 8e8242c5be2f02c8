"""Settings: defaults here, then a YAML file, then SHOPBOT_* environment variables, then flags."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_ENV = "SHOPBOT_CONFIG"


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


class ActionSettings(BaseModel):
    """Where actions run: in process (default) or on a remote rasa-sdk action server."""

    package: str = "actions"
    endpoint: str | None = None


class LimitSettings(BaseModel):
    max_body_bytes: int = 64 * 1024
    max_message_chars: int = 2000
    # per web socket: a burst of this many messages, then one per `refill_s` seconds
    socket_burst: int = 8
    socket_refill_s: float = 1.0


class WebSettings(BaseModel):
    """The storefront widget channel."""

    title: str = "Shop assistant"
    primary_color: str = Field("#2457d6", pattern=r"^#[0-9a-fA-F]{6}$")
    cors_origins: list[str] = Field(default_factory=list, description="extra allowed origins")
    agent_token: SecretStr | None = Field(
        None, description="lets support tools post agent lines; unset: only from this machine"
    )


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
    admin_token: SecretStr | None = Field(
        None, description="required to regenerate over HTTP; unset: only from this machine"
    )


class Settings(BaseSettings):
    """Everything the service needs to start; all mutable state lives under `home`."""

    model_config = SettingsConfigDict(
        env_prefix="SHOPBOT_", env_nested_delimiter="__", extra="forbid"
    )

    home: Path = Path("var")
    models: Path = Path("models")
    data_dir: Path = PROJECT_ROOT / "data"
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    log_level: str = "INFO"
    channels: list[str] = [
        "connectors.rest:RestChannel",
        "connectors.socketio:SocketIOChannel",
        "connectors.storefront:StorefrontChannel",
        "connectors.product_api:ProductApi",
        "connectors.agents:AgentApi",
    ]
    secret_key: str | None = Field(
        None, description="signs web session tokens (SHOPBOT_SECRET_KEY)"
    )
    shop_setup: str = "actions.setup:open_shop"
    nlu: NluSettings = NluSettings()
    actions: ActionSettings = ActionSettings()
    limits: LimitSettings = LimitSettings()
    web: WebSettings = WebSettings()
    writer: WriterSettings = WriterSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = Path(os.environ.get(CONFIG_ENV, "shopbot.yml"))
        yaml_source = YamlConfigSettingsSource(settings_cls, yaml_file=config_file)
        return init_settings, env_settings, yaml_source

    @property
    def conversations_db(self) -> Path:
        return self.home / "conversations.db"

    @property
    def catalog_db(self) -> Path:
        return self.home / "catalog.db"

    @property
    def domain_file(self) -> Path:
        return self.data_dir / "domain.yml"

    @property
    def nlu_file(self) -> Path:
        return self.data_dir / "nlu.yml"


def load_settings(**overrides: Any) -> Settings:
    """Settings with explicit overrides (CLI flags) taking precedence; None values are ignored."""
    return Settings(**{key: value for key, value in overrides.items() if value is not None})
