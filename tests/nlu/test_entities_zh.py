"""Chinese entities give what the English ones give: prices written with Chinese numerals and
units, full-width order numbers and emails, Chinese brand and category names."""

from __future__ import annotations

import pytest

from nlu.chinese_numbers import chinese_number
from nlu.entities import extract_entities, half_width
from nlu.lookups import CATEGORY_WORDS, CatalogLookups

LAPTOPS = "Laptops & Notebook Computers"
LOOKUPS = CatalogLookups(
    brands=("Apple", "ASUS", "Dell", "HP", "Lenovo", "Samsung", "Sony", "Microsoft", "Bose"),
    category_words={word: kind for kind, words in CATEGORY_WORDS.items() for word in words},
)


def _values(text: str, lookups: CatalogLookups | None = None) -> list[tuple[str, object]]:
    return [(e["entity"], e["value"]) for e in extract_entities(text, lookups)]


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("百", 100),
        ("十五", 15),
        ("五百", 500),
        ("两千五", 2500),
        ("3千5", 3500),
        ("3.5千", 3500),
        ("一万二", 12000),
        ("1万2", 12000),
        ("1.5万", 15000),
        ("一万五千", 15000),
        ("一千零五", 1005),
        ("一万零五百", 10500),
        ("三百五十", 350),
    ],
)
def test_chinese_numbers(token: str, value: float) -> None:
    assert chinese_number(token) == value


@pytest.mark.parametrize("token", ["一二", "千百", "3千500", "万万", "3五"])
def test_what_is_no_number_is_refused(token: str) -> None:
    assert chinese_number(token) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("百元以内的耳机", [("price_max", 100.0)]),
        ("两千左右的笔记本", [("price_max", 2400.0), ("price_min", 1600.0)]),
        ("两千块左右", [("price_max", 2400.0), ("price_min", 1600.0)]),
        ("3000上下", [("price_max", 3600.0), ("price_min", 2400.0)]),
        ("1.5k以内", [("price_max", 1500.0)]),
        ("2k以内的显示器", [("price_max", 2000.0)]),
        ("3千以内", [("price_max", 3000.0)]),
        ("3千5以内", [("price_max", 3500.0)]),
        ("两千五以下", [("price_max", 2500.0)]),
        ("一万以内", [("price_max", 10000.0)]),
        ("一万二以内", [("price_max", 12000.0)]),
        ("1.5万以内", [("price_max", 15000.0)]),
        ("五百到一千", [("price_min", 500.0), ("price_max", 1000.0)]),
        ("1000-2000元", [("price_min", 1000.0), ("price_max", 2000.0)]),
        ("一千至两千", [("price_min", 1000.0), ("price_max", 2000.0)]),
        ("2000元以上", [("price_min", 2000.0)]),
        ("不低于3000", [("price_min", 3000.0)]),
        ("不超过3000", [("price_max", 3000.0)]),
        ("低于两千", [("price_max", 2000.0)]),
        ("预算3000", [("price_max", 3000.0)]),
        ("预算3000左右", [("price_max", 3600.0), ("price_min", 2400.0)]),
        ("两块以内", [("price_max", 2.0)]),
        ("我想买联想的笔记本，5000元以内", [("price_max", 5000.0)]),
    ],
)
def test_chinese_prices(text: str, expected: list[tuple[str, object]]) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("一萬以內", "一万以内"),
        ("兩千塊左右", "两千块左右"),
        ("預算3000", "预算3000"),
        ("不超過兩千", "不超过两千"),
        ("不低於3000", "不低于3000"),
        ("3000人民幣以內", "3000人民币以内"),
        ("第二個", "第二个"),
        ("最後一個", "最后一个"),
    ],
)
def test_traditional_characters_read_like_simplified(traditional: str, simplified: str) -> None:
    assert _values(traditional) == _values(simplified) != []


def test_around_is_the_same_band_in_both_languages() -> None:
    assert _values("两千左右") == _values("around 2000")


@pytest.mark.parametrize(
    ("text", "currency"),
    [("百元以内", "CNY"), ("两千块左右", "CNY"), ("3000人民币以内", "CNY"), ("预算3000", None)],
)
def test_a_named_currency_is_recorded(text: str, currency: str | None) -> None:
    assert {e.get("currency") for e in extract_entities(text)} == {currency}


@pytest.mark.parametrize(
    "text", ["一到三个", "第二个", "两台", "3年以内", "对比前两个", "十个以上的评价"]
)
def test_counts_are_not_prices(text: str) -> None:
    assert not [e for e in extract_entities(text) if e["entity"].startswith("price")]


def test_half_width_keeps_every_offset() -> None:
    text = "订单号：３８４９２０１７４６５０１０１　邮箱ｌｉ．ｗｅｉ＠ｅｘａｍｐｌｅ．ｃｏｍ"
    assert len(half_width(text)) == len(text)
    assert half_width("ＡＢ１２＄") == "AB12$"


