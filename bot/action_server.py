"""rasa-sdk's own action server (Sanic: `/webhook`, `/actions`, `/health`) over the shop's
actions, for a Rasa (or Shopbot) core that runs actions remotely: `shopbot actions`."""

from __future__ import annotations

from functools import partial
from typing import Any

from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic
from sanic.worker.loader import AppLoader

from actions.registry import shop_actions
from actions.shop import Shop
from bot.app import shop_config
from bot.settings import Settings, load_settings


def _worker_app(home: str, models: str) -> Sanic[Any, Any]:
    """Built in each worker process: its own shop, from the same home and environment."""
    shop = Shop.open(shop_config(load_settings(home=home, models=models)))
    executor = ActionExecutor()
    for action in shop_actions(shop):
        executor.register_action(action)
    app: Sanic[Any, Any] = create_app_for_serve(executor)
    return app


def serve(settings: Settings, host: str, port: int) -> None:
    """Import the catalog once, then serve until interrupted."""
    Shop.prepare(shop_config(settings))
    loader = AppLoader(factory=partial(_worker_app, str(settings.home), str(settings.models)))
    app = loader.load()
    app.prepare(host=host, port=port, workers=1)
    Sanic.serve(primary=app, app_loader=loader)
