"""The recommender on interactions whose answer is known, and in a conversation."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from actions.recommender import (
    DAY,
    Interaction,
    RecommenderConfig,
    also_bought,
    fit,
    recommend,
    score_profiles,
)
from actions.recommender_store import load_model, save_model
from bot.app import build_bot, close_bot, open_shop
from bot.messages import UserMessage
from bot.settings import Settings
from tests.e2e.processes import SHOPBOT

T0 = 1_700_000_000.0


def _basket(user: str, items: str, day: float = 0.0) -> list[Interaction]:
    return [Interaction(user, item, T0 + day * DAY) for item in items]


def _shop() -> list[Interaction]:
    # cameras come with memory cards; laptops with mice; tents with nothing in particular
    rows: list[Interaction] = []
    for n in range(30):
        rows += _basket(f"photo{n}", "CM" if n % 3 else "CMT")
        rows += _basket(f"office{n}", "LK" if n % 2 else "LKS")
    return rows


def test_also_bought_follows_co_purchases() -> None:
    model = fit(_shop(), RecommenderConfig(l2=10.0, half_life_days=None))
    assert also_bought(model, "C", 1) == ["M"]
    assert also_bought(model, "L", 1) == ["K"]
    assert also_bought(model, "nope") == []


def test_recommend_excludes_what_was_bought_and_knows_the_next_item() -> None:
    model = fit(_shop(), RecommenderConfig(l2=10.0, half_life_days=None))
    picks = recommend(model, _basket("new", "C"), k=2)
    assert picks[0] == "M" and "C" not in picks


def test_recent_interactions_count_more() -> None:
    model = fit(_shop(), RecommenderConfig(l2=10.0, half_life_days=7.0))
    history = _basket("u", "C", day=0) + _basket("u", "L", day=60)
    assert recommend(model, history, k=1, now=T0 + 61 * DAY) == ["K"]


def test_repeat_and_trend_terms() -> None:
    rows = _shop() + _basket("late", "T", day=100) * 20
    config = RecommenderConfig(l2=10.0, half_life_days=None, repeat_weight=1.0, trend_weight=1.0)
    model = fit(rows, config)
    user = np.zeros((1, len(model.items)), dtype=np.float32)
    user[0, model.index["C"]] = 1.0
    scores = score_profiles(model, user, [T0 + 101 * DAY])[0]
    assert scores[model.index["C"]] > scores[model.index["L"]]  # bought before: likely again
    assert scores[model.index["T"]] > scores[model.index["S"]]  # trending lately


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = fit(_shop(), RecommenderConfig(l2=10.0))
    loaded = load_model(save_model(model, tmp_path).parent)
    assert loaded is not None and loaded.items == model.items
    assert np.allclose(loaded.weights, model.weights) and loaded.config == model.config


async def test_trained_model_recommends_for_a_proven_customer(
    tmp_path: Path, intent_model_dir: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / intent_model_dir.name).symlink_to(intent_model_dir)
    settings = Settings(home=tmp_path / "home", models=models)
    result = subprocess.run(
        [SHOPBOT, "recommend", "train", "--home", str(settings.home), "--models", str(models)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (models / "recommender.npz").exists() and "interactions" in result.stdout

    shop = await open_shop(settings)
    bot = await build_bot(settings, shop)
    try:
        await bot.handle(
            UserMessage(
                "where is my order 384920174650001 my email is ana.silva@example.com", "ana"
            )
        )
        [reply] = await bot.handle(UserMessage("what would you recommend for me", "ana"))
        assert reply.text and reply.text.startswith("Picked for you")
        assert reply.custom and reply.custom["products"]
    finally:
        await close_bot(bot)
        await shop.aclose()
