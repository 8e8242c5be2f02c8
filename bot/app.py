"""The aiohttp app factory: services start in the startup context, channels add their routes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from functools import partial
from typing import Any

import engineio
import redis.asyncio as redis
from aiohttp import web
from pydantic import SecretStr

from actions.database import open_database
from actions.interactions import InteractionLog, SqliteInteractionLog
from actions.opinion import SqliteAlertStore, prepare_opinion
from actions.orders import OrderBook, SqliteOrderStore
from actions.registry import shop_actions
from actions.reviews import SqliteReviewStore
from actions.shop import Shop, ShopConfig
from bot.action_runner import ActionRunner, InProcessActionRunner, RemoteActionRunner
from bot.agent_accounts import AgentAccounts, SqliteAgentAccounts
from bot.agent_accounts_postgres import PostgresAgentAccounts
from bot.components import load_object
from bot.descriptions_postgres import PostgresDescriptionStore
from bot.domain import Domain
from bot.engine import Bot, TurnLimits
from bot.handoff import Desk, Desks, HandoffService
from bot.handoff_queue import (
    HandoffQueue,
    PostgresHandoffQueue,
    SqliteHandoffQueue,
    tell_the_unclaimed,
)
from bot.identity import CustomerVerifier
from bot.insights_events import (
    ConversationEvents,
    PostgresConversationEvents,
    SqliteConversationEvents,
)
from bot.insights_satisfaction import PostgresSatisfactionStore, SqliteSatisfactionStore
from bot.insights_sentiment import SentimentInterpreter
from bot.insights_stores import InsightsStores
from bot.interactions_postgres import PostgresInteractionLog
from bot.interpreter import Interpreter, Overloaded
from bot.locks import Locks
from bot.locks_redis import RedisConversationLocks, open_redis
from bot.logs import REQUEST_ID, REQUEST_ID_HEADER, request_id_from
from bot.metrics import Metrics
from bot.orders_postgres import PostgresOrderStore
from bot.outbox import Outbox
from bot.outbox_redis import RedisOutbox
from bot.policy import RulePolicy
from bot.rate_limits import ClientLimits, Limiter, RateLimiter
from bot.rate_limits_redis import RedisRateLimiter
from bot.reviews_postgres import PostgresAlertStore, PostgresReviewStore
from bot.session_tokens import (
    RevokedSessions,
    SessionTokens,
    agree_on_secret,
    learn_shared_secret,
    load_or_create_secret,
)
from bot.settings import Settings
from bot.slack_threads import SlackThreadStore, SqliteSlackThreads
from bot.slack_threads_postgres import PostgresSlackThreads
from bot.store import ConversationStore, SqliteConversationStore, Unavailable
from bot.store_postgres import PostgresConversationStore
from bot.wechat_deliveries import Deliveries, SqliteDeliveries
from bot.wechat_deliveries_postgres import PostgresDeliveries
from bot.wechat_deliveries_redis import RedisDeliveries
from bot.wechat_shoppers import SqliteWechatShoppers, WechatShoppers
from bot.wechat_shoppers_postgres import PostgresWechatShoppers
from writer.store import DescriptionStore, SqliteDescriptionStore

logger = logging.getLogger(__name__)

BOT = web.AppKey("bot", Bot)
SETTINGS = web.AppKey("settings", Settings)
TOKENS = web.AppKey("session_tokens", SessionTokens)
CLIENT_LIMITS = web.AppKey("client_limits", ClientLimits)
SHOP = web.AppKey("shop", Shop)
OUTBOX = web.AppKey("outbox", Outbox)
HANDOFF = web.AppKey("handoff", HandoffService)
DESKS = web.AppKey("desks", Desks)
QUEUE: web.AppKey[HandoffQueue] = web.AppKey("handoff_queue")
METRICS = web.AppKey("metrics", Metrics)
REDIS = web.AppKey("redis", redis.Redis)  # only when `redis_url` is set
REQUEST_ID_KEY = web.RequestKey("request_id", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


@web.middleware
async def request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Each request's id (the caller's `X-Request-Id` if a plain token, else a new one) is in
    `REQUEST_ID` while it is handled, so every log line of its turn carries it."""
    request[REQUEST_ID_KEY] = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    token = REQUEST_ID.set(request[REQUEST_ID_KEY])
    try:
        return await handler(request)
    finally:
        REQUEST_ID.reset(token)


