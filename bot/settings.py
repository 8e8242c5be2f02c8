"""Settings: defaults here, then a YAML file, then SHOPBOT_* environment variables, then flags."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from actions.money import MoneySettings
from actions.opinion import SpikeRule
from bot.handoff import HandoffSettings
from bot.logs import LogFormat
from bot.session_tokens import MIN_SECRET_BYTES
from nlu.settings import NluSettings
from writer.settings import WriterSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_ENV = "SHOPBOT_CONFIG"


def _unguessable(token: SecretStr) -> SecretStr:
    value = token.get_secret_value()
    if any(character.isspace() for character in value):
        raise ValueError("a token cannot contain whitespace")
    if len(set(value)) < 8:
        raise ValueError("a token needs at least 8 different characters: use `shopbot token new`")
    return token


# Tokens that open operator routes or sign things: 32 bytes at least (`shopbot token new`), so
# an empty or guessable setting stops the service at startup instead of opening a route.
OperatorToken = Annotated[
    SecretStr, Field(min_length=MIN_SECRET_BYTES), AfterValidator(_unguessable)
]


class ActionSettings(BaseModel):
    """Where actions run: in process (default) or on a remote rasa-sdk action server."""

    endpoint: str | None = None


class LimitSettings(BaseModel):
    """What one client may cost: sizes, rates, queues. Past a limit: a 4xx or "busy"."""

    max_body_bytes: int = Field(64 * 1024, ge=1024)
    # a body that has not fully arrived by then is dropped with 408 (a slow sender holds no
    # handler for minutes); headers' own deadline belongs to the proxy in front (nginx's
    # client_header_timeout, see the README)
    body_timeout_s: float = Field(10.0, gt=0)
    max_message_chars: int = Field(2000, ge=1)
    max_metadata_bytes: int = Field(4096, ge=0, description="metadata / customData, as JSON")
    # per client address and per conversation, on every channel: a burst of this many
    # messages, then one per `refill_s` seconds; reconnecting does not refill it
    burst: int = Field(8, ge=1)
    refill_s: float = Field(1.0, gt=0)
    # per client address (every conversation behind it together; a store backend calling
    # the REST channel for all its shoppers is one address)
    address_burst: int = Field(400, ge=1)
    address_refill_s: float = Field(0.0025, gt=0)
    # new web sessions per client address: a burst, then one per `session_refill_s`
    session_burst: int = Field(20, ge=1)
    session_refill_s: float = Field(3.0, gt=0)
    # reverse proxies whose X-Forwarded-For names the client (their addresses, e.g. 127.0.0.1);
    # empty: the peer address is the client
    trusted_proxies: list[str] = Field(default_factory=list)
    max_nlu_waiting: int = Field(256, ge=1, description="messages queued for the model")
    # older events are folded into one snapshot event once a conversation has this many
    max_events: int = Field(400, ge=50)
    keep_events: int = Field(100, ge=10)
    session_ttl_s: float = Field(7 * 86_400, gt=0, description="lifetime of a web session token")


class WebSettings(BaseModel):
    """The storefront widget channel."""

    title: str = "Shop assistant"
    primary_color: str = Field("#2457d6", pattern=r"^#[0-9a-fA-F]{6}$")
    cors_origins: list[str] = Field(default_factory=list, description="extra allowed origins")
    agent_token: OperatorToken | None = Field(
        None, description="lets support tools post agent lines; unset: the route is closed"
    )


class SlackSettings(BaseModel):
    """Slack is on when the bot token and the signing secret are both set."""

    bot_token: SecretStr | None = Field(None, description="xoxb-… (SHOPBOT_SLACK__BOT_TOKEN)")
    signing_secret: SecretStr | None = Field(None, description="SHOPBOT_SLACK__SIGNING_SECRET")
    support_channel: str = Field("#support", description="where escalations are posted")
    api_url: str = Field("https://slack.com/api/", description="Web API base (tests: local)")

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None and self.signing_secret is not None


class WechatSettings(BaseModel):
    """The WeChat Official Account webhook (/webhooks/wechat): on when the token is set; safe
    mode (encrypted messages) when the EncodingAESKey is set too."""

    token: SecretStr | None = Field(None, description="the account's Token (WECHAT_TOKEN)")
    app_id: str | None = Field(None, pattern=r"^wx[0-9a-f]{16}$", description="WECHAT_APP_ID")
    app_secret: SecretStr | None = Field(None, description="WECHAT_APP_SECRET")
    # secrets are checked when the channel starts (the token 3-32 letters and digits, the key
    # 43 base64 characters with app_id set), so a mistyped one is never echoed in an error
    encoding_aes_key: SecretStr | None = Field(
        None, description="43 characters (WECHAT_ENCODING_AES_KEY); set: safe mode"
    )
    api_url: str = Field(
        "https://api.weixin.qq.com", pattern=r"^https?://", description="WECHAT_API_URL"
    )
    # WeChat waits 5 s for a passive reply; a turn still running then is answered later
    # through the customer-service API
    reply_budget_s: float = Field(4.0, gt=0, le=4.5)
    product_replies: Literal["news", "text"] = "news"
    max_articles: int = Field(8, ge=1, le=8, description="articles in one news reply")
    product_url: str | None = Field(
        None, pattern=r"^https?://", description="a product page, `{id}` is the product id"
    )
    picture_url: str | None = Field(
        None, pattern=r"^https?://", description="a product picture, `{id}` is the product id"
    )

    @property
    def enabled(self) -> bool:
        return self.token is not None


# WeChat's docs name these plainly; SHOPBOT_WECHAT__TOKEN etc. work too and come first
WECHAT_ENV = {
    "WECHAT_TOKEN": "token",
    "WECHAT_APP_ID": "app_id",
    "WECHAT_APP_SECRET": "app_secret",
    "WECHAT_ENCODING_AES_KEY": "encoding_aes_key",
    "WECHAT_API_URL": "api_url",
}


class WechatEnvironment(PydanticBaseSettingsSource):
    """`WECHAT_*` environment variables as the `wechat` section."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {key: os.environ[name] for name, key in WECHAT_ENV.items() if os.environ.get(name)}
        return {"wechat": found} if found else {}


