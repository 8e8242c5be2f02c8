"""The Slack loop with a real shopper in Chromium: the widget's "Talk to a person" → a parent
message in Slack → Claim → the agent's thread reply shows in the shopper's browser →
Resolve → the bot answers again. The service runs as `shopbot serve`; Slack's Web API is a
real server on 127.0.0.1, and Slack's requests to us are signed as Slack signs them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, async_playwright

from bot.settings import PROJECT_ROOT
from connectors.slack_blocks import CLAIM, RESOLVE
from tests.conftest import MODELS
from tests.e2e.processes import free_port, shopbot_process
from tests.e2e.test_widget_browser import CHROMIUM, FLAGS
from tests.fakes.slack_api import FakeSlackApi, SlackSender

TOKEN = "xoxb-1111-2222-shopbot-browser-token"
SECRET = "9a742231b10e8888abcd99yyyzzz85a6"
SUPPORT = "C0SUPPORT"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi(TOKEN, {"U0DANA": "Dana"})
    await api.start()
    yield api
    await api.close()


@pytest.fixture
async def store(
    tmp_path_factory: pytest.TempPathFactory, slack_api: FakeSlackApi
) -> AsyncIterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    home = tmp_path_factory.mktemp("slack-store")
    args = ["serve", "--port", str(port), "--home", str(home), "--models", str(MODELS)]
    env = {
        "SHOPBOT_SLACK__BOT_TOKEN": TOKEN,
        "SHOPBOT_SLACK__SIGNING_SECRET": SECRET,
        "SHOPBOT_SLACK__SUPPORT_CHANNEL": "#support",
        "SHOPBOT_SLACK__API_URL": slack_api.api_url,
    }
    with contextlib.ExitStack() as stack:
        # started off the loop: the fake Slack API answers on this loop meanwhile
        await asyncio.to_thread(stack.enter_context, shopbot_process(args, f"{url}/health", env))
        yield url


@pytest.fixture
async def page(store: str) -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 860})
        yield page
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "slack-shopper.png"))
        await browser.close()


async def test_an_agent_in_slack_talks_with_a_shopper_in_the_browser(
    page: Page, store: str, slack_api: FakeSlackApi
) -> None:
    slack = SlackSender(store + "/", SECRET)
    await page.goto(store)
    await page.click(".shopbot-launcher")
    await page.locator(".shopbot-system").first.wait_for()
    await page.click(".shopbot-person")
    await page.locator(".shopbot-bot", has_text="Connecting you to a person").wait_for()
    parent = (await slack_api.wait_for("chat.postMessage"))[0]
    thread_ts = str(parent.answer["ts"])
    actions = next(b for b in parent.args["blocks"] if b["type"] == "actions")
    conversation = actions["elements"][0]["value"]
    assert conversation.startswith("web:")

    assert (await slack.press(CLAIM, conversation, "U0DANA", SUPPORT, thread_ts, "x"))[0] == 200
    await page.locator(".shopbot-system", has_text="Dana from our team joined").wait_for()
    reply = "Hi, I'm Dana. What can I do for you?"
    assert (await slack.thread_reply(SUPPORT, thread_ts, "U0DANA", reply))[0] == 200
    await page.locator(".shopbot-agent", has_text=reply).wait_for()

    await page.fill(".shopbot-input", "my parcel is late")
    await page.press(".shopbot-input", "Enter")
    line = (await slack_api.wait_for("chat.postMessage", 2))[1]
    assert line.args["thread_ts"] == thread_ts and "my parcel is late" in line.args["text"]

    assert (await slack.press(RESOLVE, conversation, "U0DANA", SUPPORT, thread_ts, "x"))[0] == 200
    await page.locator(".shopbot-system", has_text="the assistant is back").wait_for()
    before = await page.locator(".shopbot-bot").count()
    await page.fill(".shopbot-input", "show me laptops")
    await page.press(".shopbot-input", "Enter")
    await page.locator(".shopbot-bot").nth(before).wait_for()
    assert "products I found" in await page.locator(".shopbot-bot").nth(before).inner_text()
