"""The agent inbox in headless Chromium: a shopper on the storefront widget asks for a person,
an agent (added with `shopbot agent add`) logs in at /agent, claims, chats both ways, and
hands back; the bot answers again. Two browser contexts, so two separate cookie jars."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.conftest import MODELS
from tests.e2e.processes import SHOPBOT, free_port, shopbot_process
from tests.e2e.test_widget_browser import ARTIFACTS, CHROMIUM, FLAGS

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`shopbot serve` on a fresh home with one agent, Dana, added by the CLI."""
    home: Path = tmp_path_factory.mktemp("inbox-home")
    added = subprocess.run(
        [SHOPBOT, "agent", "add", "Dana", "--password-stdin", "--home", str(home)],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    listed = subprocess.run(
        [SHOPBOT, "agent", "list", "--home", str(home)], capture_output=True, text=True
    )
    assert listed.stdout.startswith("Dana\t")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--home", str(home), "--models", str(MODELS)]
    with shopbot_process(args, f"{url}/health", {"SHOPBOT_WRITER__LOAD_AT_STARTUP": "false"}):
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


async def _context(browser: Browser, alerts: list[str]) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    page.on("dialog", lambda dialog: alerts.append(dialog.message))
    return context, page


async def _shopper_says(page: Page, text: str) -> None:
    await page.fill(".shopbot-input", text)
    await page.press(".shopbot-input", "Enter")


async def test_an_agent_takes_over_chats_and_hands_back(browser: Browser, store: str) -> None:
    alerts: list[str] = []
    shopper_context, shopper = await _context(browser, alerts)
    agent_context, agent = await _context(browser, alerts)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        await _run_the_handoff(shopper, agent, store)
    except BaseException:
        await shopper.screenshot(path=str(ARTIFACTS / "failure-inbox-shopper.png"))
        await agent.screenshot(path=str(ARTIFACTS / "failure-inbox-agent.png"))
        raise
    finally:
        await shopper_context.close()
        await agent_context.close()
    assert alerts == [], "a script from chat text ran"


async def _run_the_handoff(shopper: Page, agent: Page, store: str) -> None:
    # the shopper asks for a person
    await shopper.goto(store)
    await shopper.click(".shopbot-launcher")
    await shopper.locator(".shopbot-system").first.wait_for()
    await _shopper_says(shopper, "I want to talk to a person")
    connecting = shopper.locator(".shopbot-bot", has_text="Connecting you to a person")
    await connecting.wait_for(timeout=30_000)
    session = json.loads(await shopper.evaluate("localStorage.getItem('shopbot.session')"))
    conversation_id = f"web:{session['session_id']}"

    # the agent logs in (a wrong password first) and finds them in the queue
    await agent.goto(f"{store}/agent")
    await agent.fill("#login-name", "Dana")
    await agent.fill("#login-password", "not the password")
    await agent.click("#login-form button[type=submit]")
    await agent.locator("#login-error", has_text="unknown agent or wrong password").wait_for()
    await agent.fill("#login-password", PASSWORD)
    await agent.click("#login-form button[type=submit]")
    await agent.locator("#inbox").wait_for(state="visible")
    await agent.locator("#live.on").wait_for()
    item = agent.locator(f'.queue-item[data-id="{conversation_id}"]')
    await item.wait_for()
    assert "requested" in await item.locator(".reason").inner_text()
    assert "talk to a person" in await item.locator(".last-lines").inner_text()
    assert "waiting since" in await item.locator(".badge").inner_text()

    # claim: the shopper is told who joined
    await item.locator("button.claim").click()
    joined = shopper.locator(".shopbot-system", has_text="Dana from our team joined the chat.")
    await joined.wait_for(timeout=10_000)
    await agent.locator("#reply-form").wait_for(state="visible")

    # agent -> shopper, shown as text
    started = time.perf_counter()
    await agent.fill("#reply", "Hi, I'm Dana <b>from support</b>. How can I help?")
    await agent.press("#reply", "Enter")
    line = shopper.locator(".shopbot-agent", has_text="How can I help?")
    await line.wait_for(timeout=10_000)
    agent_to_shopper = time.perf_counter() - started
    assert "<b>from support</b>" in await line.inner_text()

    # shopper -> agent, live (markup stays text on the agent's page too)
    started = time.perf_counter()
    await _shopper_says(shopper, "My parcel never arrived <img src=x onerror=alert(1)>")
    heard = agent.locator("#lines .from-shopper", has_text="My parcel never arrived")
    await heard.wait_for(timeout=10_000)
    shopper_to_agent = time.perf_counter() - started
    assert "<img src=x onerror=alert(1)>" in await heard.inner_text()
    assert await agent.locator("#lines img").count() == 0

    # a canned reply fills the box; Send sends it
    canned = agent.locator(".canned-reply").first
    canned_text = await canned.inner_text()
    await canned.click()
    assert await agent.input_value("#reply") == canned_text
    await agent.click("#reply-form button[type=submit]")
    await shopper.locator(".shopbot-agent", has_text=canned_text).wait_for(timeout=10_000)
    await agent.locator("#lines .from-agent", has_text=canned_text).wait_for()
    await shopper.screenshot(path=str(ARTIFACTS / "agent-inbox-shopper.png"))
    await agent.screenshot(path=str(ARTIFACTS / "agent-inbox-agent.png"))

    # resolve: the assistant is back and answers again
    await agent.click("#resolve")
    back = shopper.locator(".shopbot-system", has_text="Dana left the chat; the assistant is back.")
    await back.wait_for(timeout=10_000)
    await agent.locator("#queue-empty").wait_for(state="visible")
    await _shopper_says(shopper, "show me laptops")
    await shopper.locator(".shopbot-card").first.wait_for(timeout=30_000)
    await shopper.screenshot(path=str(ARTIFACTS / "agent-inbox-shopper-after.png"))

    # logging out ends the page's session
    await agent.click("#logout")
    await agent.locator("#login").wait_for(state="visible")
    await agent.reload()
    await agent.locator("#login").wait_for(state="visible")

    (ARTIFACTS / "agent_inbox_timing.json").write_text(
        json.dumps(
            {"agent_to_shopper_s": agent_to_shopper, "shopper_to_agent_s": shopper_to_agent},
            indent=2,
        )
    )
