"""A Chinese conversation gets Chinese sentences around the listings' English words: details,
attribute answers, comparisons and orders, run as actions on the real demo catalog and
order store (no intent model needed), each beside its English twin."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import Catalog, Product
from actions.catalog_import import ensure_demo_catalog
from actions.compare import ActionCompareProducts
from actions.database import open_database
from actions.embeddings import QueryEmbedder, SentenceEncoder
from actions.interactions import SqliteInteractionLog
from actions.order_help import ActionOrderRequest, ValidateOrderForm
from actions.orders import SqliteOrderStore, seed_demo_orders
from actions.policies import PolicyBook
from actions.product_answers import ActionAnswerProductQuestion
from actions.products import ActionProductDetails, describe
from actions.replies import Replies
from actions.shop import SavedRecommender, Shop
from bot.settings import PROJECT_ROOT
from writer.service import DescriptionService
from writer.settings import WriterSettings
from writer.store import SqliteDescriptionStore

DATA = PROJECT_ROOT / "data"
HP_14 = "p619420156a"  # HP 14" i3-1315U: "12GB DDR4-3200 RAM", a backlit keyboard
ACER_SWIFT = "pd3cf2d3c83"  # "Wi-Fi 6E (2x2/160) Gig+ and Bluetooth® 5.2", "2.58 lbs"
LG_GRAM = "ped9a692d9d"  # LG gram 17": states its USB ports
LI = "li.wei@example.com"  # demo orders: 384920174650101 shipped (UPS), …102 delivered
# sentences the English replies are made of; none may reach a Chinese conversation
ENGLISH = re.compile(
    r"the listing|doesn't|don't know|not stated|No ratings|Rated \d|price:|brand:|rating:"
    r"|Order \d|shipped on|delivered on|Laptops & Notebook|price on request",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """The shop the actions work on, without product vectors (these actions need none)."""
    home = tmp_path_factory.mktemp("zh-answers")
    catalog = Catalog(home / "catalog.db")
    ensure_demo_catalog(catalog, show_progress=False)
    orders = SqliteOrderStore(home / "orders.db")
    asyncio.run(seed_demo_orders(orders, catalog))
    writer = WriterSettings(load_at_startup=False)
    shop = Shop(
        catalog=catalog,
        orders=orders,
        interactions=SqliteInteractionLog(home / "interactions.db"),
        policies=PolicyBook.load(DATA / "policies.md"),
        queries=QueryEmbedder(SentenceEncoder()),  # never loaded: nothing here encodes
        descriptions=DescriptionService.from_settings(
            writer, catalog, SqliteDescriptionStore(open_database(home / "catalog.db"))
        ),
        recommender=SavedRecommender(Path(home)),
        replies=Replies.load(DATA / "domain.yml"),
    )
    yield shop
    shop.close()


def _tracker(language: str, text: str = "", **slots: Any) -> Tracker:
    message = {"text": text, "intent": {"name": "product_info"}, "entities": []}
    return Tracker("zh", {"language": language, **slots}, message, [], False, None, {}, "")


def _said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(str(m.get("text") or "") for m in dispatcher.messages)


def _ask(shop: Shop, language: str, question: str, product_id: str = HP_14) -> str:
    dispatcher = CollectingDispatcher()
    tracker = _tracker(language, question, selected_product=product_id)
    ActionAnswerProductQuestion(shop).run(dispatcher, tracker, {})
    return _said(dispatcher)


def _product(shop: Shop, product_id: str) -> Product:
    product = shop.catalog.get(product_id)
    assert product is not None
    return product


@pytest.mark.parametrize(
    ("question", "product_id", "quoted"),
    [
        ("内存多大？", HP_14, "12GB DDR4-3200 RAM"),
        ("有背光键盘吗", HP_14, "backlit"),
        ("屏幕多大？", HP_14, '14"'),
        ("是什么处理器？", HP_14, "i3-1315U"),
        ("有几个USB接口？", LG_GRAM, "USB"),
        ("多重？", ACER_SWIFT, "2.58 lbs"),
        ("分辨率是多少", ACER_SWIFT, "3840 x 2400"),
    ],
)
def test_a_chinese_question_is_answered_with_a_quote_and_a_chinese_lead_in(
    shop: Shop, question: str, product_id: str, quoted: str
) -> None:
    answer = _ask(shop, "zh", question, product_id)
    assert "商品信息写明" in answer and quoted in answer
    assert not ENGLISH.search(answer)


def test_a_different_version_is_no_yes_in_either_language(shop: Shop) -> None:
    chinese = _ask(shop, "zh", "支持蓝牙5.3吗？", ACER_SWIFT)
    assert "没有提到 蓝牙5.3" in chinese and "Bluetooth® 5.2" in chinese
    english = _ask(shop, "en", "does it support bluetooth 5.3?", ACER_SWIFT)
    assert "doesn't mention bluetooth 5.3" in english and "Bluetooth® 5.2" in english


def test_the_same_version_is_quoted_whatever_marks_the_listing_adds(shop: Shop) -> None:
    answer = _ask(shop, "zh", "支持蓝牙5.2吗", ACER_SWIFT)
    assert "商品信息写明" in answer and "Bluetooth® 5.2" in answer
    assert "the listing says" in _ask(shop, "en", "does it have bluetooth 5.2?", ACER_SWIFT)


@pytest.mark.parametrize(
    ("question", "attribute"),
    [("有没有保修？", "保修"), ("多重？", "重量"), ("续航多久？", "续航")],
)
def test_what_the_listing_does_not_say_is_said_honestly_in_chinese(
    shop: Shop, question: str, attribute: str
) -> None:
    """The HP 14" listing states no warranty, weight or battery life."""
    answer = _ask(shop, "zh", question)
    assert "商品信息里没有写明" in answer and f"的{attribute}" in answer
    assert not ENGLISH.search(answer)