async def send_request_id(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """The id back in `X-Request-Id` on every response, errors and sockets included."""
    if REQUEST_ID_KEY in request:
        response.headers[REQUEST_ID_HEADER] = request[REQUEST_ID_KEY]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """User errors become JSON 4xx; bugs become a 500 with a logged trace and a request id."""
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        limit = request.app[SETTINGS].limits.max_body_bytes
        return json_error(413, "request body too large", max_bytes=limit)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return json_error(error.status, error.reason)
    except Overloaded:
        response = json_error(503, "busy: too many messages are waiting; try again shortly")
        response.headers["Retry-After"] = "1"
        return response
    except Unavailable as error:
        logger.warning("%s, path=%s", error, request.path)
        response = json_error(503, "unavailable: a shared store does not answer; try again shortly")
        response.headers["Retry-After"] = "5"
        return response
    except asyncio.CancelledError:
        raise
    except Exception:
        request.app[METRICS].error("http")
        request_id = request.get(REQUEST_ID_KEY) or request_id_from(None)
        logger.exception("unhandled error, request_id=%s path=%s", request_id, request.path)
        return json_error(500, "internal error", request_id=request_id)


@web.middleware
async def body_deadline(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The whole body within `limits.body_timeout_s`, read before the handler runs (aiohttp
    keeps it, so the handler's own `read()`, `json()` or `post()` reads it from memory).

    Not for engine.io's long-polling posts: it reads the raw stream itself (which this read
    would leave empty) and bounds those bodies with its own buffer limit and ping timeout.
    """
    engine_io = isinstance(getattr(handler, "__self__", None), engineio.AsyncServer)
    if request.body_exists and not engine_io:
        try:
            async with asyncio.timeout(request.app[SETTINGS].limits.body_timeout_s):
                await request.read()
        except TimeoutError:
            return json_error(408, "request body too slow: send it whole, faster")
    return await handler(request)


def shop_config(settings: Settings) -> ShopConfig:
    return ShopConfig(
        settings.home,
        settings.models,
        settings.data_dir,
        settings.writer,
        settings.money,
        settings.handoff.refund_over,
    )


def prepare_shop(settings: Settings) -> None:
    """First-start work that shows progress: import the catalog, train the intent model,
    load the demo reviews."""
    Shop.prepare(shop_config(settings))
    load_object(settings.nlu.backend).prepare(settings.nlu, settings.nlu_file, settings.models)
    if settings.insights.enabled and settings.insights.demo_reviews:
        asyncio.run(prepare_demo_reviews(settings))


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def client_limits(
    settings: Settings, shared: redis.Redis | None = None, metrics: Metrics | None = None
) -> ClientLimits:
    """In this process; on `shared` Redis (one bucket per client for every instance) if given."""
    limits = settings.limits

    def limiter(burst: int, refill_s: float) -> Limiter:
        if shared is None:
            return RateLimiter(burst, refill_s)
        prefix = f"{settings.redis_prefix}rate:"
        return RedisRateLimiter(shared, prefix, burst, refill_s, metrics)

    return ClientLimits(
        per_address=limiter(limits.address_burst, limits.address_refill_s),
        per_sender=limiter(limits.burst, limits.refill_s),
        new_sessions=limiter(limits.session_burst, limits.session_refill_s),
    )


def session_tokens(settings: Settings, shared: bool = False) -> SessionTokens:
    """Signed with the configured secret, else one kept under `home`; `shared`: with the one
    the instances agree on over Redis, learnt at startup (`learn_the_shared_secret`)."""
    secret = None if shared else load_or_create_secret(settings.home, _secret(settings.secret_key))
    revoked = RevokedSessions(settings.home / "sessions.db")
    return SessionTokens(secret, revoked, settings.limits.session_ttl_s)


async def learn_the_shared_secret(
    app: web.Application, settings: Settings
) -> asyncio.Task[None] | None:
    """The web session secret agreed on Redis, known before the first request when Redis
    answers; else asked for again in the background (the task returned), while web sessions
    answer 503. A secret on Redis too short to sign with stops the start (`ValueError`)."""
    key = f"{settings.redis_prefix}session-secret"
    try:
        app[TOKENS].learn_secret(await agree_on_secret(app[REDIS], key))
    except Unavailable:
        return asyncio.create_task(learn_shared_secret(app[TOKENS], app[REDIS], key))
    return None


def _action_runner(settings: Settings, shop: Shop, outbox: Outbox | None) -> ActionRunner:
    if settings.actions.endpoint:
        return RemoteActionRunner(settings.actions.endpoint)
    if outbox is None:
        return InProcessActionRunner(shop_actions(shop))
    return InProcessActionRunner(shop_actions(shop, outbox.publish))


def model_worker() -> ThreadPoolExecutor:
    """The one thread every model call of a turn runs on (intents, search queries): two
    models side by side on the same cores would slow each other, and each batches better
    when they take turns."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="models")


def order_book(settings: Settings) -> OrderBook:
    """On PostgreSQL when `database_url` is set (a cancel at one instance is seen at every
    other), else SQLite."""
    if settings.database_url is None:
        return SqliteOrderStore(settings.home / "orders.db")
    return PostgresOrderStore(settings.database_url.get_secret_value(), settings.database_schema)


def description_store(settings: Settings) -> DescriptionStore:
    """On PostgreSQL when `database_url` is set (a description regenerated at one instance is
    what every other serves), else SQLite in the catalog's database."""
    if settings.database_url is None:
        return SqliteDescriptionStore(open_database(settings.catalog_db))
    url = settings.database_url.get_secret_value()
    return PostgresDescriptionStore(url, settings.database_schema)


def insights_stores(settings: Settings) -> InsightsStores:
    """On PostgreSQL when `database_url` is set (a review imported or an alert raised at one
    instance is what every instance's dashboard shows), else SQLite under `home`."""
    if settings.database_url is None:
        reviews_db = settings.home / "reviews.db"
        return InsightsStores(
            SqliteReviewStore(reviews_db),
            SqliteAlertStore(reviews_db),
            SqliteSatisfactionStore(settings.home / "satisfaction.db"),
        )
    url, schema = settings.database_url.get_secret_value(), settings.database_schema
    return InsightsStores(
        PostgresReviewStore(url, schema),
        PostgresAlertStore(url, schema),
        PostgresSatisfactionStore(url, schema),
    )


def conversation_events(settings: Settings) -> ConversationEvents:
    """What the conversation figures read: PostgreSQL when `database_url` is set (where every
    instance's conversations are), else `conversations.db`."""
    if settings.database_url is None:
        return SqliteConversationEvents(settings.conversations_db)
    url = settings.database_url.get_secret_value()
    return PostgresConversationEvents(url, settings.database_schema)


def interaction_log(settings: Settings) -> InteractionLog:
    """On PostgreSQL when `database_url` is set (a view logged at one instance counts for
    recommendations at every other), else SQLite under `home`."""
    if settings.database_url is None:
        return SqliteInteractionLog(settings.home / "interactions.db")
    url = settings.database_url.get_secret_value()
    return PostgresInteractionLog(url, settings.database_schema)


async def prepare_demo_reviews(settings: Settings) -> None:
    """The demo reviews on a first start; a database not up yet skips them (another instance
    or the next start adds them)."""
    stores = insights_stores(settings)
    try:
        await prepare_opinion(stores.reviews, settings.catalog_db, settings.insights.demo_reviews)
    except Unavailable as error:
        logger.warning("demo reviews not added: %s", error)
    finally:
        await stores.close()


async def open_shop(
    settings: Settings,
    worker: Executor | None = None,
    locks: Locks | None = None,
    load_models: bool = True,
) -> Shop:
    """The shop's stores and models, opened off the event loop; `worker` runs its queries;
    `locks` (Redis, with several instances) let one instance write a product's description.
    The demo orders are seeded here, on the loop; a database not up yet skips them (another
    instance or the next start seeds them); `load_models`: False for a shop that only reads
    its stores (`shopbot recommend train`)."""
    orders = order_book(settings)
    descriptions = description_store(settings)
    interactions = interaction_log(settings)
    opening = partial(
        Shop.open,
        shop_config(settings),
        model_worker=worker,
        orders=orders,
        descriptions=descriptions,
        description_locks=locks,
        interactions=interactions,
        load_models=load_models,
    )
    try:
        shop = await asyncio.get_running_loop().run_in_executor(None, opening)
    except BaseException:
        await orders.close()
        await descriptions.close()
        await interactions.close()
        raise
    try:
        await shop.seed_demo()
    except Unavailable as error:
        logger.warning("demo orders not seeded: %s", error)
    except BaseException:
        await shop.aclose()
        raise
    return shop


async def open_conversation_store(settings: Settings) -> ConversationStore:
    """PostgreSQL when `database_url` is set (several instances share it), else SQLite."""
    if settings.database_url is None:
        return SqliteConversationStore(settings.conversations_db)
    url = settings.database_url.get_secret_value()
    return await PostgresConversationStore.open(url, settings.database_schema)


def handoff_queue(settings: Settings) -> HandoffQueue:
    """On PostgreSQL when `database_url` is set (every instance sees one queue), else SQLite."""
    masked = settings.handoff.mask_personal_data
    if settings.database_url is None:
        return SqliteHandoffQueue(settings.home / "handoffs.db", masked)
    url = settings.database_url.get_secret_value()
    return PostgresHandoffQueue(url, settings.database_schema, masked)


def slack_threads(settings: Settings) -> SlackThreadStore:
    """On PostgreSQL when `database_url` is set (a Slack retry landing on another instance is
    still a retry), else SQLite."""
    if settings.database_url is None:
        return SqliteSlackThreads(settings.home / "slack.db")
    url = settings.database_url.get_secret_value()
    return PostgresSlackThreads(url, settings.database_schema)


def wechat_shoppers(settings: Settings) -> WechatShoppers:
    """On PostgreSQL when `database_url` is set (a shopper's window and options are the same
    at every instance), else SQLite."""
    if settings.database_url is None:
        return SqliteWechatShoppers(settings.home / "wechat.db")
    url = settings.database_url.get_secret_value()
    return PostgresWechatShoppers(url, settings.database_schema)


def wechat_deliveries(settings: Settings, shared: redis.Redis | None = None) -> Deliveries:
    """On `shared` Redis if given, else on PostgreSQL when `database_url` is set (a WeChat
    retry landing on another instance is still the same delivery), else SQLite."""
    if shared is not None:
        return RedisDeliveries(shared, f"{settings.redis_prefix}wechat:delivery:")
    if settings.database_url is None:
        return SqliteDeliveries(settings.home / "wechat.db")
    url = settings.database_url.get_secret_value()
    return PostgresDeliveries(url, settings.database_schema)


def agent_accounts(settings: Settings) -> AgentAccounts:
    """On PostgreSQL when `database_url` is set (an agent logged in at one instance is logged
    in at every other), else SQLite. Blocking (it hashes a decoy): call it in a thread."""
    if settings.database_url is None:
        return SqliteAgentAccounts(settings.home / "agents.db")
    url = settings.database_url.get_secret_value()
    return PostgresAgentAccounts(url, settings.database_schema)


async def build_bot(
    settings: Settings,
    shop: Shop,
    outbox: Outbox | None = None,
    desk: Desk | None = None,
    locks: Locks | None = None,
    metrics: Metrics | None = None,
    worker: Executor | None = None,
) -> Bot:
    """Open the conversation store, load the intent model (off the loop), wire the shop's
    actions; a policy naming a missing action stops here (`StartupError`)."""
    loop = asyncio.get_running_loop()
    domain = Domain.load(settings.domain_file)
    backend = load_object(settings.nlu.backend)
    opening = partial(
        backend.open,
        settings.nlu,
        settings.nlu_file,
        settings.models,
        settings.catalog_db,
        settings.limits.max_nlu_waiting,
        worker,
        # in-process actions search this shop: their query vectors can be made with the parse
        after_read=None if settings.actions.endpoint else shop.embed_searches_ahead,
    )
    interpreter: Interpreter = await loop.run_in_executor(None, opening)
    if settings.handoff.negatives_in_a_row:  # strongly negative messages go to a person
        reading = partial(SentimentInterpreter.open, interpreter, settings.models)
        interpreter = await loop.run_in_executor(None, reading)
    store = await open_conversation_store(settings)
    actions = _action_runner(settings, shop, outbox)
    try:
        return await Bot.start(
            domain=domain,
            store=store,
            interpreter=interpreter,
            actions=actions,
            policy=RulePolicy(domain.policy, settings.nlu.fallback_threshold),
            limits=TurnLimits(
                max_message_chars=settings.limits.max_message_chars,
                max_events=settings.limits.max_events,
                keep_events=settings.limits.keep_events,
            ),
            customers=CustomerVerifier(_secret(settings.store_customer_secret)),
            handoff=settings.handoff,
            desk=desk,
            locks=locks,
            metrics=metrics,
        )
    except Exception:
        await interpreter.close()
        await actions.close()
        await store.close()
        raise


async def close_bot(bot: Bot) -> None:
    await bot.interpreter.close()
    await bot.actions.close()
    await bot.store.close()


HEALTH_TIMEOUT_S = 2.0


async def unreachable(app: web.Application) -> list[str]:
    """The configured shared stores that do not answer within `HEALTH_TIMEOUT_S`."""
    checks: dict[str, Awaitable[Any]] = {}
    if REDIS in app:
        checks["redis"] = app[REDIS].ping()
    store = app[BOT].store
    if isinstance(store, PostgresConversationStore):
        checks["postgresql"] = store.ping()
    answers = await asyncio.gather(
        *(asyncio.wait_for(check, HEALTH_TIMEOUT_S) for check in checks.values()),
        return_exceptions=True,
    )
    return [
        name for name, answer in zip(checks, answers, strict=True) if isinstance(answer, Exception)
    ]


async def health(request: web.Request) -> web.Response:
    """200 `ok`; 503 `degraded`, naming what does not answer, while a shared store is away."""
    bot = request.app[BOT]
    away = await unreachable(request.app)
    body: dict[str, Any] = {
        "status": "degraded" if away else "ok",
        "uptime_s": round(time.monotonic() - request.app[STARTED], 1),
        "intents": len(bot.domain.intents),
    }
    if away:
        body["unavailable"] = away
    return web.json_response(body, status=503 if away else 200)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus's text format (for a scraper on the private network, not the public)."""
    body, content_type = request.app[METRICS].exposition()
    return web.Response(body=body, headers={"Content-Type": content_type})


STARTED = web.AppKey("started", float)


async def close_shared(app: web.Application) -> None:
    """Send what the outbox still has, then let go of Redis."""
    outbox = app[OUTBOX]
    if isinstance(outbox, RedisOutbox):
        await outbox.close()
    if REDIS in app:
        await app[REDIS].aclose()


def create_app(settings: Settings) -> web.Application:
    """The whole service; `bot` and models are ready before the first request is served."""
    app = web.Application(
        middlewares=[request_ids, error_middleware, body_deadline],
        client_max_size=settings.limits.max_body_bytes,
    )
    app.on_response_prepare.append(send_request_id)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    # the outbox before the channels, which subscribe as they register; several instances
    # share it on Redis (with the locks and rate limits) and conversations on PostgreSQL;
    # one needs neither
    if settings.redis_url is not None:
        app[REDIS] = open_redis(settings.redis_url.get_secret_value())
        app[OUTBOX] = RedisOutbox(app[REDIS], channel=f"{settings.redis_prefix}outbox")
    else:
        app[OUTBOX] = Outbox()
    app[CLIENT_LIMITS] = client_limits(settings, app.get(REDIS), app[METRICS])
    shared_secret = REDIS in app and settings.secret_key is None  # agreed on at startup
    app[TOKENS] = session_tokens(settings, shared=shared_secret)
    app[DESKS] = Desks()  # likewise: Slack and the inbox add themselves
    app[QUEUE] = handoff_queue(settings)
    app[DESKS].add(app[QUEUE])

    async def services(app: web.Application) -> AsyncIterator[None]:
        app[STARTED] = time.monotonic()
        outbox = app[OUTBOX]
        locks = (
            RedisConversationLocks(app[REDIS], prefix=f"{settings.redis_prefix}lock:")
            if REDIS in app
            else None
        )
        if isinstance(outbox, RedisOutbox):
            await outbox.start()
        worker = model_worker()
        app[SHOP] = await open_shop(settings, worker, locks)
        try:
            app[BOT] = await build_bot(
                settings, app[SHOP], outbox, app[DESKS], locks, app[METRICS], worker
            )
        except Exception:
            await app[SHOP].aclose()
            worker.shutdown(wait=False)
            await close_shared(app)
            raise
        app[HANDOFF] = HandoffService(app[BOT], app[OUTBOX].publish, app[BOT].say, app[DESKS])
        learning = await learn_the_shared_secret(app, settings) if shared_secret else None
        reminders = asyncio.create_task(
            tell_the_unclaimed(app[QUEUE], app[HANDOFF], settings.handoff.unclaimed_after_s)
        )
        yield
        reminders.cancel()
        if learning is not None:
            learning.cancel()
        await close_bot(app[BOT])
        await app[SHOP].aclose()
        worker.shutdown(wait=True)
        app[TOKENS].close()
        await app[QUEUE].close()
        await close_shared(app)

    app.cleanup_ctx.append(services)
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    for path in settings.channels:
        channel = load_object(path)()
        channel.register(app, settings)
    return app
