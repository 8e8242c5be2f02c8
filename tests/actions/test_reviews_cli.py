"""`shopbot reviews import` and `shopbot insights report` on a temporary home (real SQLite),
and on the real PostgreSQL when `SHOPBOT_DATABASE_URL` is set."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actions.catalog import Catalog, Product
from bot.cli import app
from bot.reviews_postgres import PostgresReviewStore
from nlu.char_ngrams import NgramRecipe
from nlu.sentiment import TRAIN, ChineseSentiment, reviews_in
from tests.bot.shared_servers import DATABASE_URL, pg_schema

__all__ = ["pg_schema"]  # the fixture, used by name

runner = CliRunner()


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    small = ChineseSentiment.train(reviews_in([TRAIN])[:2000], NgramRecipe(epochs=2))
    small.save(ChineseSentiment.directory(folder), 2000)
    return folder


@pytest.fixture
def home(tmp_path: Path) -> Path:
    catalog = Catalog(tmp_path / "catalog.db")
    catalog.add(
        [
            Product(
                id="p1",
                title="Acme speaker",
                category="speakers",
                brand="Acme",
                price=30.0,
                price_max=None,
                discount=None,
                discount_amount=None,
                rating=4.2,
                review_count=10,
            )
        ]
    )
    catalog.close()
    return tmp_path


@pytest.mark.parametrize("command", [["reviews", "import"], ["insights", "report"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_importing_a_file_skips_bad_lines_and_a_second_import_changes_nothing(
    home: Path, models: Path, tmp_path: Path
) -> None:
    now = time.time()
    lines = [
        {
            "product_id": "p1",
            "text": "Great sound!",
            "source": "shop",
            "external_id": "1",
            "created_at": now - 3600,
        },
        {
            "product_id": "p9",
            "text": "Who am I?",
            "source": "shop",
            "external_id": "2",
            "created_at": now - 3600,
        },
        {
            "product_id": "p1",
            "text": "音质太差了，退货",
            "source": "shop",
            "external_id": "3",
            "created_at": now - 7200,
            "rating": 1,
        },
    ]
    file = tmp_path / "reviews.jsonl"
    file.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    args = ["reviews", "import", str(file), "--home", str(home), "--models", str(models)]
    first = runner.invoke(app, args)
    assert first.exit_code == 1
    assert f"{file}:2: product_id" in first.stderr
    assert "2 added, 0 already there, 1 bad" in first.stdout
    again = runner.invoke(app, args)
    assert "0 added, 2 already there, 1 bad" in again.stdout
    out = tmp_path / "report"
    report = runner.invoke(
        app,
        [
            "insights",
            "report",
            "--since",
            "7",
            "--out",
            str(out),
            "--home",
            str(home),
            "--models",
            str(models),
        ],
    )
    assert report.exit_code == 0, report.output
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "Acme speaker" in text and "![sentiment](sentiment.png)" in text
    for chart in ("conversations", "intents", "rates", "sentiment", "negatives"):
        assert (out / f"{chart}.png").read_bytes().startswith(b"\x89PNG")
    bad_since = runner.invoke(app, ["insights", "report", "--since", "soon", "--home", str(home)])
    assert bad_since.exit_code == 2


async def test_with_a_database_url_the_commands_use_postgresql(
    home: Path, models: Path, tmp_path: Path, pg_schema: str
) -> None:
    """What `shopbot reviews import` adds on PostgreSQL is what a service's store reads."""
    file = tmp_path / "reviews.jsonl"
    row = {"product_id": "p1", "text": "Great sound!", "source": "shop", "external_id": "1"}
    file.write_text(json.dumps({**row, "created_at": time.time() - 3600}) + "\n")
    env = {"SHOPBOT_DATABASE_URL": DATABASE_URL, "SHOPBOT_DATABASE_SCHEMA": pg_schema}
    args = ["reviews", "import", str(file), "--home", str(home), "--models", str(models)]
    first = await asyncio.to_thread(runner.invoke, app, args, env=env)
    assert first.exit_code == 0, first.output
    assert "1 added, 0 already there, 0 bad" in first.stdout
    assert not (home / "reviews.db").exists()
    store = PostgresReviewStore(DATABASE_URL, pg_schema)
    try:
        assert await store.count("shop") == 1 and not await store.has_unread()
    finally:
        await store.close()
