"""The insights routes on a real aiohttp server with real SQLite: importing reviews (token,
checks by index, all or nothing, dedupe), the dashboard for a logged-in agent, figures and
charts with the token, demo data with its planted spike, and the alert posted to Slack (a
fake Slack Web API on localhost, counting what it received)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from actions.catalog import Catalog, Product
from actions.reviews import day_of
from bot.agent_accounts import SqliteAgentAccounts
from bot.app import SETTINGS, SHOP, TOKENS, error_middleware, prepare_demo_reviews, session_tokens
from bot.settings import InsightsSettings, Settings, SlackSettings
from connectors.agent_live import COOKIE
from connectors.insights import OPINION, InsightsDashboard
from nlu.char_ngrams import NgramRecipe
from nlu.sentiment import TRAIN, ChineseSentiment, reviews_in
from tests.bot.shared_servers import DATABASE_URL, pg_schema
from tests.fakes.slack_api import FakeSlackApi

__all__ = ["pg_schema"]  # the fixture, used by name

TOKEN = "insights-token-0123456789-abcdefghij"
SLACK_TOKEN = "xoxb-insights-test"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
PRODUCTS = [f"p{n}" for n in range(1, 13)]


def _product(product_id: str, reviews: int) -> Product:
    return Product(
        id=product_id,
        title=f"Headphones {product_id}",
        category="Laptops & Notebook Computers",
        brand="Acme",
        price=50.0,
        price_max=None,
        discount=None,
        discount_amount=None,
        rating=4.0,
        review_count=reviews,
    )


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding a small Chinese model where the service looks for its own."""
    folder = tmp_path_factory.mktemp("models")
    small = ChineseSentiment.train(reviews_in([TRAIN])[:3000], NgramRecipe(epochs=3))
    small.save(ChineseSentiment.directory(folder), 3000)
    return folder


async def _client(
    aiohttp_client: Any,
    tmp_path: Path,
    models: Path,
    demo: bool,
    slack_url: str | None = None,
    pg_schema: str | None = None,
) -> TestClient:
    """An app on `tmp_path/home`, its stores on PostgreSQL's `pg_schema` if given."""
    home = tmp_path / "home"
    catalog = Catalog(home / "catalog.db")
    catalog.add([_product(p, 100 - i) for i, p in enumerate(PRODUCTS)])
    slack = SlackSettings()
    if slack_url:
        slack = SlackSettings(
            bot_token=SecretStr(SLACK_TOKEN), signing_secret=SecretStr("s" * 32), api_url=slack_url
        )
    settings = Settings(
        home=home,
        models=models,
        api_token=SecretStr(TOKEN),
        slack=slack,
        insights=InsightsSettings(demo_reviews=demo),
    )
    if pg_schema is not None:
        shared = {"database_url": SecretStr(DATABASE_URL), "database_schema": pg_schema}
        settings = settings.model_copy(update=shared)
    if demo:
        await prepare_demo_reviews(settings)  # what `shopbot serve` does first
    app = web.Application(middlewares=[error_middleware])
    app[SETTINGS] = settings
    app[TOKENS] = session_tokens(settings)
    app[SHOP] = SimpleNamespace(catalog=catalog)  # type: ignore[assignment]
    InsightsDashboard().register(app, settings)
    return await aiohttp_client(app)


async def _all_read(client: TestClient) -> dict[str, Any]:
    for _ in range(600):
        status = await (await client.get("/api/insights/status", headers=BEARER)).json()
        if status["checked_once"] and status["all_read"]:
            return dict(status)
        await asyncio.sleep(0.1)
    raise AssertionError(f"reviews still unread: {status}")


def _row(n: int, text: str = "Great headphones, love the sound.", **extra: Any) -> dict[str, Any]:
    return {
        "product_id": "p1",
        "text": text,
        "source": "shop",
        "external_id": f"e{n}",
        "created_at": time.time() - 86_400,
        **extra,
    }


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path, models: Path) -> AsyncIterator[TestClient]:
    yield await _client(aiohttp_client, tmp_path, models, demo=False)


async def test_importing_needs_the_token_and_a_json_array(client: TestClient) -> None:
    assert (await client.post("/api/reviews", json=[_row(1)])).status == 401
    wrong = await client.post("/api/reviews", data="[]", headers=BEARER)
    assert wrong.status == 415
    for body in ({"product_id": "p1"}, [], "nope"):
        answer = await client.post("/api/reviews", json=body, headers=BEARER)
        assert answer.status == 400, body


