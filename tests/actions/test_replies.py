"""Every reply an action asks for exists in both languages and gets exactly the values its
templates use, so no shopper ever sees a raw `{placeholder}`."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker

from actions.replies import Replies
from bot.settings import PROJECT_ROOT

RESPONSES = yaml.safe_load((PROJECT_ROOT / "data" / "domain.yml").read_text())["responses"]


def _asked() -> list[tuple[str, str, frozenset[str]]]:
    """(where, reply name, keyword names) for every `….text(tracker, "utter_…", k=…)` call."""
    calls = []
    for path in sorted((PROJECT_ROOT / "actions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("text", "_say", "_refuse")
                and any(
                    isinstance(a, ast.Constant) and str(a.value).startswith("utter_")
                    for a in node.args
                )
            ):
                name = next(
                    str(a.value)
                    for a in node.args
                    if isinstance(a, ast.Constant) and str(a.value).startswith("utter_")
                )
                keywords = frozenset(k.arg for k in node.keywords if k.arg)
                calls.append((f"{Path(path).name}:{node.lineno}", name, keywords))
    return calls


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


ASKED = _asked()


def test_the_calls_are_found() -> None:
    assert len(ASKED) > 40


@pytest.mark.parametrize(("where", "name", "keywords"), ASKED)
def test_each_reply_exists_in_both_languages_with_its_values(
    where: str, name: str, keywords: frozenset[str]
) -> None:
    variations = RESPONSES.get(name)
    assert variations, f"{where}: {name} is not in the domain"
    languages = {
        next((c["value"] for c in v.get("condition") or [] if c["name"] == "language"), "en")
        for v in variations
    }
    assert languages == {"en", "zh"}, f"{where}: {name} lacks a language"
    for variation in variations:
        assert _placeholders(variation["text"]) == set(keywords), f"{where}: {name}"


def _tracker(language: str) -> Tracker:
    return Tracker("t", {"language": language}, {}, [], False, None, {}, "action_listen")


def test_values_are_filled_and_money_formatted_in_each_language() -> None:
    replies = Replies.load(PROJECT_ROOT / "data" / "domain.yml")
    values = {"order_id": "384920174650000", "items": "Mac mini", "total": 1299.5}
    en = replies.text(_tracker("en"), "utter_confirm_cancel", **values)
    zh = replies.text(_tracker("zh"), "utter_confirm_cancel", **values)
    assert en.startswith("Cancel order 384920174650000 (Mac mini, $1,299.50)?")
    assert zh.startswith("确认取消订单 384920174650000（Mac mini，$1,299.50）吗？")
    assert "{" not in en + zh
