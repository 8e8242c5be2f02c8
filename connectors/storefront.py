"""The demo storefront at `/`: catalog products plus the embedded chat widget, its assets,
and the history API the widget restores a conversation from."""

from __future__ import annotations

import html
import json
from pathlib import Path

from aiohttp import web

from actions.catalog import Product
from bot.app import BOT, CLIENT_LIMITS, SETTINGS, SHOP, TOKENS, json_error
from bot.messages import conversation_id
from bot.settings import Settings
from bot.transcript import transcript
from connectors.access import client_address, too_many

STATIC = Path(__file__).parent / "web" / "static"
PAGE = Path(__file__).parent / "web" / "storefront.html"
PRODUCTS_SHOWN = 24
# The page and widget load nothing from elsewhere; inline script and style are not allowed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def product_tile(product: Product) -> str:
    rating = (
        f'★ {product.rating:.1f} <span class="reviews">({product.review_count})</span>'
        if product.rating is not None
        else "No ratings yet"
    )
    return (
        '<li class="product">'
        f'<p class="category">{html.escape(product.category)}</p>'
        f"<h2>{html.escape(product.title)}</h2>"
        f'<p class="price">{html.escape(product.price_label())}</p>'
        f'<p class="rating">{rating}</p>'
        "</li>"
    )


def widget_config(settings: Settings) -> str:
    config = {
        "title": settings.web.title,
        "language": "en",
        "colors": {"primary": settings.web.primary_color},
    }
    return html.escape(json.dumps(config), quote=True)


class StorefrontChannel:
    name = "storefront"

    def register(self, app: web.Application, settings: Settings) -> None:
        app.router.add_get("/", self.storefront)
        app.router.add_get("/api/conversations/{session_id}/messages", self.history)
        app.router.add_static("/widget/", STATIC, append_version=False)

    async def storefront(self, request: web.Request) -> web.Response:
        products = request.app[SHOP].catalog.popular(limit=PRODUCTS_SHOWN)
        page = PAGE.read_text(encoding="utf-8")
        page = page.replace("{{products}}", "\n".join(product_tile(p) for p in products))
        page = page.replace("{{widget_config}}", widget_config(request.app[SETTINGS]))
        response = web.Response(text=page, content_type="text/html")
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    async def history(self, request: web.Request) -> web.Response:
        """A conversation's messages, for the holder of its session token only."""
        settings = request.app[SETTINGS]
        address = client_address(request, settings.limits.trusted_proxies)
        wait = await request.app[CLIENT_LIMITS].check_address(address)
        if wait is not None:
            return too_many(wait, "too many requests; slow down")
        session_id = request.match_info["session_id"]
        # only in a header: query strings end up in access logs
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not request.app[TOKENS].verify(session_id, token):
            return json_error(403, "this conversation's token is missing or wrong")
        events = await request.app[BOT].store.load(conversation_id("web", session_id))
        return web.json_response({"session_id": session_id, "messages": transcript(events)})