def test_english_questions_about_weight_are_understood_too(shop: Shop) -> None:
    answer = _ask(shop, "en", "how heavy is it?")
    assert "doesn't state its weight" in answer


def test_an_unknown_feature_is_named_in_the_shoppers_own_words(shop: Shop) -> None:
    answer = _ask(shop, "zh", "这款有没有指纹识别吗？")
    assert "商品信息里没有写明" in answer and "指纹识别" in answer
    assert "有没有" not in answer.split("的")[-1]


def test_details_in_chinese_keep_the_title_and_say_the_rest_in_chinese(shop: Shop) -> None:
    hp = _product(shop, HP_14)
    chinese = describe(hp, _tracker("zh"), shop.replies)
    assert hp.title in chinese and "笔记本电脑" in chinese and "评分" in chinese
    assert not ENGLISH.search(chinese.replace(hp.title, ""))
    assert "Laptops & Notebook Computers" in describe(hp, _tracker("en"), shop.replies)


def test_a_discount_note_is_said_in_chinese(shop: Shop) -> None:
    discounted = next(p for p in shop.catalog.popular(limit=700) if p.discount_amount)
    assert discounted.discount and discounted.discount.startswith("After $")
    chinese = describe(discounted, _tracker("zh"), shop.replies)
    assert "立减 $" in chinese and discounted.discount not in chinese
    assert discounted.discount in describe(discounted, _tracker("en"), shop.replies)


def test_unrated_products_say_so_in_chinese(shop: Shop) -> None:
    unrated = next(p for p in shop.catalog.popular(limit=700) if p.rating is None)
    dispatcher = CollectingDispatcher()
    asyncio.run(
        ActionProductDetails(shop).run(dispatcher, _tracker("zh", product_id=unrated.id), {})
    )
    tracker = _tracker("zh")
    tracker.latest_message["entities"] = [{"entity": "product_id", "value": unrated.id}]
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionProductDetails(shop).run(dispatcher, tracker, {}))
    assert "暂无评分" in _said(dispatcher) and "No ratings" not in _said(dispatcher)


def _compare(shop: Shop, language: str) -> str:
    laptops = [p.id for p in shop.catalog.popular("Laptops & Notebook Computers", limit=2)]
    dispatcher = CollectingDispatcher()
    ActionCompareProducts(shop).run(dispatcher, _tracker(language, last_results=laptops), {})
    return _said(dispatcher)


def test_a_comparison_table_is_labelled_in_chinese(shop: Shop) -> None:
    chinese = _compare(shop, "zh")
    assert chinese.startswith("对比如下")
    assert all(f"\n{label}: " in chinese for label in ("价格", "品牌", "评分"))
    assert not ENGLISH.search(chinese)
    english = _compare(shop, "en")
    assert all(f"\n{label}: " in english for label in ("price", "brand", "rating"))


def _order(shop: Shop, language: str, order_id: str) -> str:
    dispatcher = CollectingDispatcher()
    slots = {"order_id": order_id, "order_email": LI, "order_request": "track_order"}
    asyncio.run(ActionOrderRequest(shop).run(dispatcher, _tracker(language, **slots), {}))
    return _said(dispatcher)


@pytest.mark.parametrize("order_id", ["384920174650101", "384920174650102"])
def test_order_status_and_dates_in_chinese(shop: Shop, order_id: str) -> None:
    chinese = _order(shop, "zh", order_id)
    assert re.search(r"于 \d{4}年\d{1,2}月\d{1,2}日 (由 UPS 发出|送达)", chinese), chinese
    assert not ENGLISH.search(chinese)
    assert re.search(r"on \d{4}-\d{2}-\d{2}", _order(shop, "en", order_id))


def test_a_full_width_order_number_and_email_are_accepted_by_the_form(shop: Shop) -> None:
    form, dispatcher, tracker = ValidateOrderForm(shop), CollectingDispatcher(), _tracker("zh")
    number = form.validate_order_id("３８４９２０１７４６５０１０１", dispatcher, tracker, {})
    typed_email = "ｌｉ．ｗｅｉ＠ｅｘａｍｐｌｅ．ｃｏｍ"
    email = form.validate_order_email(typed_email, dispatcher, tracker, {})
    assert number == {"order_id": "384920174650101"} and email == {"order_email": LI}
    assert dispatcher.messages == []
