"""What a connector provides: routes on the app that turn wire messages into `Bot.handle` calls."""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from bot.settings import Settings


class Channel(Protocol):
    """A connector; it reaches the bot through `request.app[BOT]` once the app has started."""

    name: str

    def register(self, app: web.Application, settings: Settings) -> None: ...