class InboxSettings(BaseModel):
    """The built-in agent inbox at /agent (agents are added with `shopbot agent add`)."""

    enabled: bool = True
    session_ttl_s: float = Field(8 * 3600, gt=0)
    secure_cookies: bool = False  # set behind HTTPS
    canned_replies: list[str] = [
        "Thanks for waiting, I'm looking into it now.",
        "Could you give me your order number?",
        "Is there anything else I can help with?",
    ]


class InsightsSettings(BaseModel):
    """Opinion monitoring (reviews in, sentiment, aspects, spike alerts) and the dashboard at
    /insights (an agent's login, or the API token)."""

    enabled: bool = True
    # first start with no reviews: demo reviews (source=demo) on demo products, 90 days
    demo_reviews: bool = True
    spike: SpikeRule = SpikeRule()
    check_every_s: float = Field(600.0, gt=0, description="new reviews read, spikes checked")
    days: int = Field(30, ge=1, le=365, description="the dashboard's default range")
    slack_channel: str | None = Field(None, description="alerts; unset: slack.support_channel")


# what `database_url` and `redis_url` may start with (asyncpg's and redis-py's schemes)
_URL_SCHEMES = {
    "database_url": ("postgresql://", "postgres://"),
    "redis_url": ("redis://", "rediss://", "unix://"),
}


