"""Rasa's REST channel: `POST /webhooks/rest/webhook` with `{sender, message, metadata?}`.

The sender is whatever the integrating backend says, so the conversation is
`rest:<sender>`. Facing the internet, set `rest_token` (SHOPBOT_REST_TOKEN): then only a
caller with that Bearer token may speak for a sender. Lines a person writes to a REST
shopper later (handoff) go to `rest_callback_url`, as Rasa's callback channel does.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from bot.app import BOT, CLIENT_LIMITS, SETTINGS, json_error
from bot.messages import UserMessage, conversation_id
from bot.settings import Settings
from bot.text import is_printable_id, json_size
from connectors.access import bearer_refusal, client_address, json_object, too_many
from connectors.rest_callback import RestCallbacks


class RestRequest(BaseModel):
    """Rasa's request body; unknown fields are ignored as Rasa does."""

    model_config = ConfigDict(extra="ignore")

    sender: StrictStr = Field(min_length=1, max_length=256)
    message: StrictStr = Field(min_length=1)
    metadata: dict[str, Any] | None = None


def _validation_message(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{field}: {first['msg']}"


class RestChannel:
    name = "rest"

    def register(self, app: web.Application, settings: Settings) -> None:
        app.router.add_get("/webhooks/rest/", self.status)
        app.router.add_post("/webhooks/rest/webhook", self.receive)
        if settings.rest_callback_url:
            RestCallbacks(settings.rest_callback_url).register(app)

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def receive(self, request: web.Request) -> web.Response:
        settings = request.app[SETTINGS]
        if settings.rest_token is not None:
            refusal = bearer_refusal(request, settings.rest_token, "rest_token")
            if refusal is not None:
                return refusal
        # Rasa's clients send JSON without always saying so: any content type is read
        payload = await json_object(request, require_json_type=False)
        try:
            body = RestRequest.model_validate(payload)
        except ValidationError as error:
            return json_error(400, _validation_message(error))
        if not is_printable_id(body.sender):
            return json_error(400, "sender: control characters are not allowed")
        if json_size(body.metadata or {}) > settings.limits.max_metadata_bytes:
            return json_error(
                400, "metadata: too large", max_bytes=settings.limits.max_metadata_bytes
            )
        wait = await request.app[CLIENT_LIMITS].check(
            client_address(request, settings.limits.trusted_proxies),
            conversation_id(self.name, body.sender),
        )
        if wait is not None:
            return too_many(wait, "too many messages; slow down")
        message = UserMessage(
            text=body.message,
            sender_id=body.sender,
            channel=self.name,
            metadata=body.metadata or {},
        )
        replies = await request.app[BOT].handle(message)
        return web.json_response([reply.to_rasa_rest(body.sender) for reply in replies])
