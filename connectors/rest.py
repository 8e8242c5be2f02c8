"""Rasa's REST channel: `POST /webhooks/rest/webhook` with `{sender, message, metadata?}`."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from bot.app import BOT, json_error
from bot.messages import UserMessage
from bot.settings import Settings


class RestRequest(BaseModel):
    """Rasa's request body; unknown fields are ignored as Rasa does."""

    model_config = ConfigDict(extra="ignore")

    sender: StrictStr = Field("default", min_length=1, max_length=256)
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

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def receive(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if not raw.strip():
            return json_error(400, 'empty body: send JSON like {"sender": ..., "message": ...}')
        try:
            payload = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return json_error(400, "body is not valid JSON")
        if not isinstance(payload, dict):
            return json_error(400, "body must be a JSON object")
        try:
            body = RestRequest.model_validate(payload)
        except ValidationError as error:
            return json_error(400, _validation_message(error))
        message = UserMessage(
            text=body.message,
            sender_id=body.sender,
            channel=self.name,
            metadata=body.metadata or {},
        )
        replies = await request.app[BOT].handle(message)
        return web.json_response([reply.to_rasa_rest(body.sender) for reply in replies])
