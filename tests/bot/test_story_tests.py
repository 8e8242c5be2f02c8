"""The test-story runner: parsing Rasa test stories and checking turns, on the real domain,
store and engine with scripted intents and actions (tests/fakes). A runner that cannot
disagree proves nothing, so most of these stories are meant to fail, at a known step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.action_runner import ActionResult
from bot.domain import Domain
from bot.engine import Bot
from bot.messages import BotMessage, Button
from bot.policy import RulePolicy
from bot.settings import Settings
from bot.store import SqliteConversationStore
from bot.story_files import (
    ActionStep,
    BotStep,
    CardCheck,
    ExpectedEntity,
    LoopStep,
    ReplyCheck,
    SlotStep,
    StoryCase,
    StoryFileError,
    UserStep,
    load_stories,
    read_story_file,
)
from bot.story_tests import (
    behaviour_table,
    card_failures,
    reply_failures,
    results_document,
    run_stories,
    run_story,
)
from tests.fakes.action_runner import ScriptedActions
from tests.fakes.interpreter import KeywordInterpreter

RULES = {
    "hello": ("greet", 0.95),
    "laptop": ("search_product", 0.9),
    "refund": ("check_refund_policy", 0.9),
    "order": ("track_order", 0.9),
}
CARDS = [
    {"id": "p1", "title": 'ASUS 14" Vivobook Laptop', "category": "Laptops & Notebook Computers",
     "price": 449.99},
    {"id": "p2", "title": 'HP 15.6" Laptop - Black', "category": "Laptops & Notebook Computers",
     "price": 699.99},
]  # fmt: skip


class CatalogActions(ScriptedActions):
    """Scripted actions, except that a search answers with two product cards."""

    async def run(self, name: str, tracker: dict[str, Any], domain: dict[str, Any]) -> ActionResult:
        if name != "action_search_products":
            return await super().run(name, tracker, domain)
        self.calls.append(name)
        reply = {
            "text": "Here are 2 products I found:",
            "custom": {"type": "product_cards", "products": CARDS},
            "buttons": [{"title": "Details #1", "payload": "/product_details"}],
        }
        slot = {"event": "slot", "name": "last_results", "value": ["p1", "p2"]}
        return ActionResult(events=[slot], responses=[reply])


@pytest.fixture
async def core_bot(tmp_path: Path) -> AsyncIterator[Bot]:
    settings = Settings(home=tmp_path)
    domain = Domain.load(settings.domain_file)
    actions = CatalogActions(
        domain, {"action_greet": "utter_greet", "action_default_fallback": "utter_default"}
    )
    bot = await Bot.start(
        domain=domain,
        store=SqliteConversationStore(settings.conversations_db),
        interpreter=KeywordInterpreter(RULES),
        actions=actions,
        policy=RulePolicy(domain.policy, 0.4),
    )
    yield bot
    await bot.store.close()


def _stories(tmp_path: Path, text: str, name: str = "stories.yml") -> list[StoryCase]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_stories([path])


def _story(tmp_path: Path, steps: str, name: str = "s") -> StoryCase:
    indented = "\n".join(f"      {line}" for line in steps.strip().splitlines())
    [case] = _stories(tmp_path, f"stories:\n  - story: {name}\n    steps:\n{indented}\n")
    return case


# ---- parsing --------------------------------------------------------------------------


def test_a_story_file_reads_as_typed_steps(tmp_path: Path) -> None:
    [case] = _stories(
        tmp_path,
        """
version: "3.1"
stories:
  - story: search
    metadata: {behaviours: ["search: typos"], language: en}
    steps:
      - user: |
          show me [Sony](brand) tvs [undr $50]{"entity": "price_max", "value": 50}
        intent: search_product
      - action: action_search_products
      - slot_was_set:
          - last_results
          - language: en
      - active_loop: null
      - bot:
          contains: Here are
          cards: {category: TVs, price_max: 50}
