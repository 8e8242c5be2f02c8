"""The insights dashboard in headless Chromium: `shopbot serve` on a fresh home (demo reviews
loaded at first start, as `make serve` does), a shopper's message over REST, an agent logs in
at /agent, opens /insights, every chart is a real PNG drawn from data, the planted spike is
among the alerts, and a screenshot is kept in tests/artifacts/insights.png."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.conftest import MODELS
from tests.e2e.processes import SHOPBOT, free_port, shopbot_process
from tests.e2e.test_widget_browser import ARTIFACTS, CHROMIUM, FLAGS

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
TOKEN = "insights-e2e-token-0123456789-abcdefgh"
CHARTS = ("conversations", "intents", "rates", "sentiment", "negatives")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home: Path = tmp_path_factory.mktemp("insights-home")
    added = subprocess.run(
        [SHOPBOT, "agent", "add", "Dana", "--password-stdin", "--home", str(home)],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--home", str(home), "--models", str(MODELS)]
    env = {"SHOPBOT_WRITER__LOAD_AT_STARTUP": "false", "SHOPBOT_API_TOKEN": TOKEN}
    with shopbot_process(args, f"{url}/health", env):
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


def _say(url: str, text: str) -> None:
    body = json.dumps({"sender": "e2e-shopper", "message": text}).encode()
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def _wait_until_read(url: str) -> None:
    """The demo reviews are read in the background after startup: wait for the first check."""
    request = urllib.request.Request(
        f"{url}/api/insights/status", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    for _ in range(600):
        with urllib.request.urlopen(request, timeout=30) as response:
            status = json.load(response)
        if status["checked_once"] and status["all_read"] and status["reviews"]:
            return
        time.sleep(0.2)
    raise AssertionError(f"the demo reviews were not read: {status}")


async def test_an_agent_sees_real_charts_and_the_planted_spike(
    browser: Browser, store: str
) -> None:
    _say(store, "show me headphones")
    _say(store, "这个耳机太差了，我要退货")
    _wait_until_read(store)
    context = await browser.new_context(viewport={"width": 1400, "height": 1800})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        await page.goto(f"{store}/insights")
        assert page.url.endswith("/agent"), "not logged in: to the inbox's login first"
        await page.fill("#login-name", "Dana")
        await page.fill("#login-password", PASSWORD)
        await page.click("#login-form button[type=submit]")
        await page.locator("#inbox").wait_for(state="visible")
        await page.goto(f"{store}/insights")
        assert page.url.endswith("/agent/insights")
        for chart in CHARTS:
            image = page.locator(f'img[data-chart="{chart}"]')
            await image.wait_for()
            await page.wait_for_function(
                "img => img.complete && img.naturalWidth > 300",
                arg=await image.element_handle(),
            )
        alert = page.locator(".alert").first
        await alert.wait_for()
        assert "negative of" in await alert.inner_text()
        assert await page.locator("#alerts blockquote").count() > 0
        await page.locator("#quotes h3").first.wait_for()
        conversations = await page.request.get(f"{store}/agent/insights/api/conversations")
        figures = await conversations.json()
        assert figures["conversations"] >= 1 and figures["intents"]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "insights.png"), full_page=True)
    except BaseException:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "failure-insights.png"), full_page=True)
        raise
    finally:
        await context.close()
    assert errors == []
