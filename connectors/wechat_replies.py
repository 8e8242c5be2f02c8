"""From the bot's replies to what a WeChat shopper can receive.

A passive reply is one message, with no buttons, so a turn's replies become parts: product
results as one news (图文) message when `wechat.product_replies` is `news` (and the
customer-service API can carry the rest), then all texts joined into one text, split where it
would pass WeChat's size limit. The first part is the passive reply; the others follow
through the customer-service API. Buttons become numbered lines, and the payloads of those
numbers are kept, so a shopper who answers "2" selects option 2. A product list's own numbers
(`1. title — price`) select that product's details; the other buttons are numbered after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bot.messages import BotMessage
from connectors.wechat_xml import Article

MAX_TEXT_BYTES = 2000  # WeChat takes about 2048 bytes of text in one message
MAX_OPTION = 99

# a text, or a news message's articles
Part = str | tuple[Article, ...]


@dataclass(frozen=True)
class ReplyStyle:
    news: bool = True  # product results as news articles
    max_articles: int = 8
    product_url: str | None = None  # `{id}`: the product id
    picture_url: str | None = None


@dataclass(frozen=True)
class Outgoing:
    parts: list[Part] = field(default_factory=list)
    options: list[str] = field(default_factory=list)  # the payload of 1, 2, …


def details_payload(product_id: str) -> str:
    """The payload of a product's details button, as `actions.products` writes it."""
    return f'/product_details{{"product_id": "{product_id}"}}'


def compose(replies: Sequence[BotMessage], style: ReplyStyle) -> Outgoing:
    texts: list[str] = []
    options: list[str] = []
    articles: list[Article] = []
    for message in replies:
        cards = _product_cards(message.custom)
        listed: set[str] = set()
        if cards and not options:  # the list's own numbers select its products
            listed = {details_payload(str(card.get("id"))) for card in cards}
            options = [details_payload(str(card.get("id"))) for card in cards]
            if style.news and not articles:
                articles = [_article(n, card, style) for n, card in enumerate(cards, 1)]
                articles = articles[: style.max_articles]
        lines = []
        for button in message.buttons:
            if button.payload in listed or len(options) >= MAX_OPTION:
                continue
            options.append(button.payload)
            lines.append(f"{len(options)}. {button.title}")
        text = "\n\n".join(part for part in (message.text or "", "\n".join(lines)) if part)
        if text.strip():
            texts.append(text.strip())
    parts: list[Part] = [tuple(articles)] if articles else []
    parts.extend(split_text("\n\n".join(texts)))
    return Outgoing(parts, options)


def split_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> list[str]:
    """`text` in pieces of at most `max_bytes` UTF-8 bytes, cut at line ends where possible."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for line in _short_lines(text, max_bytes):
        cost = len(line.encode("utf-8")) + 1
        if current and size + cost > max_bytes:
            pieces.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += cost
    if current and "\n".join(current).strip():
        pieces.append("\n".join(current))
    return [piece.strip("\n") for piece in pieces if piece.strip()]


def _short_lines(text: str, max_bytes: int) -> list[str]:
    """Lines, a line too long for one message cut by characters (4 bytes each at most)."""
    step = max_bytes // 4
    lines = []
    for line in text.split("\n"):
        if len(line.encode("utf-8")) <= max_bytes - 1:
            lines.append(line)
        else:
            lines.extend(line[i : i + step] for i in range(0, len(line), step))
    return lines


def _product_cards(custom: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not custom or custom.get("type") != "product_cards":
        return []
    products = custom.get("products")
    if not isinstance(products, list):
        return []
    return [card for card in products if isinstance(card, dict) and card.get("id")]


def _article(number: int, card: dict[str, Any], style: ReplyStyle) -> Article:
    product_id = str(card["id"])
    facts = [str(card.get("price_label") or ""), str(card.get("category") or "")]
    if card.get("rating") is not None:
        facts.append(f"★{card['rating']}（{card.get('review_count') or 0} 条评价）")
    return Article(
        title=f"{number}. {card.get('title') or product_id}",
        description=" · ".join(fact for fact in facts if fact),
        pic_url=_link(style.picture_url, product_id),
        url=_link(style.product_url, product_id),
    )


def _link(template: str | None, product_id: str) -> str:
    return template.replace("{id}", quote(product_id, safe="")) if template else ""
