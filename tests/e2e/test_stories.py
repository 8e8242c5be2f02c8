"""Every conversation test story in tests/stories, against the real bot (classifier, catalog,
actions, SQLite): one pytest case per story; and `shopbot test-stories` as a user runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.settings import Settings, WriterSettings
from bot.story_files import StoryCase, load_stories
from bot.story_tests import StoryResult, failure_report, run_in_shop
from tests.conftest import MODELS
from tests.e2e.processes import SHOPBOT

STORIES = Path(__file__).resolve().parent.parent / "stories"
CASES = load_stories([STORIES])  # at import, so each story is a case of its own


@pytest.fixture(scope="module")
def results(
    tmp_path_factory: pytest.TempPathFactory, intent_model_dir: Path
) -> dict[str, StoryResult]:
    """One shop and one bot for every story (each story is its own conversation)."""
    home = tmp_path_factory.mktemp("stories-home")
    settings = Settings(home=home, models=MODELS, writer=WriterSettings(load_at_startup=False))
    return {r.case.name: r for r in asyncio.run(run_in_shop(settings, CASES))}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_story(case: StoryCase, results: dict[str, StoryResult]) -> None:
    result = results[case.name]
    if not result.passed:
        pytest.fail(failure_report(result), pytrace=False)


TWO_STORIES = """
stories:
  - story: a greeting is a greeting
    steps:
      - user: hello
        intent: greet
      - action: action_greet
  - story: a greeting read as a goodbye
    metadata: {behaviours: [made up]}
    steps:
      - user: hello
        intent: goodbye
"""


def test_the_command_reports_a_failing_story_and_exits_1(
    tmp_path: Path, intent_model_dir: Path
) -> None:
    stories = tmp_path / "two.yml"
    stories.write_text(TWO_STORIES, encoding="utf-8")
    out = tmp_path / "results.yml"
    home = tmp_path / "home"
    options = ["--out", str(out), "--home", str(home), "--models", str(MODELS)]
    result = subprocess.run(
        [SHOPBOT, "test-stories", str(stories), *options],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )
    assert result.returncode == 1, result.stderr
    assert "2 stories: 1 passed, 1 failed" in result.stdout
    assert "0/1  made up  failing: a greeting read as a goodbye" in result.stdout
    report = yaml.safe_load(out.read_text(encoding="utf-8"))
    [failed] = report["failed"]
    assert (failed["story"], failed["step"], failed["check"]) == (
        "a greeting read as a goodbye",
        1,
        "intent",
    )
    assert failed["expected"] == "goodbye" and failed["got"].startswith("greet")
    assert failed["transcript"][0]["actions"] == ["action_greet"]
    assert report["passed"] == ["a greeting is a greeting"]


def test_a_bad_story_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("stories:\n  - story: s\n    steps:\n      - usr: hi\n", encoding="utf-8")
    result = subprocess.run(
        [SHOPBOT, "test-stories", str(bad)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "steps[0]: a step has one of the keys user, action" in result.stderr
    assert "Traceback" not in result.stderr
