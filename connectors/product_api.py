"""The product description API: read the stored description, or have it written again.

`GET /api/products/{id}/description` answers the stored description with its check result
and the path that produced it. `POST` regenerates it (a store operator's action: it needs
`writer.admin_token` as a Bearer token; with none configured the route is closed) and answers
once the new description is checked and stored.

`POST /api/products/{id}/check` with `{"text": "...", "market": "cn"}` checks copy a person
wrote against the product's record (the same operator token): each sentence with every claim,
supported or not and the rule that judged it, the judge's verdict where it overturned a rule
(`"rules_only": true` turns it off), and the market's wording findings.
"""

from __future__ import annotations

import asyncio
import re

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.app import SETTINGS, SHOP, json_error
from bot.settings import Settings
from connectors.access import bearer_refusal, json_object
from writer.copy_review import BadCopy, review_copy
from writer.service import UnknownProduct, WriterBusy

_PRODUCT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class CopyToCheck(BaseModel):
    """The body of a check: the copy, and whose advertising rules to apply."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: str
    market: str | None = None
    rules_only: bool = False  # as the writer checks its own copy: no judge overturns a rule


class ProductApi:
    name = "product_api"

    def register(self, app: web.Application, settings: Settings) -> None:
        app.router.add_get("/api/products/{product_id}/description", self.get_description)
        app.router.add_post("/api/products/{product_id}/description", self.regenerate)
        app.router.add_post("/api/products/{product_id}/check", self.check_copy)
        app.router.add_get("/api/writer", self.writer_status)

    async def get_description(self, request: web.Request) -> web.Response:
        product_id = request.match_info["product_id"]
        if not _PRODUCT_ID.fullmatch(product_id):
            return json_error(400, "product ids are 1-64 letters, digits, '-' or '_'")
        try:
            stored = await request.app[SHOP].descriptions.stored(product_id)
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

    async def check_copy(self, request: web.Request) -> web.Response:
        product_id = request.match_info["product_id"]
        if not _PRODUCT_ID.fullmatch(product_id):
            return json_error(400, "product ids are 1-64 letters, digits, '-' or '_'")
        writer = request.app[SETTINGS].writer
        refusal = bearer_refusal(request, writer.admin_token, "writer.admin_token")
        if refusal is not None:
            return refusal
        try:
            body = CopyToCheck.model_validate(await json_object(request))
        except ValidationError as error:
            details = error.errors(include_url=False, include_context=False, include_input=False)
            return json_error(
                400, 'send {"text": "...", "market"?: "...", "rules_only"?: false}', details=details
            )
        try:
            record = request.app[SHOP].descriptions.record(product_id)
        except UnknownProduct:
            return json_error(404, "no such product", product_id=product_id)
        try:  # regular expressions over up to 5,000 characters: off the event loop
            review = await asyncio.to_thread(
                review_copy, body.text, record, body.market or writer.market, body.rules_only
            )
        except BadCopy as bad:
            return json_error(400, str(bad), product_id=product_id)
        return web.json_response(review.to_dict())

    async def writer_status(self, request: web.Request) -> web.Response:
        return web.json_response(request.app[SHOP].descriptions.status())