""",
    )
    user, action, slots, loop, bot = case.story.steps
    assert isinstance(user, UserStep) and user.intent == "search_product"
    assert user.text == "show me Sony tvs undr $50"
    assert user.entities == [ExpectedEntity("brand", "Sony"), ExpectedEntity("price_max", 50)]
    assert action == ActionStep(action="action_search_products")
    assert isinstance(slots, SlotStep)
    assert slots.slot_was_set == ["last_results", {"language": "en"}]
    assert loop == LoopStep(active_loop=None)
    assert isinstance(bot, BotStep) and bot.bot.contains == ["Here are"]
    assert bot.bot.cards == CardCheck(category=["TVs"], price_max=50)
    assert case.story.metadata.behaviours == ["search: typos"]
    assert case.name == "search" and case.path == tmp_path / "stories.yml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "stories:\n  - story: s\n    steps:\n      - user: hi\n      - acton: x\n",
            "stories[0] ('s').steps[1]: a step has one of the keys user, action",
        ),
        (
            "stories:\n  - story: s\n    steps:\n      - action: action_greet\n",
            "the first step must be a `user` step",
        ),
        (
            "stories:\n  - story: s\n    steps:\n      - user: hi\n      - bot: {matches: '(['}\n",
            "steps[1].bot.matches: Value error, not a regular expression",
        ),
        (
            "stories:\n  - story: s\n    steps:\n      - user: hi\n"
            "      - bot: {cards: {price_max: cheap}}\n",
            "steps[1].bot.cards.price_max: Input should be a valid number",
        ),
        (
            "stories:\n  - story: s\n    steps:\n      - user: hi\n      - bot: {contain: x}\n",
            "steps[1].bot.contain: Extra inputs are not permitted",
        ),
        (
            "stories:\n  - story: s\n    steps:\n      - user: '[x]{\"value\": 1}'\n",
            """steps[0].user: Value error, entity annotation '[x]{"value": 1}' needs "entity\"""",
        ),
        ("stories: []\n", "stories: List should have at least 1 item"),
        ("stories:\n  - story: s\n    steps: [\n", "while parsing a flow"),
    ],
)
def test_a_bad_story_file_says_where_and_why(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StoryFileError) as raised:
        read_story_file(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_story_names_are_unique_across_files(tmp_path: Path) -> None:
    story = "stories:\n  - story: same\n    steps:\n      - user: hi\n"
    (tmp_path / "a.yml").write_text(story, encoding="utf-8")
    (tmp_path / "b.yml").write_text(story, encoding="utf-8")
    with pytest.raises(StoryFileError, match=r"b.yml: story 'same' is also in .*a.yml"):
        load_stories([tmp_path])


def test_a_missing_path_or_no_stories_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoryFileError, match="no such file or folder"):
        load_stories([tmp_path / "nowhere"])
    with pytest.raises(StoryFileError, match="no stories found"):
        load_stories([tmp_path])


# ---- running ---------------------------------------------------------------------------

PASSING = """
- user: hello
  intent: greet
- action: action_greet
- bot:
    contains: store assistant
    language: en
- user: show me a laptop
  intent: search_product
- action: action_search_products
- slot_was_set:
    - last_results
- active_loop: null
- bot:
    contains: ["here are", "2 products"]
    buttons_contain: /product_details
    custom_type: product_cards
    cards:
      count_min: 2
      count_max: 2
      category: Laptops
      price_min: 400
      price_max: 700
      titles_contain: [ASUS, HP]
      every_title_matches: "laptop"
"""


async def test_a_story_that_holds_passes(core_bot: Bot, tmp_path: Path) -> None:
    result = await run_story(core_bot, _story(tmp_path, PASSING))
    assert result.passed, result.mismatch and result.mismatch.describe()
    greet, search = result.turns
    assert (greet.intent, greet.actions) == ("greet", ["action_greet"])
    assert search.actions == ["action_search_products"] and len(search.replies) == 1


@pytest.mark.parametrize(
    ("steps", "step", "check", "expected", "got"),
    [
        ("- user: hello\n  intent: goodbye", 1, "intent", "goodbye", "greet (0.95)"),
        ("- user: hello\n- action: action_help", 2, "action", "action_help", "action_greet"),
        (
            "- user: hello\n- action: action_greet\n- action: utter_greet",
            3, "action", "utter_greet", "no action",
        ),
        (
            "- user: hello\n- action: action_greet\n- user: a refund?\n"
            "- action: utter_default",
            4, "action", "utter_default", "action_answer_policy",
        ),
        (
            "- user: '[a laptop](category)'\n- action: action_search_products",
            1, "entity", "category='a laptop'", "no entities",
        ),
        (
            "- user: hello\n- bot: {contains: goodbye}",
            2, "bot", "the reply says 'goodbye'", "it does not",
        ),
        (
            "- user: hello\n- bot: {not_contains: Store Assistant}",
            2, "bot", "the reply does not say 'Store Assistant'", "it does",
        ),
        ("- user: hello\n- bot: {language: zh}", 2, "bot", "a reply in zh", "en"),
        (
            "- user: hello\n- bot: {matches: '\\$\\d+'}",
            2, "bot", "the reply matches /\\$\\d+/", "it does not",
        ),
        (
            "- user: hello\n- slot_was_set: [last_results]",
            2, "slot_was_set", "last_results set", "not set in this turn",
        ),
        (
            "- user: a laptop\n- slot_was_set: [{last_results: [p9]}]",
            2, "slot_was_set", "last_results=['p9']", "last_results=['p1', 'p2']",
        ),
        ("- user: my order\n- active_loop: null", 2, "active_loop", "None", "order_form"),
        (
            "- user: a laptop\n- bot: {cards: {price_max: 500}}",
            2, "bot", "every card at most $500.00",
            'HP 15.6" Laptop - Black — $699.99 [Laptops & Notebook Computers]',
        ),
        (
            "- user: a laptop\n- bot: {cards: {category: [TVs, Monitors]}}",
            2, "bot", "every card in TVs or Monitors", 'ASUS 14" Vivobook Laptop — $449.99',
        ),
        (
            "- user: a laptop\n- bot: {cards: {brand: ASUS}}",
            2, "bot", "every card by ASUS", "HP 15.6",
        ),
        (
            "- user: a laptop\n- bot: {cards: {none: true}}",
            2, "bot", "no product cards", "ASUS 14",
        ),
        (
            "- user: hello\n- bot: {cards: {category: TVs}}",
            2, "bot", "at least 1 product", "no cards",
        ),
        (
            "- user: hello\n- user: a laptop\n- bot: {cards: {titles_not_contain: black}}",
            3, "bot", "no card titled with 'black'", "HP 15.6",
        ),
    ],
)  # fmt: skip
async def test_the_runner_reports_the_first_step_that_does_not_hold(
    core_bot: Bot, tmp_path: Path, steps: str, step: int, check: str, expected: str, got: str
) -> None:
    result = await run_story(core_bot, _story(tmp_path, steps))
    mismatch = result.mismatch
    assert mismatch is not None, "the runner agreed with a story that does not hold"
    assert (mismatch.step, mismatch.check) == (step, check)
    assert expected in mismatch.expected and got in mismatch.got
    assert f"step {step} ({check}) after user" in mismatch.describe()


