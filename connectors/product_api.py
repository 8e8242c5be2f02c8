"""The product description API: read the stored description, or have it written again.

`GET /api/products/{id}/description` answers the stored description with its check result
and the path that produced it. `POST` regenerates it (a store operator's action: it needs
`writer.admin_token` as a Bearer token; with none configured the route is closed) and answers
once the new description is checked and stored.
"""

from __future__ import annotations

import re

from aiohttp import web

from bot.app import SETTINGS, SHOP, json_error
from bot.settings import Settings
from connectors.access import bearer_refusal
from writer.service import UnknownProduct, WriterBusy

_PRODUCT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ProductApi:
    name = "product_api"

    def register(self, app: web.Application, settings: Settings) -> None:
        app.router.add_get("/api/products/{product_id}/description", self.get_description)
        app.router.add_post("/api/products/{product_id}/description", self.regenerate)
        app.router.add_get("/api/writer", self.writer_status)

    async def get_description(self, request: web.Request) -> web.Response:
        product_id = request.match_info["product_id"]
        if not _PRODUCT_ID.fullmatch(product_id):
            return json_error(400, "product ids are 1-64 letters, digits, '-' or '_'")
        try:
            stored = request.app[SHOP].descriptions.stored(product_id)
        except UnknownProduct:
            return json_error(404, "no such product", product_id=product_id)
        if stored is None:
            return json_error(
                404, "no description yet; POST to this URL to write one", product_id=product_id
            )
        return web.json_response(stored.to_dict())

    async def regenerate(self, request: web.Request) -> web.Response:
        product_id = request.match_info["product_id"]
        if not _PRODUCT_ID.fullmatch(product_id):
            return json_error(400, "product ids are 1-64 letters, digits, '-' or '_'")
        token = request.app[SETTINGS].writer.admin_token
        refusal = bearer_refusal(request, token, "writer.admin_token")
        if refusal is not None:
            return refusal
        try:
            descriptions = request.app[SHOP].descriptions
            stored = await descriptions.describe(product_id, regenerate=True)
        except UnknownProduct:
            return json_error(404, "no such product", product_id=product_id)
        except WriterBusy as busy:
            response = json_error(503, f"the writer is busy: {busy}", product_id=product_id)
            response.headers["Retry-After"] = "30"
            return response
        return web.json_response(stored.to_dict(), status=201)

    async def writer_status(self, request: web.Request) -> web.Response:
        return web.json_response(request.app[SHOP].descriptions.status())
