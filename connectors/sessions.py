"""Web sessions, for the store: `POST /api/sessions/{session_id}/revoke` (Bearer `api_token`)
ends every token issued for a session so far, e.g. when its shopper logs out of the store.
The widget's next `session_request` gets a fresh session."""

from __future__ import annotations

from aiohttp import web

from bot.app import SETTINGS, TOKENS, json_error
from bot.settings import Settings
from connectors.access import bearer_refusal


class SessionApi:
    name = "sessions"

    def register(self, app: web.Application, settings: Settings) -> None:
        app.router.add_post("/api/sessions/{session_id}/revoke", self.revoke)

    async def revoke(self, request: web.Request) -> web.Response:
        refusal = bearer_refusal(request, request.app[SETTINGS].api_token, "api_token")
        if refusal is not None:
            return refusal
        session_id = request.match_info["session_id"]
        if len(session_id) > 128:
            return json_error(400, "session ids are at most 128 characters")
        request.app[TOKENS].revoke(session_id)
        return web.json_response({"revoked": session_id})