async def test_a_story_stops_at_its_first_mismatch(core_bot: Bot, tmp_path: Path) -> None:
    case = _story(tmp_path, "- user: hello\n  intent: goodbye\n- user: a laptop")
    result = await run_story(core_bot, case)
    assert not result.passed and len(result.turns) == 1


async def test_every_story_has_its_own_conversation(core_bot: Bot, tmp_path: Path) -> None:
    cases = _stories(
        tmp_path,
        """
stories:
  - story: a search
    steps:
      - user: a laptop
  - story: a greeting
    steps:
      - user: hello
""",
    )
    seen: list[str] = []
    results = await run_stories(core_bot, cases, lambda r: seen.append(r.case.name))
    assert seen == ["a search", "a greeting"]
    search, greeting = results
    assert search.conversation != greeting.conversation
    tracker = await core_bot.tracker(greeting.conversation)
    assert [e["text"] for e in tracker.events if e["event"] == "user"] == ["hello"]
    assert tracker.slots["last_results"] == []


# ---- checks and reports ------------------------------------------------------------------


def test_cards_are_required_unless_the_check_allows_none() -> None:
    assert card_failures(CardCheck(price_max=10), []) == [
        ("at least 1 product card(s)", "no cards")
    ]
    assert card_failures(CardCheck(count_min=0, price_max=10), []) == []
    assert card_failures(CardCheck(none=True), []) == []


def test_details_and_comparisons_count_as_cards() -> None:
    detail = BotMessage(text="x", custom={"type": "product_detail", "product": CARDS[0]})
    comparison = BotMessage(custom={"type": "comparison", "products": CARDS})
    check = ReplyCheck(cards=CardCheck(count_min=3, count_max=3, brand="asus"))
    [(expected, got)] = reply_failures(check, [detail, comparison])  # the HP is the one
    assert expected == "every card by asus" and got.startswith('HP 15.6" Laptop')


def test_buttons_match_on_title_or_payload() -> None:
    reply = BotMessage(text="hi", buttons=(Button("Talk to a person", "/contact_human_agent"),))
    assert reply_failures(ReplyCheck(buttons_contain=["person", "/contact_human"]), [reply]) == []
    [(expected, got)] = reply_failures(ReplyCheck(buttons_contain=["/track_order"]), [reply])
    assert expected == "a button with '/track_order'"
    assert got == "[Talk to a person] /contact_human_agent"


def test_contains_any_and_language_read_all_replies_together() -> None:
    replies = [BotMessage(text="没有找到"), BotMessage(text="Try other words")]
    check = ReplyCheck(contains_any=["nothing", "没有"], language="zh")
    assert reply_failures(check, replies) == []
    assert reply_failures(ReplyCheck(language="en"), []) == [("a reply in en", "no text")]


async def test_the_results_document_lists_failures_with_transcripts(
    core_bot: Bot, tmp_path: Path
) -> None:
    cases = _stories(
        tmp_path,
        """
stories:
  - story: passes
    metadata: {behaviours: [greeting]}
    steps:
      - user: hello
        intent: greet
  - story: fails
    metadata: {behaviours: [greeting, search]}
    steps:
      - user: a laptop
      - bot: {cards: {price_max: 100}}
""",
    )
    results = await run_stories(core_bot, cases)
    assert behaviour_table(results) == [("greeting", 1, 2, ["fails"]), ("search", 0, 1, ["fails"])]
    document = results_document(results)
    assert document["summary"].startswith("2 stories: 1 passed, 1 failed")
    [failed] = document["failed"]
    assert (failed["story"], failed["step"], failed["check"]) == ("fails", 2, "bot")
    [turn] = failed["transcript"]
    assert turn["intent"] == "search_product" and turn["actions"] == ["action_search_products"]
    assert turn["cards"][0].startswith('ASUS 14" Vivobook Laptop — $449.99')
    assert document["passed"] == ["passes"]