async def test_bad_rows_are_named_by_index_and_nothing_is_imported(client: TestClient) -> None:
    rows = [_row(1), _row(2, text=""), _row(3, product_id="p-unknown"), _row(4, rating=11)]
    answer = await client.post("/api/reviews", json=rows, headers=BEARER)
    assert answer.status == 400
    body = await answer.json()
    assert [r["index"] for r in body["rows"]] == [1, 2, 3]
    assert "none were imported" in body["error"]
    assert (await _all_read(client))["reviews"] == 0


async def test_reviews_are_read_and_shown_and_importing_again_changes_nothing(
    client: TestClient,
) -> None:
    rows = [_row(1), _row(2, "The battery died in a week, terrible."), _row(3, "差评，电池坏了")]
    first = await client.post("/api/reviews", json=rows, headers=BEARER)
    assert await first.json() == {"added": 3, "duplicates": 0}
    again = await client.post("/api/reviews", json=rows, headers=BEARER)
    assert await again.json() == {"added": 0, "duplicates": 3}
    await _all_read(client)
    negatives = await (await client.get("/api/insights/negatives?days=365", headers=BEARER)).json()
    assert negatives["products"][0]["name"] == "p1"
    assert negatives["products"][0]["title"] == "Headphones p1"
    assert negatives["products"][0]["negative"] == 2
    assert "battery" in {row["name"] for row in negatives["aspects"]}
    sentiment = await (await client.get("/api/insights/sentiment?days=365", headers=BEARER)).json()
    assert {row["language"] for row in sentiment["reviews"]} == {"en", "zh"}
    chart = await client.get("/api/insights/charts/negatives.png?days=365", headers=BEARER)
    assert chart.status == 200 and (await chart.read()).startswith(b"\x89PNG")
    assert (await client.get("/api/insights/charts/nope.png", headers=BEARER)).status == 404
    bad_days = await client.get("/api/insights/sentiment?days=0", headers=BEARER)
    assert bad_days.status == 400


async def test_the_dashboard_is_for_logged_in_agents(client: TestClient, tmp_path: Path) -> None:
    moved = await client.get("/insights", allow_redirects=False)
    assert moved.status == 302 and moved.headers["Location"] == "/agent/insights"
    login = await client.get("/agent/insights", allow_redirects=False)
    assert login.status == 303 and login.headers["Location"] == "/agent"
    assert (await client.get("/agent/insights/api/alerts")).status == 401
    assert (await client.get("/api/insights/alerts")).status == 401
    accounts = SqliteAgentAccounts(tmp_path / "home" / "agents.db")
    await accounts.add("Dana", "a long enough password")
    session = await accounts.open_session("Dana", 3600)
    await accounts.close()
    cookie = {"Cookie": f"{COOKIE}={session.session_id}"}
    page = await client.get("/agent/insights", headers=cookie)
    assert page.status == 200 and "Shopbot insights" in await page.text()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for chart in ("conversations", "intents", "rates", "sentiment", "negatives"):
        png = await client.get(f"/agent/insights/charts/{chart}.png", headers=cookie)
        assert png.status == 200 and png.content_type == "image/png", chart
    alerts = await client.get("/agent/insights/api/alerts", headers=cookie)
    assert alerts.status == 200 and await alerts.json() == {"alerts": []}


async def test_demo_data_shows_its_spike_and_the_alert_goes_to_slack(
    aiohttp_client: Any, tmp_path: Path, models: Path
) -> None:
    slack = FakeSlackApi(SLACK_TOKEN, {})
    await slack.start()
    try:
        client = await _client(aiohttp_client, tmp_path, models, demo=True, slack_url=slack.api_url)
        status = await _all_read(client)
        assert status["reviews"] > 1000
        alerts = (await (await client.get("/api/insights/alerts", headers=BEARER)).json())["alerts"]
        # planted 10 to 13 days ago on the first product: one alert raised over those days
        first, last = day_of(time.time() - 13 * 86_400), day_of(time.time() - 9 * 86_400)
        planted = [
            a
            for a in alerts
            if a["product_id"] == "p1" and a["aspect"] == "*" and first <= a["day"] <= last
        ]
        assert len(planted) == 1 and planted[0]["examples"]
        # history caught up on at first start stays on the dashboard: Slack hears of no spike
        # older than the rule's window
        assert slack.called("chat.postMessage") == []

        angry = (
            "Terrible, it broke after one day. Total waste of money, I am very disappointed. "
            "Call me on +44 20 7946 0958."
        )
        rows = [_row(n, angry, product_id="p2", created_at=time.time() - 60) for n in range(30)]
        assert (await client.post("/api/reviews", json=rows, headers=BEARER)).status == 200
        for _ in range(1200):  # the worker reads the import, then checks: today is not over
            if any("Headphones p2" in c.args["text"] for c in slack.called("chat.postMessage")):
                break
            await asyncio.sleep(0.1)
        posted = [call.args["text"] for call in slack.called("chat.postMessage")]
        assert any("Headphones p2" in text for text in posted), posted
        # the quoted reviews reach Slack masked, as a handed-off shopper's lines do
        assert any("[phone]" in text for text in posted) and "7946" not in str(posted), posted
        recent = {day_of(time.time() - n * 86_400) for n in range(4)}
        assert all(re.search(r" on (\d{4}-\d{2}-\d{2})", t)[1] in recent for t in posted), posted
    finally:
        await slack.close()