class Settings(BaseSettings):
    """Everything the service needs to start; all mutable state lives under `home`."""

    model_config = SettingsConfigDict(
        env_prefix="SHOPBOT_",
        env_nested_delimiter="__",
        extra="forbid",
        hide_input_in_errors=True,  # a bad URL or token must not reach a terminal or a log
    )

    home: Path = Path("var")
    models: Path = Path("models")
    data_dir: Path = PROJECT_ROOT / "data"
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    log_level: str = "INFO"
    # `shopbot serve`'s lines: JSON objects (time, level, logger, message, request_id), plain
    # text, or `auto`: text on a terminal, JSON otherwise (a container, a service manager)
    log_format: LogFormat = "auto"
    channels: list[str] = [
        "connectors.rest:RestChannel",
        "connectors.socketio:SocketIOChannel",
        "connectors.storefront:StorefrontChannel",
        "connectors.product_api:ProductApi",
        "connectors.agents:AgentApi",
        "connectors.sessions:SessionApi",
        "connectors.agent_inbox:AgentInbox",
        "connectors.slack:SlackChannel",
        "connectors.wechat:WechatChannel",
        "connectors.insights:InsightsDashboard",
        "connectors.openapi:OpenApiDocument",
    ]
    secret_key: OperatorToken | None = Field(
        None,
        description="signs web session tokens (SHOPBOT_SECRET_KEY); generated once if unset",
    )
    api_token: OperatorToken | None = Field(
        None, description="store operator routes, e.g. revoking a web session (SHOPBOT_API_TOKEN)"
    )
    rest_token: OperatorToken | None = Field(
        None, description="Bearer token the REST channel requires (SHOPBOT_REST_TOKEN)"
    )
    rest_callback_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="where lines a person writes to a REST shopper are POSTed, as Rasa's "
        "callback channel does: {recipient_id, text, custom} (SHOPBOT_REST_CALLBACK_URL)",
    )
    store_customer_secret: OperatorToken | None = Field(
        None,
        description="HS256 key the store signs `metadata.customer` JWTs with; unset: ignored",
    )
    # many instances share these; unset: SQLite under `home` and in-process locks and outbox
    database_url: SecretStr | None = Field(
        None,
        description="postgresql://user:password@host:5432/database: conversations in "
        "PostgreSQL (SHOPBOT_DATABASE_URL)",
    )
    redis_url: SecretStr | None = Field(
        None,
        description="redis://host:6379/0: conversation locks and the outbox between "
        "instances (SHOPBOT_REDIS_URL)",
    )
    # so several stores (or tests) can share one server: their own schema, their own keys
    database_schema: str = Field("public", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    redis_prefix: str = Field("shopbot:", pattern=r"^[A-Za-z0-9_:.-]{1,64}$")
    nlu: NluSettings = NluSettings()
    actions: ActionSettings = ActionSettings()
    limits: LimitSettings = LimitSettings()
    web: WebSettings = WebSettings()
    writer: WriterSettings = WriterSettings()
    money: MoneySettings = MoneySettings()
    handoff: HandoffSettings = HandoffSettings()
    slack: SlackSettings = SlackSettings()
    wechat: WechatSettings = WechatSettings()
    inbox: InboxSettings = InboxSettings()
    insights: InsightsSettings = InsightsSettings()

    @field_validator("database_url", "redis_url", mode="before")
    @classmethod
    def blank_url_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        """`SHOPBOT_DATABASE_URL=` means none, not the driver's defaults (a local socket and
        whatever database it finds); any other value must name its scheme."""
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text is None or (isinstance(text, str) and not text.strip()):
            return None
        schemes = _URL_SCHEMES[info.field_name or ""]
        if not isinstance(text, str) or not text.strip().startswith(schemes):
            raise ValueError(f"must start with {' or '.join(schemes)}")  # never echo the URL
        # a password holding / : @ unescaped moves the host, and the drivers then raise with
        # part of it in their message
        try:
            parts = urlsplit(text.strip())
            parts.port  # noqa: B018 (raises on a port that is not a number)
        except ValueError:
            parts = None
        if parts is None or parts.netloc.count("@") > 1:
            raise ValueError("does not parse: percent-encode / : @ # ? in the user and password")
        return text.strip()

    @model_validator(mode="after")
    def writer_token_is_unguessable(self) -> Settings:
        if self.writer.admin_token is not None:
            _unguessable(self.writer.admin_token)
        return self

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
        return init_settings, env_settings, WechatEnvironment(settings_cls), yaml_source

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
