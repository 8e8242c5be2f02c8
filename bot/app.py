"""The aiohttp app factory: services start in the startup context, channels add their routes."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from actions.opinion import prepare_opinion
from actions.registry import shop_actions
from actions.shop import Shop, ShopConfig
from bot.action_runner import ActionRunner, InProcessActionRunner, RemoteActionRunner
from bot.components import load_object
from bot.domain import Domain
from bot.engine import Bot, TurnLimits
from bot.handoff import Desk, Desks, HandoffService
from bot.handoff_queue import HandoffQueue, tell_the_unclaimed
from bot.identity import CustomerVerifier
from bot.insights_sentiment import SentimentInterpreter
from bot.interpreter import Interpreter, Overloaded
from bot.outbox import Outbox
from bot.policy import RulePolicy
from bot.rate_limits import ClientLimits, RateLimiter
from bot.session_tokens import RevokedSessions, SessionTokens, load_or_create_secret
from bot.settings import Settings
from bot.store import SqliteConversationStore

logger = logging.getLogger(__name__)

BOT = web.AppKey("bot", Bot)
SETTINGS = web.AppKey("settings", Settings)
TOKENS = web.AppKey("session_tokens", SessionTokens)
CLIENT_LIMITS = web.AppKey("client_limits", ClientLimits)
SHOP = web.AppKey("shop", Shop)
OUTBOX = web.AppKey("outbox", Outbox)
HANDOFF = web.AppKey("handoff", HandoffService)
DESKS = web.AppKey("desks", Desks)
QUEUE = web.AppKey("handoff_queue", HandoffQueue)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


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
    except asyncio.CancelledError:
        raise
    except Exception:
        request_id = uuid.uuid4().hex[:12]
        logger.exception("unhandled error, request_id=%s path=%s", request_id, request.path)
        return json_error(500, "internal error", request_id=request_id)


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
    if settings.insights.enabled:
        insights = settings.insights
        prepare_opinion(settings.home, settings.models, settings.catalog_db, insights.demo_reviews)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def client_limits(settings: Settings) -> ClientLimits:
    limits = settings.limits
    return ClientLimits(
        per_address=RateLimiter(limits.address_burst, limits.address_refill_s),
        per_sender=RateLimiter(limits.burst, limits.refill_s),
        new_sessions=RateLimiter(limits.session_burst, limits.session_refill_s),
    )


def session_tokens(settings: Settings) -> SessionTokens:
    secret = load_or_create_secret(settings.home, _secret(settings.secret_key))
    revoked = RevokedSessions(settings.home / "sessions.db")
    return SessionTokens(secret, revoked, settings.limits.session_ttl_s)


def _action_runner(settings: Settings, shop: Shop, outbox: Outbox | None) -> ActionRunner:
    if settings.actions.endpoint:
        return RemoteActionRunner(settings.actions.endpoint)
    if outbox is None:
        return InProcessActionRunner(shop_actions(shop))
    return InProcessActionRunner(shop_actions(shop, outbox.publish))


async def open_shop(settings: Settings) -> Shop:
    """The shop's stores and models, opened off the event loop."""
    config = shop_config(settings)
    return await asyncio.get_running_loop().run_in_executor(None, Shop.open, config)


async def build_bot(
    settings: Settings, shop: Shop, outbox: Outbox | None = None, desk: Desk | None = None
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
    )
    interpreter: Interpreter = await loop.run_in_executor(None, opening)
    if settings.handoff.negatives_in_a_row:  # strongly negative messages go to a person
        reading = partial(SentimentInterpreter.open, interpreter, settings.models)
        interpreter = await loop.run_in_executor(None, reading)
    store = SqliteConversationStore(settings.conversations_db)
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


async def health(request: web.Request) -> web.Response:
    bot = request.app[BOT]
    return web.json_response(
        {
            "status": "ok",
            "uptime_s": round(time.monotonic() - request.app[STARTED], 1),
            "intents": len(bot.domain.intents),
        }
    )


STARTED = web.AppKey("started", float)


def create_app(settings: Settings) -> web.Application:
    """The whole service; `bot` and models are ready before the first request is served."""
    app = web.Application(
        middlewares=[error_middleware], client_max_size=settings.limits.max_body_bytes
    )
    app[SETTINGS] = settings
    app[TOKENS] = session_tokens(settings)
    app[CLIENT_LIMITS] = client_limits(settings)
    app[OUTBOX] = Outbox()  # before the channels, which subscribe as they register
    app[DESKS] = Desks()  # likewise: Slack and the inbox add themselves
    app[QUEUE] = HandoffQueue(settings.home / "handoffs.db", settings.handoff.mask_personal_data)
    app[DESKS].add(app[QUEUE])

    async def services(app: web.Application) -> AsyncIterator[None]:
        app[STARTED] = time.monotonic()
        app[SHOP] = await open_shop(settings)
        try:
            app[BOT] = await build_bot(settings, app[SHOP], app[OUTBOX], app[DESKS])
        except Exception:
            app[SHOP].close()
            raise
        app[HANDOFF] = HandoffService(app[BOT], app[OUTBOX].publish, app[BOT].say, app[DESKS])
        reminders = asyncio.create_task(
            tell_the_unclaimed(app[QUEUE], app[HANDOFF], settings.handoff.unclaimed_after_s)
        )
        yield
        reminders.cancel()
        await close_bot(app[BOT])
        app[SHOP].close()
        app[TOKENS].close()
        app[QUEUE].close()

    app.cleanup_ctx.append(services)
    app.router.add_get("/health", health)
    for path in settings.channels:
        channel = load_object(path)()
        channel.register(app, settings)
    return app
