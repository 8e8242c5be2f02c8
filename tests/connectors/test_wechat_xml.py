"""WeChat's XML and how replies are shaped for it: every message type, hostile input, replies
no text can break, numbered options and news articles."""

from __future__ import annotations

import time
from xml.etree import ElementTree

import pytest

from bot.messages import BotMessage, Button
from connectors.wechat_replies import ReplyStyle, compose, details_payload, split_text
from connectors.wechat_xml import (
    Article,
    BadMessage,
    BadXml,
    cdata,
    encrypted_part,
    news_reply,
    parse,
    read_inbound,
    text_reply,
)
from tests.fakes.wechat_api import ACCOUNT, SAMPLES, message_xml, read_reply

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><Content>&lol3;</Content></xml>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>a</ToUserName><Content>&xxe;</Content></xml>"
)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_every_kind_of_message_is_read(sample: str) -> None:
    msg_type, fields = SAMPLES[sample]
    inbound = read_inbound(parse(message_xml(msg_type, OPENID, fields).encode()))
    assert (inbound.to_user, inbound.from_user, inbound.msg_type) == (ACCOUNT, OPENID, msg_type)
    assert abs(inbound.create_time - time.time()) < 5
    if msg_type == "event":
        assert inbound.msg_id is None and inbound.event == fields["Event"]
        key = f"event:{OPENID}:{inbound.create_time}:{fields['Event']}"
        assert inbound.delivery_key == key
    else:
        assert inbound.msg_id and inbound.delivery_key == f"msg:{inbound.msg_id}"
    assert inbound.content == fields.get("Content")
    assert inbound.recognition == fields.get("Recognition")
    assert inbound.event_key == (fields.get("EventKey") or None)


def test_the_official_text_sample() -> None:
    xml = (
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]>"
        "</FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId>"
        "<MsgDataId>xxxx</MsgDataId><Idx>xxxx</Idx></xml>"
    )
    inbound = read_inbound(parse(xml.encode()))
    assert (inbound.content, inbound.msg_id, inbound.create_time) == (
        "this is a test",
        "1234567890123456",
        1348831860,
    )


@pytest.mark.parametrize(
    ("xml", "problem"),
    [
        (message_xml("text", OPENID, {}), "Content: missing"),
        (message_xml("text", OPENID, {"Content": "  "}), "Content: missing"),
        (message_xml("sticker", OPENID, {"Content": "x"}), "MsgType"),
        (message_xml("event", OPENID, {}), "Event: missing"),
        (message_xml("text", "", {"Content": "hi"}), "FromUserName: missing"),
        (message_xml("text", OPENID, {"Content": "hi"}, msg_id="12ab"), "MsgId"),
        (
            message_xml("text", OPENID, {"Content": "hi"}).replace("<CreateTime>", "<CreateTime>x"),
            "CreateTime",
        ),
        (message_xml("text", OPENID, {"Content": "x" * 5000}), "Content: too long"),
        ("<xml><Content>hi</Content></xml>", "MsgType: missing"),
    ],
)
def test_missing_and_wrong_fields_are_named(xml: str, problem: str) -> None:
    with pytest.raises(BadMessage, match=problem):
        read_inbound(parse(xml.encode()))


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, "<xml><a></xml>", "", "<notxml/>", "\xff"])
def test_hostile_or_malformed_xml_is_refused_unexpanded(body: str) -> None:
    started = time.perf_counter()
    with pytest.raises(BadXml):
        parse(body.encode("utf-8", "surrogateescape"))
    assert time.perf_counter() - started < 0.5


def test_a_safe_mode_envelope_gives_its_encrypt() -> None:
    root = parse(
        b"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt></xml>"
    )
    assert encrypted_part(root) == "abc="
    with pytest.raises(BadMessage, match="Encrypt"):
        encrypted_part(parse(b"<xml><ToUserName>gh</ToUserName></xml>"))


def test_no_text_breaks_out_of_a_reply() -> None:
    hostile = "a]]><MsgType>news</MsgType><![CDATA[b\x00\x1b\ufffe end"
    reply = read_reply(text_reply(OPENID, ACCOUNT, 1, hostile))
    assert reply["Content"] == "a]]><MsgType>news</MsgType><![CDATA[b end"
    assert (reply["MsgType"], reply["ToUserName"], reply["FromUserName"]) == (
        "text",
        OPENID,
        ACCOUNT,
    )
    assert cdata("]]>]]>") == "<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>"