@pytest.mark.parametrize(
    "text",
    [
        "３８４９２０１７４６５０１０１",
        "订单号：３８４９２０１７４６５０１０１",
        "order ３８４９２０１７４６５０１０１",
        "where is my order 384920174650101",
    ],
)
def test_full_width_order_numbers_are_plain_digits(text: str) -> None:
    [order] = [e for e in extract_entities(text) if e["entity"] == "order_id"]
    assert order["value"] == "384920174650101"
    assert half_width(text[order["start"] : order["end"]]) == "384920174650101"


@pytest.mark.parametrize(
    "text",
    [
        "邮箱ｌｉ．ｗｅｉ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "邮箱是li.wei@example.com谢谢",
        "li.wei@example.com",
    ],
)
def test_emails_are_read_apart_from_the_chinese_around_them(text: str) -> None:
    assert ("email", "li.wei@example.com") in _values(text)


def test_full_width_prices_read_like_ascii() -> None:
    assert _values("＄５００以内") == _values("$500以内") == [("price_max", 500.0)]


@pytest.mark.parametrize(
    ("text", "brand"),
    [
        ("苹果笔记本", "Apple"),
        ("蘋果筆電", "Apple"),
        ("华硕", "ASUS"),
        ("華碩", "ASUS"),
        ("联想", "Lenovo"),
        ("聯想", "Lenovo"),
        ("戴尔", "Dell"),
        ("戴爾", "Dell"),
        ("惠普", "HP"),
        ("三星", "Samsung"),
        ("索尼耳机", "Sony"),
        ("微軟", "Microsoft"),
        ("博士音箱", "Bose"),
        ("有没有 Dell 的 laptop", "Dell"),
    ],
)
def test_chinese_brand_names(text: str, brand: str) -> None:
    assert [v for name, v in _values(text, LOOKUPS) if name == "brand"] == [brand]


def test_only_brands_the_catalog_carries() -> None:
    assert not [v for name, v in _values("小米手机", LOOKUPS) if name == "brand"]
    with_xiaomi = CatalogLookups(brands=("Xiaomi",))
    assert _values("小米手机", with_xiaomi) == [("brand", "Xiaomi")]


def test_an_alias_takes_the_catalogs_spelling() -> None:
    assert _values("网件路由器", CatalogLookups(brands=("NETGEAR",))) == [("brand", "NETGEAR")]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("笔记本电脑", LAPTOPS),
        ("想要个本子", LAPTOPS),
        ("筆電", LAPTOPS),
        ("华硕游戏本", "Gaming Laptops & Notebook Computers"),
        ("蓝牙耳机", "Headphones & Earbuds"),
        ("耳麦", "Headphones & Earbuds"),
        ("27寸的屏幕", "Monitors"),
        ("显示器", "Monitors"),
        ("电视机", "TVs"),
        ("平板", "iPad & Tablets"),
        ("手机", "Phones & Two-way Radios"),
        ("相机", "Cameras & Camcorders"),
        ("音响", "Speakers & Voice Assistants"),
        ("路由器", "Routers, Wifi Extenders & Modems"),
        ("固态硬盘", "Hard Drives, SSD & Storage"),
        ("内存卡", "Hard Drives, SSD & Storage"),
        ("智能手表", "Smart Watches"),
        ("游戏机", "Video Games & Consoles"),
    ],
)
def test_chinese_category_names(text: str, category: str) -> None:
    assert [v for name, v in _values(text, LOOKUPS) if name == "category"] == [category]


@pytest.mark.parametrize(
    "text", ["屏幕多大？", "屏幕更大的", "电池续航多久", "bigger display", "硬盘容量是多少"]
)
def test_a_part_asked_about_or_compared_is_no_category(text: str) -> None:
    assert not [v for name, v in _values(text, LOOKUPS) if name == "category"]


def test_mixed_chinese_and_english() -> None:
    assert _values("有没有 Dell 的 laptop 5000以内", LOOKUPS) == [
        ("brand", "Dell"),
        ("category", LAPTOPS),
        ("price_max", 5000.0),
    ]


def test_sizes_and_colours_touching_chinese() -> None:
    assert _values("内存16GB的黑色笔记本", LOOKUPS) == [
        ("memory", 16.0),
        ("color", "black"),
        ("category", LAPTOPS),
    ]


HOSTILE = [
    "一" * 10_000,
    "万" * 10_000,
    "3千" * 5_000,
    "两千到" * 3_000,
    "１" * 10_000,
    "１，" * 5_000,
    "预算" * 5_000,
    "邮箱a@" * 2_000,
    "a@b." + "中" * 10_000,
    "屏幕" * 5_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_chinese_input_is_read_in_one_pass(text: str) -> None:
    """A pattern with nested or unbounded repeats would not finish on these (quadratic or
    worse over 10,000 characters, many times over); the bounded ones return at once."""
    for entity in extract_entities(text, LOOKUPS):
        assert 0 <= entity["start"] < entity["end"] <= len(text)
