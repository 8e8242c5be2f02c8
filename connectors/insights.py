"""Opinion monitoring over HTTP, and the insights dashboard.

- `POST /api/reviews` (Bearer `SHOPBOT_API_TOKEN`, a JSON array of reviews): every row is
  checked first; any bad row is a 400 naming each by its index, and nothing is imported.
  Otherwise all are added in one transaction (a known `(source, external_id)` is left as
  it is) and the answer comes at once; reading them (sentiment, aspects, buckets, the spike
  check) happens in the background worker.
- `GET /insights` goes to `/agent/insights`, the dashboard, for a logged-in agent (the
  inbox's cookie is `Path=/agent`). Each chart is a PNG drawn by matplotlib from a JSON
  figure set: `/agent/insights/api/{set}` and `/agent/insights/charts/{chart}.png` with the
  cookie, or the same under `/api/insights/...` with the API token.
- The worker (one task per app) loads the sentiment models off the event loop once there is
  something to read, then reads new reviews and checks for spikes after each import and
  every `insights.check_every_s`; a new alert is posted to Slack when Slack is on. The first
  load trains the Chinese model when none is cached (a minute or two, once). The demo reviews
  are `shopbot serve`'s first-start work (`actions.opinion.prepare_opinion`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from actions.opinion import Alert, OpinionMonitor, alert_text
from actions.reviews import check_rows
from bot.agent_accounts import AgentAccounts
from bot.app import (
    SHOP,
    TOKENS,
    agent_accounts,
    conversation_events,
    insights_stores,
    json_error,
)
from bot.handoff import mask
from bot.insights import Insights
from bot.insights_charts import CHARTS
from bot.insights_satisfaction import ASKED_AFTER, MAX_COMMENT_CHARS, VOTES, SatisfactionStore
from bot.insights_stores import InsightsStores
from bot.settings import Settings
from bot.store import Unavailable
from bot.text import is_clean_text
from connectors.access import bearer_refusal, json_object
from connectors.agent_live import COOKIE
from nlu.sentiment import Sentiment, SentimentReader

logger = logging.getLogger(__name__)

WEB = Path(__file__).parent / "web"
PAGE = WEB / "insights.html"
SCRIPT = WEB / "static" / "insights.js"
FIGURE_SETS = ("conversations", "sentiment", "negatives", "alerts")
MAX_REVIEWS = 1000  # rows in one POST
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class OpinionWorker:
    """The stores (given), the models once loaded, and the task that reads and checks."""

    def __init__(self, settings: Settings, stores: InsightsStores) -> None:
        self.settings = settings
        self.reviews = stores.reviews
        self.monitor = OpinionMonitor(stores.reviews, stores.alerts, settings.insights.spike)
        self.reader: SentimentReader | None = None
        self.checked_once = False  # one read-and-check done
        self.wanted = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.wake = asyncio.Event()
        self.slack: AsyncWebClient | None = None
        if settings.slack.enabled and settings.slack.bot_token is not None:
            self.slack = AsyncWebClient(
                token=settings.slack.bot_token.get_secret_value(), base_url=settings.slack.api_url
            )

    async def run(self, app: web.Application) -> None:
        """Models are loaded once there is something to read (a service with no reviews
        never loads them); then every wake-up reads what is new and checks for spikes."""
        self._loop = asyncio.get_running_loop()
        while True:
            self.wake.clear()
            try:
                raised = await self._read_and_check()
            except Unavailable as error:
                logger.warning("reviews not read or checked: %s", error)
                raised = []
            except Exception:
                logger.exception("reading reviews or checking for spikes failed")
                raised = []
            self.checked_once = True
            for alert in raised:
                await self._post(app, alert)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.settings.insights.check_every_s)

    async def _read_and_check(self) -> list[Alert]:
        if self.reader is None:
            if not self.wanted and not await self.reviews.has_unread():
                return []
            self.reader = await asyncio.to_thread(SentimentReader.open, self.settings.models)
        return await self.monitor.run(self.reader)

    def want_reader(self) -> None:
        """Shoppers' messages are to be read (the dashboard asked, from a worker thread):
        load the models."""
        if self.reader is None and not self.wanted and self._loop is not None:
            self.wanted = True
            self._loop.call_soon_threadsafe(self.wake.set)

    async def _post(self, app: web.Application, alert: Alert) -> None:
        if self.slack is None or not self._is_news(alert):
            return
        channel = self.settings.insights.slack_channel or self.settings.slack.support_channel
        product = await asyncio.to_thread(app[SHOP].catalog.get, alert.product_id)
        text = alert_text(alert, product.title if product else None)
        if self.settings.handoff.mask_personal_data:  # reviews quote emails and phone numbers
            text = mask(text)
        try:
            await self.slack.chat_postMessage(channel=channel, text=text)
        except Exception:
            logger.exception("posting alert %d to Slack failed", alert.id)

    def _is_news(self, alert: Alert) -> bool:
        """Only a spike of the last few days is worth a person's attention in Slack; the
        history a first start catches up on (the demo's 90 days) stays on the dashboard."""
        window = self.settings.insights.spike.window_days
        oldest = datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=window)
        return datetime.date.fromisoformat(alert.day[:10]) >= oldest


