"""People joining a shopper's conversation: join, write, leave.

`POST /api/conversations/{conversation_id}/agent {"event": "join"|"message"|"leave", "agent",
"text"?}` (conversation ids as the store keys them, e.g. `web:3f9c…`) stores the line in the
conversation (so a reloaded widget shows it) and pushes it to the shopper's open sockets as
`agent_joined`, `bot_uttered` or `agent_left`. It is one client of `bot.handoff.
HandoffService`: "join" claims the conversation (the bot pauses), "message" needs the claim,
"leave" hands it back (the bot resumes); another agent's conversation is a 409. A support
tool (the Slack connector, a helpdesk) calls it with `web.agent_token` as a Bearer token and
a JSON content type; with no token configured the route is closed.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError, model_validator

from bot.app import HANDOFF, SETTINGS, json_error
from bot.handoff import Refused
from bot.settings import Settings
from connectors.access import bearer_refusal, json_object


class AgentLine(BaseModel):
    event: str = Field(pattern="^(join|message|leave)$")
    agent: str = Field(min_length=1, max_length=40)
    text: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def message_needs_text(self) -> AgentLine:
        if self.event == "message" and not (self.text or "").strip():
            raise ValueError("a message needs text")
        return self

    def shown(self) -> str:
        if self.event == "join":
            return f"{self.agent} joined the chat."
        if self.event == "leave":
            return f"{self.agent} left the chat."
        return str(self.text)


class AgentApi:
    name = "agents"

    def register(self, app: web.Application, settings: Settings) -> None:
        app.router.add_post("/api/conversations/{conversation_id}/agent", self.post_line)

    async def post_line(self, request: web.Request) -> web.Response:
        token = request.app[SETTINGS].web.agent_token
        refusal = bearer_refusal(request, token, "web.agent_token")
        if refusal is not None:
            return refusal
        try:
            line = AgentLine.model_validate(await json_object(request))
        except ValidationError as error:
            return json_error(
                400,
                "invalid agent line",
                details=error.errors(include_url=False, include_context=False),
            )
        conversation = request.match_info["conversation_id"]
        service = request.app[HANDOFF]
        act = {"join": service.claim, "leave": service.resolve}
        try:
            if line.event == "message":
                text = await service.say(conversation, line.agent, str(line.text))
            else:
                text = await act[line.event](conversation, line.agent)
        except LookupError:
            return json_error(404, "no such conversation")
        except Refused as refusal:
            return json_error(409, str(refusal))
        return web.json_response({"stored": True, "shown": text}, status=201)
