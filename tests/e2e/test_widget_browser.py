"""The storefront and its chat widget in headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from playwright.async_api import Browser, Page, async_playwright

from bot.settings import PROJECT_ROOT
from tests.conftest import MODELS
from tests.e2e.processes import free_port, shopbot_process
from tests.writer.chat_api import ChatAPI, chat_api_thread, clause_after_fact

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


AGENT_TOKEN = "agent-secret-" + "b" * 32


@pytest.fixture(scope="module")
def writer_api() -> Iterator[str]:
    """A local chat-completions server that streams word by word."""
    with chat_api_thread(ChatAPI(clause_after_fact, chunk_delay_s=0.04)) as url:
        yield url


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory, writer_api: str) -> Iterator[str]:
    home = tmp_path_factory.mktemp("store-home")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--home", str(home), "--models", str(MODELS)]
    writer = {
        "SHOPBOT_WRITER__BACKEND": "openai",
        "SHOPBOT_WRITER__BASE_URL": writer_api,
        "SHOPBOT_WEB__AGENT_TOKEN": AGENT_TOKEN,
    }
    with shopbot_process(args, f"{url}/health", writer):
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    alerts: list[str] = []
    page.on("dialog", lambda dialog: alerts.append(dialog.message))
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        await page.screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}.png"))
    assert alerts == [], "a script from chat text ran"
    await context.close()


async def _send(page: Page, text: str) -> float:
    """Type and send; returns seconds until the next bot message appears."""
    before = await page.locator(".shopbot-bot").count()
    await page.fill(".shopbot-input", text)
    started = time.perf_counter()
    await page.press(".shopbot-input", "Enter")
    await page.locator(".shopbot-bot").nth(before).wait_for(timeout=30_000)
    return time.perf_counter() - started


async def test_storefront_widget_end_to_end(page: Page, store_url: str) -> None:
    await page.goto(store_url)
    assert await page.locator("li.product").count() >= 12
    await page.click(".shopbot-launcher")
    await page.locator(".shopbot-panel").wait_for(state="visible")
    await page.locator(".shopbot-system").first.wait_for()

    timings = [await _send(page, "laptops under 800")]
    cards = page.locator(".shopbot-card")
    await cards.first.wait_for()
    prices = [
        float(re.sub(r"[^\d.]", "", p.split("–")[0]))
        for p in await page.locator(".shopbot-card-price").all_inner_texts()
    ]
    assert prices and all(price <= 800 for price in prices)

    before = await page.locator(".shopbot-bot").count()
    await page.locator(".shopbot-quick-reply").first.click()
    await page.locator(".shopbot-bot").nth(before + 1).wait_for()  # the header, the features
    details = await page.locator(".shopbot-bot").all_inner_texts()
    assert "$" in details[before] and details[before + 1].startswith("- ")

    timings.append(await _send(page, "<img src=x onerror=alert(1)>"))
    user_lines = await page.locator(".shopbot-user").all_inner_texts()
    assert "<img src=x onerror=alert(1)>" in user_lines
    assert await page.locator(".shopbot img[src='x']").count() == 0
    for text in ("hello", "what is your refund policy", "show me headphones"):
        timings.append(await _send(page, text))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "widget.png"))

    await page.reload()
    await page.click(".shopbot-launcher")
    restored = page.locator(".shopbot-user", has_text="laptops under 800")
    await restored.wait_for(timeout=15_000)
    assert await page.locator(".shopbot-card").count() >= len(prices)

    (ARTIFACTS / "widget_timing.json").write_text(
        json.dumps(
            {
                "send_to_first_bot_message_s": timings,
                "median_s": statistics.median(timings),
            },
            indent=2,
        )
    )


async def test_widget_on_a_phone_and_by_keyboard(browser: Browser, store_url: str) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = await context.new_page()
    await page.goto(store_url)
    await page.focus(".shopbot-launcher")
    await page.keyboard.press("Enter")
    panel = page.locator(".shopbot-panel")
    await panel.wait_for(state="visible")
    box = await panel.bounding_box()
    assert box is not None and box["width"] >= 380 and box["height"] >= 800
    assert await page.evaluate("document.activeElement.className") == "shopbot-input"
    await page.keyboard.type("hi")
    await page.keyboard.press("Enter")
    await page.locator(".shopbot-bot").first.wait_for(timeout=30_000)
    await page.keyboard.press("Escape")
    await panel.wait_for(state="hidden")
    await page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
    await context.close()


async def test_unread_badge_counts_replies_while_closed(page: Page, store_url: str) -> None:
    await page.goto(store_url)
    await page.click(".shopbot-launcher")
    await page.locator(".shopbot-system").first.wait_for()  # session confirmed
    await page.click(".shopbot-close")
    # a store page may ask on the shopper's behalf ("ask about this product") while closed
    await page.evaluate("window.ShopbotWidget.instance.send('show me tvs', 'show me tvs')")
    badge = page.locator(".shopbot-badge")
    await badge.wait_for(state="visible", timeout=30_000)
    assert int(await badge.inner_text()) >= 1
    await page.click(".shopbot-launcher")
    await badge.wait_for(state="hidden")


async def test_a_description_streams_in_as_it_is_written(page: Page, store_url: str) -> None:
    await page.goto(store_url)
    await page.click(".shopbot-launcher")
    await page.locator(".shopbot-system").first.wait_for()
    await _send(page, "show me laptops")
    await page.locator(".shopbot-card").first.wait_for()
    await page.fill(".shopbot-input", "write a description for the first one")
    await page.press(".shopbot-input", "Enter")
    streaming = page.locator(".shopbot-streaming")
    await streaming.wait_for(timeout=30_000)
    await page.wait_for_function(
        "() => (document.querySelector('.shopbot-streaming') || {}).textContent?.length > 20"
    )
    partial = await streaming.inner_text()
    await streaming.wait_for(state="detached", timeout=60_000)  # the class goes when it ends
    final = await page.locator(".shopbot-bot").last.inner_text()
    assert "makes everyday work smooth and simple." in final
    assert len(partial) < len(final), "text should show before the whole description is done"
    assert await page.locator(".shopbot-draft").count() == 0
    await page.screenshot(path=str(ARTIFACTS / "widget-description.png"))


async def test_agent_join_and_leave_show_as_system_lines(page: Page, store_url: str) -> None:
    await page.goto(store_url)
    await page.click(".shopbot-launcher")
    await page.locator(".shopbot-system").first.wait_for()
    await _send(page, "hello")
    session = json.loads(await page.evaluate("localStorage.getItem('shopbot.session')"))
    url = f"{store_url}/api/conversations/web:{session['session_id']}/agent"
    headers = {"Authorization": f"Bearer {AGENT_TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        for body in (
            {"event": "join", "agent": "Dana"},
            {"event": "message", "agent": "Dana", "text": "Hi, I'm Dana <b>from support</b>."},
            {"event": "leave", "agent": "Dana"},
        ):
            async with http.post(url, json=body) as response:
                assert response.status == 201
    system = page.locator(".shopbot-system", has_text="Dana left the chat; the assistant is back.")
    await system.wait_for(timeout=10_000)
    assert (
        await page.locator(
            ".shopbot-system", has_text="Dana from our team joined the chat."
        ).count()
        == 1
    )
    agent = page.locator(".shopbot-agent")
    assert "Dana" in await agent.locator(".shopbot-agent-name").inner_text()
    assert "<b>from support</b>" in await agent.inner_text()  # shown as text, not markup
    await page.reload()
    await page.click(".shopbot-launcher")
    await page.locator(
        ".shopbot-system", has_text="Dana left the chat; the assistant is back."
    ).wait_for()
    assert await page.locator(".shopbot-agent", has_text="from support").count() == 1


async def test_the_talk_to_a_person_button_hands_the_shopper_over(
    page: Page, store_url: str
) -> None:
    await page.goto(store_url)
    await page.click(".shopbot-launcher")
    await page.locator(".shopbot-system").first.wait_for()
    await page.click(".shopbot-person")
    connecting = page.locator(".shopbot-bot", has_text="Connecting you to a person")
    await connecting.wait_for(timeout=15_000)
    assert await page.locator(".shopbot-user", has_text="Talk to a person").count() == 1
    before = await page.locator(".shopbot-bot").count()
    await page.fill(".shopbot-input", "hello?")
    await page.press(".shopbot-input", "Enter")
    await page.locator(".shopbot-user", has_text="hello?").wait_for()
    await page.wait_for_timeout(1500)
    assert await page.locator(".shopbot-bot").count() == before  # the bot waits for a person