async def test_a_shopper_votes_once_per_conversation_with_its_session_token(
    client: TestClient,
) -> None:
    token = client.app[TOKENS].issue("abc123")
    url = "/api/conversations/abc123/satisfaction"
    mine = {"Authorization": f"Bearer {token}"}
    vote = {"vote": "down", "asked_after": "handoff"}
    assert (await client.post(url, json=vote)).status == 403
    assert (
        await client.post("/api/conversations/other/satisfaction", json=vote, headers=mine)
    ).status == 403
    for bad in (
        {"vote": "meh", "asked_after": "quiet"},
        {"vote": "up"},
        {"vote": "up", "asked_after": "quiet", "comment": "x" * 501},
    ):
        assert (await client.post(url, json=bad, headers=mine)).status == 400, bad
    assert (await client.post(url, json=vote, headers=mine)).status == 200
    again = {"vote": "up", "asked_after": "quiet", "comment": "sorted in the end"}
    assert (await client.post(url, json=again, headers=mine)).status == 200
    figures = await (await client.get("/api/insights/conversations", headers=BEARER)).json()
    assert figures["satisfaction"] == {"up": 1, "down": 0, "comments": 1}


async def test_asking_for_messages_sentiment_loads_the_models(client: TestClient) -> None:
    status = await (await client.get("/api/insights/status", headers=BEARER)).json()
    assert status["reviews"] == 0 and not status["models_ready"]  # nothing to read: not loaded
    await asyncio.to_thread(client.app[OPINION].want_reader)  # as the dashboard's thread does
    for _ in range(600):
        status = await (await client.get("/api/insights/status", headers=BEARER)).json()
        if status["models_ready"]:
            break
        await asyncio.sleep(0.1)
    assert status["models_ready"]


async def test_two_instances_on_postgresql_show_the_same_reviews_alerts_and_votes(
    aiohttp_client: Any, tmp_path: Path, models: Path, pg_schema: str
) -> None:
    here = await _client(aiohttp_client, tmp_path / "a", models, True, pg_schema=pg_schema)
    there = await _client(aiohttp_client, tmp_path / "b", models, True, pg_schema=pg_schema)
    rows = [_row(1, "The battery died in a week, terrible."), _row(2)]
    assert await (await here.post("/api/reviews", json=rows, headers=BEARER)).json() == {
        "added": 2,
        "duplicates": 0,
    }
    assert await (await there.post("/api/reviews", json=rows, headers=BEARER)).json() == {
        "added": 0,
        "duplicates": 2,
    }
    status = await _all_read(here)
    assert (await _all_read(there))["reviews"] == status["reviews"] > 1000  # one demo set
    first, last = day_of(time.time() - 13 * 86_400), day_of(time.time() - 9 * 86_400)
    # the instance that read last checks, which takes a moment; each `days` is a figure set
    # of its own, so no answer comes from the dashboard's 20-second cache
    for days in range(365, 65, -1):
        shown = [
            await (await c.get(f"/api/insights/alerts?days={days}", headers=BEARER)).json()
            for c in (here, there)
        ]
        planted = [
            a
            for a in shown[1]["alerts"]
            if a["product_id"] == "p1" and a["aspect"] == "*" and first <= a["day"] <= last
        ]
        if planted and shown[0] == shown[1]:
            break
        await asyncio.sleep(0.1)
    assert len(planted) == 1 and shown[0] == shown[1], shown  # raised once, shown at both
    url = "/api/insights/negatives?days=365"
    shown = [await (await c.get(url, headers=BEARER)).json() for c in (here, there)]
    assert shown[0] == shown[1] and shown[0]["products"]
    token = here.app[TOKENS].issue("abc123")
    vote = {"vote": "up", "asked_after": "quiet"}
    mine = {"Authorization": f"Bearer {token}"}
    url = "/api/conversations/abc123/satisfaction"
    assert (await here.post(url, json=vote, headers=mine)).status == 200
    figures = await (await there.get("/api/insights/conversations", headers=BEARER)).json()
    assert figures["satisfaction"] == {"up": 1, "down": 0, "comments": 0}