def test_a_news_reply_as_wechat_reads_it() -> None:
    articles = [Article("1. T]]>", "¥1 · Laptops", "https://p/1.jpg", "https://s/p1")] * 2
    root = ElementTree.fromstring(news_reply(OPENID, ACCOUNT, 7, articles))
    assert root.findtext("MsgType") == "news" and root.findtext("ArticleCount") == "2"
    items = root.findall("Articles/item")
    assert [i.findtext("Title") for i in items] == ["1. T]]>", "1. T]]>"]
    assert items[0].findtext("Url") == "https://s/p1"
    assert items[0].findtext("PicUrl") == "https://p/1.jpg"


# replies


def _cards(count: int) -> dict[str, object]:
    products = [
        {
            "id": f"p{n}",
            "title": f"Laptop {n}",
            "category": "Laptops",
            "price": 300.0 + n,
            "price_label": f"${300 + n:,.2f}",
            "rating": 4.5,
            "review_count": 10,
        }
        for n in range(1, count + 1)
    ]
    return {"type": "product_cards", "products": products}


def _results(count: int) -> BotMessage:
    listing = "\n".join(f"{n}. Laptop {n} — ${300 + n:,.2f}" for n in range(1, count + 1))
    buttons = (
        *(Button(f"详情 {n}", details_payload(f"p{n}")) for n in range(1, min(count, 3) + 1)),
        Button("对比前两个", "/compare_products"),
    )
    return BotMessage(text=f"找到 {count} 款：\n\n{listing}", buttons=buttons, custom=_cards(count))


def test_product_results_become_news_and_a_numbered_text() -> None:
    style = ReplyStyle(news=True, max_articles=8, product_url="https://shop.example/p/{id}")
    outgoing = compose([_results(10)], style)
    news, text = outgoing.parts
    assert isinstance(news, tuple) and len(news) == 8
    assert news[1].title == "2. Laptop 2" and news[1].url == "https://shop.example/p/p2"
    assert news[0].description == "$301.00 · Laptops · ★4.5（10 条评价）" and news[0].pic_url == ""
    # the list's numbers pick its products; the other buttons come after them
    assert outgoing.options[:10] == [details_payload(f"p{n}") for n in range(1, 11)]
    assert outgoing.options[10] == "/compare_products"
    assert isinstance(text, str) and text.endswith("11. 对比前两个") and "详情" not in text


def test_text_only_when_configured() -> None:
    outgoing = compose([_results(3), BotMessage(text="还有别的吗？")], ReplyStyle(news=False))
    assert len(outgoing.parts) == 1
    text = outgoing.parts[0]
    assert isinstance(text, str)
    assert text.startswith("找到 3 款") and "3. Laptop 3" in text and text.endswith("还有别的吗？")
    assert "4. 对比前两个" in text


def test_buttons_without_a_list_are_numbered_from_one() -> None:
    message = BotMessage(
        text="Dell XPS 13", buttons=(Button("更多类似的", '/recommend{"product_id": "p9"}'),)
    )
    outgoing = compose([message, BotMessage(text="]]>")], ReplyStyle())
    assert outgoing.parts == ["Dell XPS 13\n\n1. 更多类似的\n\n]]>"]
    assert outgoing.options == ['/recommend{"product_id": "p9"}']


def test_nothing_to_say_is_no_part() -> None:
    assert compose([], ReplyStyle()).parts == []
    assert compose([BotMessage(custom={"type": "other"})], ReplyStyle()).parts == []


def test_long_text_is_split_within_wechats_limit() -> None:
    text = "\n".join(f"{n}. 轻薄笔记本电脑 — 很长的描述" * 4 for n in range(60))
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(len(piece.encode()) <= 2000 for piece in pieces)
    assert "\n".join(pieces) == text
    one_line = "笔" * 3000  # no line end to cut at
    assert "".join(split_text(one_line)) == one_line
    assert all(len(p.encode()) <= 2000 for p in split_text(one_line))
