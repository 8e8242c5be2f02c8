"""rasa-sdk's own action server (Sanic: `/webhook`, `/actions`, `/health`) over the shop's
actions, for a Rasa (or Shopbot) core that runs actions remotely: `shopbot actions`."""

from __future__ import annotations

from functools import partial
from typing import Any

from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.utils import number_of_sanic_workers
from sanic import Sanic
from sanic.worker.loader import AppLoader
from sanic.worker.manager import WorkerManager

from actions.registry import shop_actions
from actions.shop import Shop
from bot.app import shop_config
from bot.settings import Settings, load_settings


def _server_app(home: str, models: str) -> Sanic[Any, Any]:
    """Built in the main process and again in each worker (Sanic's loader does both): the
    shop opens here without its models, which load only where requests are served."""
    config = shop_config(load_settings(home=home, models=models))
    shop = Shop.open(config, load_models=False)
    executor = ActionExecutor()
    for action in shop_actions(shop):
        executor.register_action(action)
    app: Sanic[Any, Any] = create_app_for_serve(executor)

    async def load_models(app: Sanic[Any, Any]) -> None:
        shop.load_models(config.writer.load_at_startup)

    async def close_shop(app: Sanic[Any, Any]) -> None:
        await shop.aclose()

    app.register_listener(load_models, "before_server_start")
    app.register_listener(close_shop, "after_server_stop")
    return app


WORKER_STARTUP_S = 180  # the longest a worker may take to load its models and start


def serve(settings: Settings, host: str, port: int) -> None:
    """Import the catalog once, then serve until interrupted (ACTION_SERVER_SANIC_WORKERS
    workers, as rasa-sdk's own server)."""
    Shop.prepare(shop_config(settings))
    loader = AppLoader(factory=partial(_server_app, str(settings.home), str(settings.models)))
    app = loader.load()
    app.prepare(host=host, port=port, workers=number_of_sanic_workers())
    # each worker loads its models before it reports ready; on a busy 2-core machine that
    # took over Sanic's default 30 s, and the manager then SIGKILLs its whole process group
    WorkerManager.THRESHOLD = WORKER_STARTUP_S * 10  # in tenths of a second
    Sanic.serve(primary=app, app_loader=loader)