OPINION = web.AppKey("opinion_worker", OpinionWorker)
INSIGHTS = web.AppKey("insights", Insights)
ACCOUNTS: web.AppKey[AgentAccounts] = web.AppKey("insights_accounts")
SATISFACTION: web.AppKey[SatisfactionStore] = web.AppKey("satisfaction")


class InsightsDashboard:
    name = "insights"

    def register(self, app: web.Application, settings: Settings) -> None:
        if not settings.insights.enabled:
            return
        self._settings = settings
        app.cleanup_ctx.append(self._open)
        app.router.add_post("/api/reviews", self.import_reviews)
        app.router.add_post("/api/conversations/{session_id}/satisfaction", self.satisfaction)
        app.router.add_get("/insights", self.to_dashboard)
        app.router.add_get("/agent/insights", self.page)
        app.router.add_get("/agent/insights/insights.js", self.script)
        for prefix in ("/agent/insights/api", "/api/insights"):
            app.router.add_get(prefix + "/{figures}", self.figures)
        for prefix in ("/agent/insights/charts", "/api/insights/charts"):
            app.router.add_get(prefix + "/{chart}.png", self.chart)

    async def _open(self, app: web.Application) -> AsyncIterator[None]:
        settings = self._settings
        stores = await asyncio.to_thread(insights_stores, settings)
        worker = OpinionWorker(settings, stores)
        app[OPINION] = worker
        app[ACCOUNTS] = await asyncio.to_thread(agent_accounts, settings)
        app[SATISFACTION] = stores.satisfaction
        conversations = conversation_events(settings)
        catalog = app[SHOP].catalog

        def title_of(product_id: str) -> str | None:
            product = catalog.get(product_id)
            return product.title if product else None

        def sentiment_of(texts: list[str]) -> list[Sentiment]:
            reader = worker.reader  # None until the models are loaded
            if reader is None:
                worker.want_reader()
                return []
            return reader.read(texts)

        app[INSIGHTS] = Insights(
            stores.reviews,
            stores.alerts,
            conversations,
            title_of,
            sentiment_of,
            app[SATISFACTION],
        )
        task = asyncio.create_task(worker.run(app))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await app[ACCOUNTS].close()
        await conversations.close()
        await stores.close()

    async def _allowed(self, request: web.Request) -> web.Response | None:
        """None for a logged-in agent (under /agent) or the API token (under /api)."""
        if request.path.startswith("/agent/"):
            session_id = request.cookies.get(COOKIE, "")
            session = await request.app[ACCOUNTS].session(session_id) if session_id else None
            return None if session is not None else json_error(401, "log in at /agent first")
        return bearer_refusal(request, self._settings.api_token, "SHOPBOT_API_TOKEN")

    async def to_dashboard(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/agent/insights")

    async def page(self, request: web.Request) -> web.Response:
        if await self._allowed(request) is not None:
            raise web.HTTPSeeOther("/agent")  # the inbox's login; then /insights again
        response = web.Response(text=PAGE.read_text(encoding="utf-8"), content_type="text/html")
        return _private(response)

    async def script(self, request: web.Request) -> web.Response:
        return web.Response(
            text=SCRIPT.read_text(encoding="utf-8"), content_type="application/javascript"
        )

    async def figures(self, request: web.Request) -> web.Response:
        refusal = await self._allowed(request)
        if refusal is not None:
            return refusal
        name = request.match_info["figures"]
        if name == "status":
            return _private(web.json_response(await self._status(request.app)))
        if name not in FIGURE_SETS:
            return json_error(404, f"no figures {name!r}; one of {', '.join(FIGURE_SETS)}")
        days = _days(request, self._settings.insights.days)
        data = await request.app[INSIGHTS].figures(name, days)
        return _private(web.json_response(data, dumps=partial(json.dumps, ensure_ascii=False)))

    async def chart(self, request: web.Request) -> web.Response:
        refusal = await self._allowed(request)
        if refusal is not None:
            return refusal
        name = request.match_info["chart"]
        if name not in CHARTS:
            return json_error(404, f"no chart {name!r}; one of {', '.join(CHARTS)}")
        days = _days(request, self._settings.insights.days)
        png = await request.app[INSIGHTS].chart(name, days)
        return _private(web.Response(body=png, content_type="image/png"))

    async def _status(self, app: web.Application) -> dict[str, Any]:
        worker = app[OPINION]
        unread = await worker.reviews.has_unread()
        total = await worker.reviews.count()
        return {
            "models_ready": worker.reader is not None,
            "checked_once": worker.checked_once,
            "reviews": total,
            "all_read": not unread,
        }

    async def import_reviews(self, request: web.Request) -> web.Response:
        refusal = bearer_refusal(request, self._settings.api_token, "SHOPBOT_API_TOKEN")
        if refusal is not None:
            return refusal
        rows = await _json_array(request)
        catalog = request.app[SHOP].catalog
        good, bad = await asyncio.to_thread(
            check_rows, enumerate(rows), lambda pid: catalog.get(pid) is not None
        )
        if bad:
            return json_error(
                400,
                f"{len(bad)} of {len(rows)} reviews are not valid; none were imported",
                rows=[error.as_dict("index") for error in bad],
            )
        worker = request.app[OPINION]
        report = await worker.reviews.add(good)
        worker.wake.set()
        return web.json_response({"added": report.added, "duplicates": report.duplicates})

    async def satisfaction(self, request: web.Request) -> web.Response:
        """A shopper's 👍/👎 from the widget: `{vote: up|down, asked_after: handoff|quiet,
        comment?}`, with the conversation's session token as the Bearer token."""
        session_id = request.match_info["session_id"]
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not request.app[TOKENS].verify(session_id, token):
            return json_error(403, "this conversation's token is missing or wrong")
        body = await json_object(request)
        vote, after, comment = body.get("vote"), body.get("asked_after"), body.get("comment")
        if vote not in VOTES or after not in ASKED_AFTER:
            return json_error(400, "vote: up or down; asked_after: handoff or quiet")
        if comment is not None and (
            not isinstance(comment, str) or len(comment) > MAX_COMMENT_CHARS
        ):
            return json_error(400, f"comment: text of at most {MAX_COMMENT_CHARS} characters")
        comment = comment.strip() or None if isinstance(comment, str) else None
        await request.app[SATISFACTION].vote(f"web:{session_id}", vote, after, comment)
        return web.json_response({"recorded": vote})


async def _json_array(request: web.Request) -> list[Any]:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(reason="send the reviews as application/json")
    try:
        payload = json.loads(await request.read())
    except (ValueError, RecursionError):
        raise web.HTTPBadRequest(reason="body is not valid JSON") from None
    if not isinstance(payload, list) or not payload:
        raise web.HTTPBadRequest(reason="body must be a JSON array of reviews")
    if len(payload) > MAX_REVIEWS:
        raise web.HTTPBadRequest(reason=f"at most {MAX_REVIEWS} reviews in one request")
    if not is_clean_text(payload):
        raise web.HTTPBadRequest(reason="body holds invalid Unicode (a lone surrogate)")
    return payload


def _days(request: web.Request, default: int) -> int:
    raw = request.query.get("days")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 365:
        raise web.HTTPBadRequest(reason="days: a whole number from 1 to 365")
    return int(raw)


def _private(response: web.Response) -> web.Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
