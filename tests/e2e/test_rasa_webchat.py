"""rasa-webchat 1.0.1, the widget Rasa users embed, unmodified, in headless Chromium.

The package comes from npm at test time (`make var/vendor/rasa-webchat-1.0.1.tgz`, checked
against its published sha512; `make test` fetches it). Its `lib/index.js` is a UMD bundle with
React and socket.io-client inside, so a page needs nothing else. The page and the bundle are
served from 127.0.0.1, the widget talks to a real `shopbot serve`, and every request for
another host is refused: the bundle's stylesheets import Google Fonts, which must not matter.
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from playwright.async_api import Page, Route, async_playwright

from bot.settings import PROJECT_ROOT
from tests.conftest import MODELS
from tests.e2e.processes import free_port, shopbot_process
from tests.e2e.test_widget_browser import ARTIFACTS, CHROMIUM, FLAGS

PACKAGE = PROJECT_ROOT / "var" / "vendor" / "rasa-webchat-1.0.1.tgz"
TIMEOUT_MS = 30_000  # the widget holds each message back 0.8-3 s, as it does for shoppers

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A shop with rasa-webchat</title></head>
<body>
<script src="/rasa-webchat.js"></script>
<script>WebChat.default(%s, null);</script>
</body></html>"""


@pytest.fixture(scope="module")
def bundle() -> bytes:
    """`package/lib/index.js` from the npm tarball, as published."""
    target = PACKAGE.relative_to(PROJECT_ROOT)
    if not PACKAGE.exists():
        pytest.fail(f"{target} is missing: `make {target}` fetches it from npm")
    with tarfile.open(PACKAGE) as package:
        member = package.extractfile("package/lib/index.js")
        assert member is not None
        return member.read()


@pytest.fixture(scope="module")
def bot_url(tmp_path_factory: pytest.TempPathFactory, intent_model_dir: Path) -> Iterator[str]:
    home = tmp_path_factory.mktemp("webchat-home")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--home", str(home), "--models", str(MODELS)]
    with shopbot_process(args, f"{url}/health", {}):
        yield url


@pytest.fixture
async def page_url(bundle: bytes, bot_url: str) -> AsyncIterator[str]:
    """A shop page on another local port that embeds the widget as rasa-webchat's README says."""
    props = {
        "socketUrl": bot_url,
        "socketPath": "/socket.io/",
        "initPayload": "/greet",
        "customData": {"language": "en"},
        "title": "Shop assistant",
    }
    page = PAGE % json.dumps(props)

    async def shop_page(_: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    async def widget(_: web.Request) -> web.Response:
        return web.Response(body=bundle, content_type="application/javascript")

    app = web.Application()
    app.router.add_get("/", shop_page)
    app.router.add_get("/rasa-webchat.js", widget)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    """A page whose requests may reach 127.0.0.1 only; it fails the test if the widget broke."""
    refused: list[str] = []
    errors: list[str] = []

    async def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        await context.route("**/*", local_only)
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "rasa-webchat.png"), full_page=True)
        await browser.close()
    assert errors == []
    assert {urlsplit(url).hostname for url in refused} <= {"fonts.googleapis.com"}


async def answer(page: Page, text: str, send: Callable[[], Awaitable[None]]) -> str:
    """What `send` gets back: the text of the first new bot message containing `text`."""
    before = await page.locator(".rw-response", has_text=text).count()
    await send()
    message = page.locator(".rw-response", has_text=text).nth(before)
    await message.wait_for(timeout=TIMEOUT_MS)
    return await message.inner_text()


def typing(page: Page, text: str) -> Callable[[], Awaitable[None]]:
    async def send() -> None:
        await page.fill(".rw-new-message", text)
        await page.press(".rw-new-message", "Enter")

    return send


def clicking(page: Page, title: str) -> Callable[[], Awaitable[None]]:
    return page.locator(".rw-reply", has_text=title).click


async def quick_replies(page: Page) -> list[str]:
    """The quick replies under the last message (rasa-webchat shows them on the last only)."""
    await page.locator(".rw-reply").first.wait_for(timeout=TIMEOUT_MS)
    return [title.strip() for title in await page.locator(".rw-reply").all_inner_texts()]


async def test_rasa_webchat_shows_every_kind_of_reply(page: Page, page_url: str) -> None:
    await page.goto(page_url)
    opening = page.locator(".rw-launcher").click  # opening the chat sends initPayload: /greet
    await answer(page, "I'm the store assistant", opening)
    assert await quick_replies(page) == ["Laptops", "Headphones"]

    # the intro, then the list as its own paragraph (Rasa splits text on blank lines), which
    # rasa-webchat renders as a Markdown list: "Title — $price", one an item
    results = await answer(page, " — $", typing(page, "show me laptops under 800"))
    assert await page.locator(".rw-response", has_text="products I found").count() == 1
    listed = re.findall(r"^(?:\d\. )?(.+?) — \$[\d,.]+", results, re.MULTILINE)
    assert len(listed) >= 2
    replies = await quick_replies(page)
    assert replies[:2] == ["Details #1", "Details #2"] and "Compare #1 and #2" in replies

    bullets_before = await page.locator(".rw-response li").count()
    details = await answer(page, listed[0], clicking(page, "Details #1"))
    assert "$" in details and "\n" in details  # title, price and rating, one a line
    assert await quick_replies(page) == ["More like this"]
    assert await page.locator(".rw-response li").count() > bullets_before  # the features

    policy = await answer(page, "refund", typing(page, "what is your refund policy"))
    assert "30 days" in policy

    await answer(page, "What's the order number?", typing(page, "where is my order?"))
